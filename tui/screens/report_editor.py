"""One 述职报告: write it here or in $EDITOR, insert the facts as sentences, read the
reviewer's comments and last year's problems, and move it through review."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from schema.dates import cn_date
from schema.kinds import ReportStatus
from schema.records import Branch, Review
from schema.report import (
    NEEDS_EVERY_SECTION,
    WAITING_FOR,
    ReportAction,
    allowed_actions,
    editable,
    empty_sections,
    fact_sentences,
    section_label,
    text_subject,
    transition_subject,
)
from schema.report_form import ReportForm
from schema.report_import import Imported, parse_mapping
from store.service import StoreError
from tui.dialogs import ConfirmDialog, Dialog, PromptDialog, required
from tui.external_editor import EditorUnavailable, edit_externally
from tui.keys import Action, register
from tui.screens.base import TextEditorScreen
from tui.screens.facts import edit_facts
from tui.screens.history import HistoryScreen

ACTION_HINTS = {
    ReportAction.SUBMIT: "提交（交二级党组织书记审阅）",
    ReportAction.RETURN: "退回修改（附审阅意见）",
    ReportAction.APPROVE: "审定（通过）",
    ReportAction.ARCHIVE: "归档（此后只读）",
    ReportAction.REOPEN: "重新打开（须填写原因）",
}
NEEDS_NOTE = (ReportAction.RETURN, ReportAction.REOPEN)


class ReportEditorScreen(TextEditorScreen):
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

    def __init__(self, branch_id: str):
        super().__init__()
        self.branch_id = branch_id
        self.form = ReportForm()  # not open until the text is read
        self.doc: Any = None  # the text as the service read it: handed back so a concurrent save conflicts
        self.items: list = []  # last year's problems to answer
        self.drawn_report = None  # the review's report part the text was read with
        self.writing = 0  # own commits under way: their snapshots are not someone else's change

    @property
    def branch(self) -> Branch:
        return self.snap.branches[self.branch_id].record

    @property
    def review(self) -> Review:
        return self.snap.review(self.branch_id).record

    @property
    def titles(self) -> list[str]:
        return self.snap.campaign.report.sections

    @property
    def area(self) -> TextArea:
        return self.query_one("#text", TextArea)

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="info", classes="subtitle")
        yield TextArea(id="text", soft_wrap=True, tab_behavior="focus")
        yield Static(id="count", classes="status")
        with VerticalScroll(id="notes"):
            yield Static(id="notes-text")
        yield from self.footer()

    def on_mount(self) -> None:
        self.area.read_only = True
        self.load_report()

    @work(thread=True, exclusive=True, group="load")
    def load_report(self) -> None:
        try:
            opened = self.shuping.service.reports.open(self.branch_id)
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="无法读取", severity="error", timeout=12)
            return
        self.app.call_from_thread(self._loaded, opened)

    def _loaded(self, opened) -> None:
        review = self.review
        self.doc, self.items, self.drawn_report = opened.doc, opened.last_year, review.report
        self.form = ReportForm.opened(self.snap.campaign.report, opened.doc.text, editable(review.report.status),
                                      opened.last_year)
        self.area.load_text(self.form.text)
        self.area.focus()
        self.show_state()

    def show_state(self) -> None:
        if not self.form.is_open:
            return
        part = self.review.report
        area = self.area
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
        self.form.edit(self.area.text)
        line, warn = self.form.count_line(self.area.cursor_location[0])
        count = self.query_one("#count", Static)
        count.update(line)
        count.set_class(warn, "-warn")

    def show_notes(self) -> None:
        part = self.review.report
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
        """A new snapshot: the text is read again when someone else moved this report on while
        nothing here is unsaved; otherwise only the state around it is redrawn."""
        if not self.form.is_open:
            return
        if not self.writing and self.review.report != self.drawn_report and not self.form.dirty:
            self.load_report()
        else:
            self.show_state()

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        self.show_count()

    def on_text_area_selection_changed(self, _: TextArea.SelectionChanged) -> None:
        if self.form.is_open:
            self.show_count()

    # ------------------------------------------------------------------ committing

    def commit(self, intent: Callable, *args, sent: str | None = None, replaced: bool = False, message: str = "",
               failed: str = "未保存", **kwargs) -> None:
        """Run a report intent in a worker. ``sent``: the editor's text committed with it;
        ``replaced``: the stored text replaces the editor's (an import)."""
        self.writing += 1
        self._commit(intent, args, kwargs, sent, replaced, message, failed)

    @work(thread=True, group="save")
    def _commit(self, intent: Callable, args: tuple, kwargs: dict, sent: str | None, replaced: bool, message: str,
                failed: str) -> None:
        app = self.shuping
        try:
            result = intent(*args, **kwargs)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title=failed, severity="error", timeout=12)
            result = None
        else:
            app.take_snapshot()
        app.call_from_thread(self._committed, result, sent, replaced, message)

    def _committed(self, result, sent: str | None, replaced: bool, message: str) -> None:
        self.writing -= 1
        if result is not None:
            self.doc = result.doc
            self.drawn_report = self.review.report
            if replaced:
                self.form.reloaded(result.doc.text)
                self.area.load_text(result.doc.text)
            else:
                self.form.saved_as(sent, result.doc.text)
            self.notify(message, title="已保存并提交")
            for notice in result.notices:
                self.notify(notice, title="导入提示", severity="warning", timeout=12)
        self.show_state()

    def action_save(self) -> None:
        if not self.form.is_open:
            return
        status = self.review.report.status
        if not editable(status):
            self.notify(f"报告{status.value}，只读。", severity="warning")
            return
        text = self.area.text
        self.form.edit(text)
        if self.form.unchanged:
            self.notify("没有修改。")
            return
        self.commit(self.shuping.service.reports.save_text, self.branch_id, text, self.doc, sent=text,
                    message=text_subject(self.branch.name, text))

    # ------------------------------------------------------------------ workflow

    def action_flow(self) -> None:
        if not self.form.is_open:
            return
        self.form.edit(self.area.text)
        section = self.form.section_at(self.area.cursor_location[0])
        self.app.push_screen(WorkflowDialog(self.review.report.status, self.titles, section), self._flow_chosen)

    def _flow_chosen(self, choice) -> None:
        if choice is None:
            return
        action, section, note = choice
        text = self.area.text if self.form.dirty else None

        def move(allow_empty: bool) -> None:
            self.commit(self.shuping.service.reports.move, self.branch_id, action, note, section=section, text=text,
                        doc=self.doc, allow_empty=allow_empty, sent=text,
                        message=transition_subject(action, self.branch.name, note))

        empty = empty_sections(self.area.text, self.titles) if action in NEEDS_EVERY_SECTION else []
        if not empty:
            move(False)
            return
        question = ("以下部分还没有内容：" + "、".join(f"“{t}”" for t in empty) + f"。仍要{action.value}吗？")
        self.app.push_screen(ConfirmDialog(f"{action.value}：有空的部分", question),
                             lambda sure: move(True) if sure else None)

    # ------------------------------------------------------------------ facts and the 数据 panel

    def action_data(self) -> None:
        if not self.form.is_open:
            return
        sentences = fact_sentences(self.review.facts, self.shuping.today())
        self.app.push_screen(DataDialog("".join(sentences)), self._insert_data)

    def _insert_data(self, text: str | None) -> None:
        area = self.area
        if not text:
            return
        if area.read_only:
            self.notify("报告只读，不能插入。", severity="warning")
            return
        area.insert(text.strip() + "\n")
        area.focus()

    def action_facts(self) -> None:
        if self.form.is_open:
            edit_facts(self, self.branch_id)

    # ------------------------------------------------------------------ elsewhere

    def action_external(self) -> None:
        area = self.area
        if not self.form.is_open or area.read_only:
            self.notify("报告只读，不能编辑。", severity="warning")
            return
        try:
            text = edit_externally(self.app, area.text)
        except EditorUnavailable as e:
            self.notify(str(e), severity="error")
            return
        if text != area.text:
            area.load_text(text)
            self.notify("已从外部编辑器取回正文，按 Ctrl+S 保存。")
        self.show_count()

    def action_import_file(self) -> None:
        if not self.form.is_open:
            return
        status = self.review.report.status
        if not editable(status):
            self.notify(f"报告{status.value}，不能导入。", severity="warning")
            return
        self.form.edit(self.area.text)
        if self.form.dirty:
            self.notify("有未保存的修改：请先按 Ctrl+S 保存，再导入。", severity="warning")
            return
        dialog = PromptDialog("导入述职报告（替换现有正文）", "支持 .docx、.md、.txt；Word 标题对应四个部分",
                              placeholder="文件路径，如 ~/下载/述职报告.docx", validate=required("文件路径"))
        self.app.push_screen(dialog, self._import_chosen)

    def _import_chosen(self, path: str | None) -> None:
        if path:
            self.writing += 1  # the file is read, and the mapping shown, before anything is written
            self._preview_import(path, {})

    @work(thread=True, group="save")
    def _preview_import(self, path: str, mapping: dict[str, int]) -> None:
        app = self.shuping
        try:
            preview = app.service.reports.preview_import(self.branch_id, path, mapping or None)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title="未导入", severity="error", timeout=12)
            preview = None
        app.call_from_thread(self._show_mapping, path, mapping, preview)

    def _show_mapping(self, path: str, mapping: dict[str, int], preview: Imported | None) -> None:
        """The headings found and the section each goes to: Enter imports, a correction
        (2=3; 0 for a sub-heading) shows the mapping again, Esc imports nothing."""
        self.writing -= 1
        if preview is None:
            return
        lines = preview.mapping_lines(self.titles) or ["（没有找到标题）"]
        if not preview.certain:
            lines += ["对应不确定：" + "；".join(preview.doubts)]
        lines += [f"提示：{n}" for n in preview.notices]
        lines += ["直接按 Enter 按此导入；或输入更改，如 2=3（第 2 个标题作第三部分，0 表示作小标题）后按 Enter。"]
        dialog = PromptDialog("导入述职报告 · 各部分标题的对应", "\n".join(lines), placeholder="更改（可留空）",
                              validate=parse_mapping)

        def answered(change: dict[str, int] | None) -> None:
            if change is None:
                return
            if change:
                self.writing += 1
                self._preview_import(path, {**mapping, **change})
                return
            self.commit(self.shuping.service.reports.import_file, self.branch_id, path, mapping or None,
                        confirmed=True, replaced=True, message=f"已导入 {self.branch.name} 的述职报告", failed="未导入")

        self.app.push_screen(dialog, answered)

    def action_history(self) -> None:
        if self.form.is_open:
            pathspec = self.shuping.service.reports.history_path(self.branch_id)
            self.app.push_screen(HistoryScreen(pathspec, f"{self.branch.name} 述职报告"))



def _day(at: str) -> date:
    return date.fromisoformat(at[:10])


class WorkflowDialog(Dialog):
    """Choose the next step; a return asks for the comment (and its section), a reopen for a reason.
    Dismisses with (action, section, note) or None."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "确定")]
    KEYS_TEXT = "Enter 选择 · Ctrl+S 确定 · Esc 取消"

    def __init__(self, status: ReportStatus, titles: list[str], section: int):
        super().__init__(f"述职报告流转 · 当前：{status.value}")
        self.titles = titles
        self.section = section
        self.actions = allowed_actions(status)

    def body(self) -> ComposeResult:
        yield OptionList(*[Option(ACTION_HINTS[a], id=a.name) for a in self.actions], id="actions")
        sections = [(section_label(n, self.titles), n) for n in range(len(self.titles) + 1)]
        yield Label("意见针对：", id="section-label")
        yield Select(sections, value=self.section, allow_blank=False, id="section")
        yield Input(id="note")
        yield Static("", id="error", classes="error")

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


class DataDialog(Dialog):
    """The 数据 panel: the facts as sentences the writer may edit before inserting them."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "插入")]

    def __init__(self, text: str):
        super().__init__("数据 · 用数据说话")
        self.sentences = text
        self.KEYS_TEXT = ("可先修改文字；Ctrl+S 插入到报告光标处 · Esc 取消" if text
                          else "尚未录入支部数据：Esc 关闭后按 Ctrl+F 录入。")

    def body(self) -> ComposeResult:
        yield TextArea(self.sentences, id="sentences", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.query_one("#sentences", TextArea).focus()

    def action_confirm(self) -> None:
        self.dismiss(self.query_one("#sentences", TextArea).text)


__all__ = ["DataDialog", "ReportEditorScreen", "WorkflowDialog"]
