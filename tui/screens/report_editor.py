"""One 述职报告: write it here or in $EDITOR, insert the facts as sentences, read the
reviewer's comments and last year's problems, and move it through review."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from schema.dates import cn_date
from schema.kinds import ReportStatus
from schema.report import (
    WAITING_FOR,
    ReportAction,
    allowed_actions,
    editable,
    fact_sentences,
    length_guide,
    report_words,
    section_label,
    section_of_line,
    template,
    text_subject,
    transition_subject,
)
from store import reports
from store.errors import StoreError
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.facts import edit_facts

ACTION_HINTS = {
    ReportAction.SUBMIT: "提交（交二级党组织书记审阅）",
    ReportAction.RETURN: "退回修改（附审阅意见）",
    ReportAction.APPROVE: "审定（通过）",
    ReportAction.ARCHIVE: "归档（此后只读）",
    ReportAction.REOPEN: "重新打开（须填写原因）",
}
NEEDS_NOTE = (ReportAction.RETURN, ReportAction.REOPEN)


class ReportEditorScreen(AppScreen):
    SCOPE = "述职报告编辑"
    BINDINGS = register(  # the footer keeps the essentials at 80 columns; F1 lists every key
        SCOPE,
        [
            Action("report.save", "ctrl+s", "save", "保存", "保存报告正文（一次提交）"),
            Action("report.flow", "ctrl+l", "flow", "流转", "提交、退回修改（附审阅意见）、审定、归档或重新打开"),
            Action("report.data", "ctrl+t", "data", "数据", "把支部数据写成句子，修改后插入到光标处"),
            Action("report.facts", "ctrl+f", "facts", "支部数据", "录入、修改本支部本年度的数据", show=False),
            Action("report.external", "ctrl+o", "external", "外部编辑", "用 $EDITOR 编辑正文，退出编辑器后回到这里", show=False),
            Action("report.import", "ctrl+b", "import_file", "导入", "导入 .docx、.md 或 .txt 文件替换正文（一次提交）", show=False),
            Action("report.history", "ctrl+g", "history", "历史", "这篇报告的修改和流转历史"),
            Action("report.back", "escape", "back", "返回", "返回审阅队列（未保存的修改会提示）"),
        ],
    )
    CSS = """
    ReportEditorScreen #text { height: 1fr; border: none; padding: 0 1; }
    ReportEditorScreen #count.-warn { color: $warning; }
    ReportEditorScreen #notes { height: auto; max-height: 5; background: $boost; padding: 0 1; }
    """

    def __init__(self, branch_id: str):
        super().__init__()
        self.branch_id = branch_id
        self.stored = None  # Stored[Review]
        self.doc: reports.ReportDoc | None = None
        self.items = []
        self.baseline = ""  # the text as loaded: what "unsaved changes" compares with
        self._discard_armed = False

    @property
    def branch(self):
        return self.snap.branches[self.branch_id].record

    @property
    def titles(self) -> list[str]:
        return self.snap.campaign.report.sections

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="info", classes="subtitle")
        yield TextArea(id="text", soft_wrap=True, tab_behavior="focus")
        yield Static(id="count", classes="status")
        with VerticalScroll(id="notes"):
            yield Static(id="notes-text")
        yield from self.footer()

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).read_only = True
        self.load_report()

    @work(thread=True, exclusive=True, group="load")
    def load_report(self) -> None:
        stored = self.snap.review(self.branch_id)
        try:
            doc = reports.read(self.shuping.archive, stored.record)
            items = reports.last_year(self.shuping.archive, self.snap.campaign, stored.record)
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="无法读取", severity="error", timeout=12)
            return
        self.app.call_from_thread(self._loaded, stored, doc, items)

    def _loaded(self, stored, doc, items) -> None:
        self.stored, self.doc, self.items = stored, doc, items
        text = doc.text
        if not text and editable(stored.record.report.status):
            text = template(self.titles, items)
        self.baseline = text
        area = self.query_one("#text", TextArea)
        area.load_text(text)
        area.focus()
        self.show_state()

    def show_state(self) -> None:
        if self.stored is None:
            return
        part = self.stored.record.report
        area = self.query_one("#text", TextArea)
        area.read_only = not editable(part.status)
        parts = [self.branch.name, f"书记 {self.branch.secretary or '—'}", part.status.value]
        if part.status != ReportStatus.ARCHIVED:
            parts.append(f"待{WAITING_FOR[part.status]}")
        if part.status == ReportStatus.ARCHIVED:
            parts.append("只读，Ctrl+L 可重新打开")
        elif area.read_only:
            parts.append("只读")
        self.query_one("#info", Static).update(" · ".join(parts))
        self.show_count()
        self.show_notes()

    def show_count(self) -> None:
        area = self.query_one("#text", TextArea)
        line, warn = length_guide(report_words(area.text), self.snap.campaign.report)
        section = section_of_line(area.text, area.cursor_location[0], self.titles)
        dirty = " · 未保存" if self.dirty() else ""
        count = self.query_one("#count", Static)
        count.update(f"{line} · 光标：{section_label(section, self.titles)}{dirty}")
        count.set_class(warn, "-warn")

    def show_notes(self) -> None:
        part = self.stored.record.report
        lines = []
        if part.comments:
            lines.append(f"[b]审阅意见（{len(part.comments)}）[/b]")
            for c in reversed(part.comments):
                lines.append(f" 【{section_label(c.section, self.titles)}】{escape(c.text)} —— {c.by} {cn_date(_day(c.at))}")
        reopened = [e for e in part.history if e.note]
        for event in reopened[-1:]:
            lines.append(f" 重新打开的原因：{escape(event.note)} —— {event.by} {cn_date(_day(event.at))}")
        if self.items:
            lines.append(f"[b]上年度指出的问题（须在“{self.titles[-1]}”中逐条说明整改情况）[/b]")
            for n, item in enumerate(self.items, start=1):
                lines.append(f" {n}. {escape(item.text)}（{item.source}）")
        if not lines:
            lines.append("暂无审阅意见；上年度没有需要说明整改情况的问题。")
        self.query_one("#notes-text", Static).update("\n".join(lines))

    def refresh_data(self) -> None:
        if self.stored is None:
            return
        current = self.snap.reviews.get(self.branch_id)
        if current is not None and current.version != self.stored.version and not self.dirty():
            self.load_report()
        else:
            self.show_state()

    def dirty(self) -> bool:
        return self.doc is not None and self.query_one("#text", TextArea).text != self.baseline

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        self._discard_armed = False
        self.show_count()

    def on_text_area_selection_changed(self, _: TextArea.SelectionChanged) -> None:
        if self.stored is not None:
            self.show_count()

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.stored is None:
            return
        if not editable(self.stored.record.report.status):
            self.notify(f"报告{self.stored.record.report.status.value}，只读。", severity="warning")
            return
        text = self.query_one("#text", TextArea).text
        if text == self.doc.text:
            self.notify("没有修改。")
            return
        self.save_worker(text)

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, text: str) -> None:
        self._store_call(
            lambda: reports.save_text(self.shuping.archive, self.stored, self.doc, text, self.branch),
            text,
            text_subject(self.branch.name, text),
        )

    def _store_call(self, call, text: str | None, message: str) -> None:
        """Run a store write (in a worker thread); show its commit subject or its error."""
        try:
            stored, doc = call()
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return
        self.app.call_from_thread(self._saved, stored, doc, text, message)

    def _saved(self, stored, doc, text: str | None, message: str) -> None:
        self.stored, self.doc = stored, doc
        if text is not None:
            self.baseline = text
        self.shuping.absorb(stored)
        self.notify(message, title="已保存并提交")
        self.show_state()

    # ------------------------------------------------------------------ workflow

    def action_flow(self) -> None:
        if self.stored is None:
            return
        area = self.query_one("#text", TextArea)
        section = section_of_line(area.text, area.cursor_location[0], self.titles)
        dialog = WorkflowDialog(self.stored.record.report.status, self.titles, section)
        self.app.push_screen(dialog, self._flow_chosen)

    def _flow_chosen(self, choice) -> None:
        if choice is None:
            return
        action, section, note = choice
        text = self.query_one("#text", TextArea).text if self.dirty() else None
        self.flow_worker(action, section, note, text)

    @work(thread=True, exclusive=True, group="save")
    def flow_worker(self, action: ReportAction, section: int, note: str, text: str | None) -> None:
        at = self.shuping.now()
        self._store_call(
            lambda: reports.move(
                self.shuping.archive, self.stored, self.doc, action, self.branch, at, note, section, text
            ),
            text,
            transition_subject(action, self.branch.name, note),
        )

    # ------------------------------------------------------------------ facts and the 数据 panel

    def action_data(self) -> None:
        if self.stored is None:
            return
        sentences = fact_sentences(self.stored.record.facts, self.shuping.today())
        self.app.push_screen(DataDialog("".join(sentences)), self._insert_data)

    def _insert_data(self, text: str | None) -> None:
        area = self.query_one("#text", TextArea)
        if not text:
            return
        if area.read_only:
            self.notify("报告只读，不能插入。", severity="warning")
            return
        area.insert(text.strip() + "\n")
        area.focus()

    def action_facts(self) -> None:
        if self.stored is not None:
            edit_facts(self, self.stored, self.branch.name, self._facts_saved)

    def _facts_saved(self, saved) -> None:
        self.stored = saved
        self.show_state()

    # ------------------------------------------------------------------ elsewhere

    def action_external(self) -> None:
        area = self.query_one("#text", TextArea)
        if self.stored is None or area.read_only:
            self.notify("报告只读，不能编辑。", severity="warning")
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or shutil.which("nano") or shutil.which("vi")
        if not editor:
            self.notify("没有可用的外部编辑器：请设置环境变量 EDITOR。", severity="error")
            return
        # a private scratch copy outside the archive; only a save in this screen commits it
        fd, scratch = tempfile.mkstemp(suffix=".md", prefix="shuping-report-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(area.text)
            try:
                with self.app.suspend():
                    subprocess.run([*shlex.split(editor), scratch], check=False)
            except Exception as e:  # SuspendNotSupported in some environments, OSError for a bad $EDITOR
                self.notify(f"无法打开外部编辑器：{e}", severity="error")
                return
            text = Path(scratch).read_text(encoding="utf-8")
        finally:
            Path(scratch).unlink(missing_ok=True)
        if text != area.text:
            area.load_text(text)
            self.notify("已从外部编辑器取回正文，按 Ctrl+S 保存。")
        self.show_count()

    def action_import_file(self) -> None:
        if self.stored is None:
            return
        if not editable(self.stored.record.report.status):
            self.notify(f"报告{self.stored.record.report.status.value}，不能导入。", severity="warning")
            return
        if self.dirty():
            self.notify("有未保存的修改：请先按 Ctrl+S 保存，再导入。", severity="warning")
            return
        self.app.push_screen(ImportDialog(), self._import_chosen)

    def _import_chosen(self, path: str | None) -> None:
        if path:
            self.import_worker(path)

    @work(thread=True, exclusive=True, group="save")
    def import_worker(self, path: str) -> None:
        try:
            stored, doc, notices = reports.import_file(
                self.shuping.archive, self.stored, self.branch, self.titles, Path(path).expanduser()
            )
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="未导入", severity="error", timeout=12)
            return
        self.app.call_from_thread(self._imported, stored, doc, notices)

    def _imported(self, stored, doc, notices: list[str]) -> None:
        self.query_one("#text", TextArea).load_text(doc.text)
        self._saved(stored, doc, doc.text, f"已导入 {self.branch.name} 的述职报告")
        for notice in notices:
            self.notify(notice, title="导入提示", severity="warning", timeout=12)

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        if self.stored is not None:
            self.app.push_screen(HistoryScreen(reports.history_pathspec(self.stored.record), f"{self.branch.name} 述职报告"))

    def action_back(self) -> None:
        if self.dirty() and not self._discard_armed:
            self._discard_armed = True
            self.notify("有未保存的修改：按 Ctrl+S 保存，或再按一次 Esc 放弃。", severity="warning")
            return
        self.app.pop_screen()


def _day(at: str) -> date:
    return date.fromisoformat(at[:10])


class WorkflowDialog(ModalScreen[tuple[ReportAction, int, str] | None]):
    """Choose the next step; a return asks for the comment (and its section), a reopen for a reason."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "确定")]
    DEFAULT_CSS = """
    WorkflowDialog { align: center middle; }
    WorkflowDialog #dialog { width: 70; height: auto; max-height: 22; border: thick $accent; background: $panel; padding: 0 1; }
    WorkflowDialog #actions { height: auto; max-height: 6; }
    WorkflowDialog .-hidden { display: none; }
    """

    def __init__(self, status: ReportStatus, titles: list[str], section: int):
        super().__init__()
        self.status = status
        self.titles = titles
        self.section = section
        self.actions = allowed_actions(status)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(f"述职报告流转 · 当前：{self.status.value}", classes="title")
            yield OptionList(*[Option(ACTION_HINTS[a], id=a.name) for a in self.actions], id="actions")
            sections = [(section_label(n, self.titles), n) for n in range(len(self.titles) + 1)]
            yield Label("意见针对：", id="section-label")
            yield Select(sections, value=self.section, allow_blank=False, id="section")
            yield Input(id="note")
            yield Static("", id="error", classes="error")
            yield Static("Enter 选择 · Ctrl+S 确定 · Esc 取消", classes="status")

    def on_mount(self) -> None:
        self.query_one("#actions", OptionList).highlighted = 0
        self.query_one("#actions", OptionList).focus()
        self._show_fields()

    def chosen(self) -> ReportAction | None:
        index = self.query_one("#actions", OptionList).highlighted
        return self.actions[index] if index is not None else None

    def _show_fields(self) -> None:
        action = self.chosen()
        needs_note = action in NEEDS_NOTE
        for selector in ("#section-label", "#section"):
            self.query_one(selector).set_class(action != ReportAction.RETURN, "-hidden")
        note = self.query_one("#note", Input)
        note.set_class(not needs_note, "-hidden")
        note.placeholder = "审阅意见（必填）" if action == ReportAction.RETURN else "重新打开的原因（必填）"
        self.query_one("#error", Static).update("")

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._show_fields()

    def on_option_list_option_selected(self, _: OptionList.OptionSelected) -> None:
        if self.chosen() in NEEDS_NOTE and not self.query_one("#note", Input).value.strip():
            self.query_one("#note", Input).focus()
            return
        self.action_confirm()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        action = self.chosen()
        if action is None:
            return
        note = self.query_one("#note", Input).value.strip() if action in NEEDS_NOTE else ""
        if action in NEEDS_NOTE and not note:
            self.query_one("#error", Static).update(
                "请填写审阅意见。" if action == ReportAction.RETURN else "请填写重新打开的原因。"
            )
            self.query_one("#note", Input).focus()
            return
        section = self.query_one("#section", Select).value if action == ReportAction.RETURN else 0
        self.dismiss((action, int(section), note))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DataDialog(ModalScreen[str | None]):
    """The 数据 panel: the facts as sentences the writer may edit before inserting them."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "插入")]
    DEFAULT_CSS = """
    DataDialog { align: center middle; }
    DataDialog #dialog { width: 72; height: 16; border: thick $accent; background: $panel; padding: 0 1; }
    DataDialog TextArea { height: 1fr; }
    """

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("数据 · 用数据说话", classes="title")
            yield TextArea(self.text, id="sentences", soft_wrap=True, tab_behavior="focus")
            hint = "可先修改文字；Ctrl+S 插入到报告光标处 · Esc 取消"
            if not self.text:
                hint = "尚未录入支部数据：Esc 关闭后按 Ctrl+F 录入。"
            yield Static(hint, classes="status")

    def on_mount(self) -> None:
        self.query_one("#sentences", TextArea).focus()

    def action_confirm(self) -> None:
        self.dismiss(self.query_one("#sentences", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ImportDialog(ModalScreen[str | None]):
    """Ask for the file to import."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "导入")]
    DEFAULT_CSS = """
    ImportDialog { align: center middle; }
    ImportDialog #dialog { width: 70; height: auto; border: thick $accent; background: $panel; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("导入述职报告（替换现有正文）", classes="title")
            yield Input(placeholder="文件路径，如 ~/下载/述职报告.docx", id="path")
            yield Static("支持 .docx、.md、.txt；Word 标题对应四个部分 · Enter 导入 · Esc 取消", classes="status")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if path:
            self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
