"""Follow-up of one organisation's grading: feedback to each secretary, the announcement
(通报) and its scope, and for each 一般/差 the 约谈 record and the rectification deadline."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static, TextArea

from schema.dates import cn_short_date, parse_date
from schema.followup import draft_feedback, interview_missing, needs_interview
from schema.records import Feedback, Interview
from schema.rectification import progress
from schema.worksheet import short_name
from store.service import StoreError
from tui.dialogs import Dialog, export_dialog
from tui.cells import fit_name
from tui.inline_edit import InlineEdit
from tui.keys import Action, register
from tui.screens.base import AppScreen


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

    @property
    def followup(self):
        return self.shuping.service.followup

    def branch_ids(self) -> list[str]:
        return self.shuping.service.grading.branch_ids(self.org_id, self.snap)

    def refresh_data(self) -> None:
        snap = self.snap
        today = self.shuping.today()
        org_year = snap.org_year(self.org_id).record
        table = self.query_one("#rows", DataTable)
        row = table.cursor_row
        table.clear()
        missing_here = []
        for branch_id in self.branch_ids():
            branch = snap.branches[branch_id].record
            review = snap.review(branch_id).record
            grade = review.grade.final.value if review.grade.final else "·"
            fb = review.feedback
            feedback = cell_date(fb.delivered, today) if fb.delivered else ("已起草" if fb.text else "未反馈")  # the day it was given
            missing = interview_missing(review)
            if needs_interview(review):
                interview = Text(cell_date(review.interview.held, today) if review.interview.held else "缺约谈",
                                 style="" if review.interview.held else "bold red")
                deadline = Text(cell_date(review.interview.deadline, today) if review.interview.deadline else "缺期限",
                                style="" if review.interview.deadline else "bold red")
            else:
                interview, deadline = Text("—"), Text("—")
            if missing:
                missing_here.append(short_name(branch.name, self.org.name))
            p = progress(review.tasks, today)
            tasks = f"{p.done}/{p.total}" if p.total else "—"
            table.add_row(fit_name(short_name(branch.name, self.org.name), 14), branch.secretary, grade, feedback, interview,
                          deadline, Text(tasks, style="bold red" if p.overdue else ""), key=branch_id)
        if row is not None and row < table.row_count:
            table.move_cursor(row=row)
        self.query_one("#org", Static).update(
            f"{self.org.name} · 通报范围：{org_year.announcement_scope or '未设定（按 s 设定）'}"
        )
        self.query_one("#missing", Static).update(
            f"一般/差尚缺约谈记录或整改期限：{'、'.join(missing_here)}" if missing_here else ""
        )

    def current(self) -> str | None:
        table = self.query_one("#rows", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_feedback()

    def action_feedback(self) -> None:
        branch_id = self.current()
        if not branch_id:
            return
        review = self.snap.review(branch_id).record
        branch = self.snap.branches[branch_id].record
        text = review.feedback.text or draft_feedback(branch, self.org, review, self.snap.year)
        self.app.push_screen(FeedbackDialog(branch.name, text, review.feedback.delivered, self.shuping.today()),
                             lambda feedback: feedback and self.record(self.followup.save_feedback, branch_id, feedback))

    def action_interview(self) -> None:
        branch_id = self.current()
        if not branch_id:
            return
        review = self.snap.review(branch_id).record
        if not needs_interview(review):
            self.notify("约谈提醒只针对考核结果为“一般”或“差”的党支部。")
            return
        self.app.push_screen(InterviewDialog(self.snap.branches[branch_id].record.name, review.interview),
                             lambda interview: interview and self.record(self.followup.save_interview, branch_id, interview))

    @work(thread=True, group="save")
    def record(self, intent, *args) -> None:
        recorded = self.shuping.apply(intent, *args)
        if recorded:
            self.app.call_from_thread(self.notify, recorded.message, title="已保存并提交")

    def action_tasks(self) -> None:
        branch_id = self.current()
        if branch_id:
            self.shuping.switch_mode("rectification")
            self.shuping.screen_stack[0].show_branch(branch_id)  # type: ignore[attr-defined]  # the mode's own screen

    def action_announcement_scope(self) -> None:
        scope = self.snap.org_year(self.org_id).record.announcement_scope
        self.query_one("#editor", InlineEdit).ask(
            "通报范围", scope, lambda text: self.record(self.followup.set_announcement_scope, self.org_id, text))

    def action_export(self) -> None:
        dialog = export_dialog(self.app, f"导出反馈和通报：{self.org.name}（三个文件，写入文件夹）")
        if dialog:
            self.app.push_screen(dialog, lambda folder: folder and self.export_worker(folder))

    @work(thread=True, group="export")
    def export_worker(self, folder: str) -> None:
        try:
            paths = self.followup.export(self.org_id, Path(folder))
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="未导出", severity="error")
            return
        self.app.call_from_thread(self.notify, "\n".join(str(p) for p in paths), title="已导出", timeout=10)

    def action_back(self) -> None:
        self.app.pop_screen()


def cell_date(d, today) -> str:
    """A date in a 12-cell column: 6月30日 this year; another year's as 2020-12-30 (its
    2020年12月30日 would be cut)."""
    return cn_short_date(d, today) if d.year == today.year else d.isoformat()


class FeedbackDialog(Dialog):
    """The feedback text (drafted from the grade, comments and problems) and the day it was given."""

    BINDINGS = [("escape", "close_form", "取消"), ("ctrl+s", "confirm", "保存")]
    KEYS_TEXT = "Ctrl+S 保存 · Esc 取消"
    ASK_ON_CANCEL = True

    def __init__(self, name: str, text: str, delivered, today):
        super().__init__(f"反馈意见 · {name}")
        self.feedback_text, self.delivered, self.today = text, delivered, today

    def body(self) -> ComposeResult:
        yield TextArea(self.feedback_text, id="text", soft_wrap=True)
        with Horizontal(classes="dialog-row"):
            yield Label("反馈日期")
            yield Input(str(self.delivered or ""), placeholder=f"如 {self.today.isoformat()}；空为未反馈", id="delivered")
        yield Static("", id="error", classes="error")

    def action_confirm(self) -> None:
        try:
            delivered = parse_date(self.query_one("#delivered", Input).value)
        except ValueError as e:
            self.query_one("#error", Static).update(f"反馈日期：{e}")
            return
        self.dismiss(Feedback(text=self.query_one("#text", TextArea).text.strip(), delivered=delivered))


INTERVIEW_FIELDS = [
    ("held", "约谈日期", True),
    ("by", "约谈人", False),
    ("points", "指出问题", False),
    ("response", "本人表态", False),
    ("deadline", "整改期限", True),
]


class InterviewDialog(Dialog):
    """The 约谈 record of a 一般/差 branch's secretary and the rectification deadline."""

    BINDINGS = [("escape", "close_form", "取消"), ("ctrl+s", "confirm", "保存")]
    KEYS_TEXT = "Ctrl+S 保存 · Esc 取消 · Tab 下一项"
    ASK_ON_CANCEL = True

    def __init__(self, name: str, interview: Interview):
        super().__init__(f"约谈提醒 · {name}")
        self.interview = interview

    def body(self) -> ComposeResult:
        for key, label, is_date in INTERVIEW_FIELDS:
            value = getattr(self.interview, key)
            with Horizontal(classes="dialog-row"):
                yield Label(label)
                yield Input("" if value is None else str(value), id=key, placeholder="2021-01-30" if is_date else "")
        yield Static("", id="error", classes="error")

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
