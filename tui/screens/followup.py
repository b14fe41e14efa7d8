"""Follow-up of one organisation's grading: feedback to each secretary, the announcement
(通报) and its scope, and for each 一般/差 the 约谈 record and the rectification deadline."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static, TextArea

from schema.dates import cn_date, cn_short_date, parse_date
from schema.followup import draft_feedback, interview_missing, needs_interview
from schema.records import Feedback, Interview, Review
from schema.rectification import progress
from store import layout
from store.archive import Stored
from store.errors import StoreError
from store.followup_export import export_all
from store.grading import read_org_year
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.grading import short_name
from tui.screens.inline import InlineEdit


class FollowupScreen(AppScreen):
    SCOPE = "反馈与约谈"
    BINDINGS = register(
        SCOPE,
        [
            Action("followup.feedback", "enter", "feedback", "反馈", "编辑反馈意见（按等次、点评和问题起草）和反馈日期"),
            Action("followup.interview", "t", "interview", "约谈", "一般/差：约谈记录和整改期限"),
            Action("followup.tasks", "g", "tasks", "整改任务", "打开所选党支部的整改任务清单"),
            Action("followup.scope", "s", "announcement_scope", "通报范围", "设定通报范围"),
            Action("followup.export", "x", "export", "导出", "导出反馈（.docx）和通报（.docx、.xlsx）"),
            Action("followup.back", "escape", "back", "返回", "返回评定"),
        ],
    )
    DEFAULT_CSS = """
    FollowupScreen #rows { height: 1fr; }
    """

    def __init__(self, org_id: str):
        super().__init__()
        self.org_id = org_id

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="org", classes="subtitle")
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield Static(id="missing", classes="warning")
        yield InlineEdit(id="editor")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#rows", DataTable)
        for key, label, width in (("name", "党支部", 14), ("secretary", "书记", 6), ("grade", "等次", 4),
                                  ("feedback", "反馈", 12), ("interview", "约谈", 12), ("deadline", "整改期限", 12),
                                  ("tasks", "整改", 6)):
            table.add_column(label, key=key, width=width)
        self.refresh_data()
        table.focus()

    @property
    def org(self):
        return self.snap.orgs[self.org_id].record

    def branch_ids(self) -> list[str]:
        snap = self.snap
        return sorted(b.id for b in snap.org_branches(self.org_id) if snap.scope(b.id).in_scope)

    def refresh_data(self) -> None:
        snap = self.snap
        today = self.shuping.today()
        org_year = read_org_year(self.shuping.archive, self.org_id, snap.year).record
        table = self.query_one("#rows", DataTable)
        row = table.cursor_row
        table.clear()
        missing_here = []
        for branch_id in self.branch_ids():
            branch = snap.branches[branch_id].record
            review = snap.review(branch_id).record
            grade = review.grade.final.value if review.grade.final else "·"
            fb = review.feedback
            feedback = cn_short_date(fb.delivered, today) if fb.delivered else ("已起草" if fb.text else "未反馈")  # the day it was given
            missing = interview_missing(review)
            if needs_interview(review):
                interview = Text(cn_short_date(review.interview.held, today) if review.interview.held else "缺约谈",
                                 style="" if review.interview.held else "bold red")
                deadline = Text(cn_short_date(review.interview.deadline, today) if review.interview.deadline else "缺期限",
                                style="" if review.interview.deadline else "bold red")
            else:
                interview, deadline = Text("—"), Text("—")
            if missing:
                missing_here.append(short_name(branch.name, self.org.name))
            p = progress(review.tasks, today)
            tasks = f"{p.done}/{p.total}" if p.total else "—"
            table.add_row(short_name(branch.name, self.org.name), branch.secretary, grade, feedback, interview,
                          deadline, Text(tasks, style="bold red" if p.overdue else ""), key=branch_id)
        if row is not None and row < table.row_count:
            table.move_cursor(row=row)
        self.query_one("#org", Static).update(
            f"{self.org.name} · 通报范围：{org_year.announcement_scope or '未设定（按 s 设定）'}"
        )
        self.query_one("#missing", Static).update(
            f"一般/差尚缺约谈记录或整改期限：{'、'.join(missing_here)}" if missing_here else ""
        )

    def current(self) -> tuple[str, Stored[Review]] | None:
        table = self.query_one("#rows", DataTable)
        if table.row_count == 0:
            return None
        branch_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return branch_id, self.snap.review(branch_id)

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_feedback()

    def action_feedback(self) -> None:
        found = self.current()
        if not found:
            return
        branch_id, stored = found
        review = stored.record
        branch = self.snap.branches[branch_id].record
        text = review.feedback.text or draft_feedback(branch, self.org, review, self.snap.year)

        def done(feedback: Feedback | None) -> None:
            if feedback is None or feedback == review.feedback:
                return
            when = f"，{cn_date(feedback.delivered)}已反馈" if feedback.delivered else ""
            self.save(stored, review.model_copy(update={"feedback": feedback}), f"反馈：{branch.name}{when}")

        self.app.push_screen(FeedbackDialog(branch.name, text, review.feedback.delivered, self.shuping.today()), done)

    def action_interview(self) -> None:
        found = self.current()
        if not found:
            return
        branch_id, stored = found
        review = stored.record
        branch = self.snap.branches[branch_id].record
        if not needs_interview(review):
            self.notify("约谈提醒只针对考核结果为“一般”或“差”的党支部。")
            return

        def done(interview: Interview | None) -> None:
            if interview is None or interview == review.interview:
                return
            parts = [f"{cn_date(interview.held)}约谈" if interview.held else "约谈"]
            if interview.by:
                parts.append(f"约谈人 {interview.by}")
            if interview.deadline:
                parts.append(f"整改期限 {cn_date(interview.deadline)}")
            self.save(stored, review.model_copy(update={"interview": interview}), f"约谈：{branch.name}（{'，'.join(parts)}）")

        self.app.push_screen(InterviewDialog(branch.name, review.interview), done)

    @work(thread=True, group="save")
    def save(self, stored: Stored, record, message: str) -> None:
        self.shuping.save(stored, record, message)

    def action_tasks(self) -> None:
        found = self.current()
        if found:
            self.shuping.switch_mode("rectification")
            self.shuping.screen_stack[0].show_branch(found[0])  # type: ignore[attr-defined]  # the mode's own screen

    def action_announcement_scope(self) -> None:
        org_year = read_org_year(self.shuping.archive, self.org_id, self.snap.year)

        def done(text: str) -> None:
            text = text.strip()
            if text != org_year.record.announcement_scope:
                record = org_year.record.model_copy(update={"announcement_scope": text})
                self.save_scope(org_year, record, f"通报范围：{self.org.name} → {text or '（空）'}")

        self.query_one("#editor", InlineEdit).ask("通报范围", org_year.record.announcement_scope, done)

    @work(thread=True, group="save")
    def save_scope(self, stored, record, message: str) -> None:
        if self.shuping.save(stored, record, message) is not None:
            self.app.call_from_thread(self.refresh_data)

    def action_export(self) -> None:
        default = str(self.shuping.archive.root / layout.LOCAL_DIR / "exports")
        self.query_one("#editor", InlineEdit).ask("导出到文件夹", default, self.export_worker)

    @work(thread=True, group="export")
    def export_worker(self, folder: str) -> None:
        from pathlib import Path

        snap = self.snap
        items = [(snap.branches[i].record, snap.review(i).record) for i in self.branch_ids()]
        org_year = read_org_year(self.shuping.archive, self.org_id, snap.year).record
        try:
            paths = export_all(Path(folder).expanduser(), self.org, snap.year, org_year.announcement_scope, items,
                               org_year.grading.finalised)
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="未导出", severity="error")
            return
        self.app.call_from_thread(self.notify, "\n".join(str(p) for p in paths), title="已导出", timeout=10)

    def action_back(self) -> None:
        self.app.pop_screen()


class FeedbackDialog(ModalScreen[Feedback | None]):
    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "保存")]
    DEFAULT_CSS = """
    FeedbackDialog { align: center middle; }
    FeedbackDialog > Vertical { width: 78; height: 22; border: thick $accent; background: $panel; padding: 0 1; }
    FeedbackDialog TextArea { height: 1fr; }
    FeedbackDialog .dialog-row { height: 1; margin: 1 0 0 0; }
    FeedbackDialog .dialog-row Label { width: 10; padding: 0 1 0 0; text-align: right; }
    FeedbackDialog .dialog-row Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    """

    def __init__(self, name: str, text: str, delivered, today):
        super().__init__()
        self.branch_name, self.text, self.delivered, self.today = name, text, delivered, today

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"反馈意见 · {self.branch_name}", classes="title")
            yield TextArea(self.text, id="text", soft_wrap=True)
            with Horizontal(classes="dialog-row"):
                yield Label("反馈日期")
                yield Input(str(self.delivered or ""), placeholder=f"如 {self.today.isoformat()}；空为未反馈", id="delivered")
            yield Static("", id="error", classes="error")
            yield Static("Ctrl+S 保存 · Esc 取消", classes="status")

    def action_confirm(self) -> None:
        try:
            delivered = parse_date(self.query_one("#delivered", Input).value)
        except ValueError as e:
            self.query_one("#error", Static).update(f"反馈日期：{e}")
            return
        self.dismiss(Feedback(text=self.query_one("#text", TextArea).text.strip(), delivered=delivered))

    def action_cancel(self) -> None:
        self.dismiss(None)


INTERVIEW_FIELDS = [
    ("held", "约谈日期", True),
    ("by", "约谈人", False),
    ("points", "指出问题", False),
    ("response", "本人表态", False),
    ("deadline", "整改期限", True),
]


class InterviewDialog(ModalScreen[Interview | None]):
    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "保存")]
    DEFAULT_CSS = """
    InterviewDialog { align: center middle; }
    InterviewDialog > VerticalScroll { width: 72; height: auto; max-height: 22; border: thick $accent; background: $panel; padding: 0 1; }
    InterviewDialog .dialog-row { height: 1; margin: 0 0 1 0; }
    InterviewDialog .dialog-row Label { width: 10; padding: 0 1 0 0; text-align: right; }
    InterviewDialog .dialog-row Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    """

    def __init__(self, name: str, interview: Interview):
        super().__init__()
        self.branch_name, self.interview = name, interview

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(f"约谈提醒 · {self.branch_name}", classes="title")
            for key, label, is_date in INTERVIEW_FIELDS:
                value = getattr(self.interview, key)
                with Horizontal(classes="dialog-row"):
                    yield Label(label)
                    yield Input("" if value is None else str(value), id=key,
                                placeholder="2021-01-30" if is_date else "")
            yield Static("", id="error", classes="error")
            yield Static("Ctrl+S 保存 · Esc 取消 · Tab 下一项", classes="status")

    def on_mount(self) -> None:
        self.query_one("#held", Input).focus()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.focus_next()

    def action_confirm(self) -> None:
        data = {}
        for key, label, is_date in INTERVIEW_FIELDS:
            raw = self.query_one(f"#{key}", Input).value
            if is_date:
                try:
                    data[key] = parse_date(raw)
                except ValueError as e:
                    self.query_one("#error", Static).update(f"{label}：{e}")
                    return
            else:
                data[key] = raw.strip()
        self.dismiss(Interview(**data))

    def action_cancel(self) -> None:
        self.dismiss(None)
