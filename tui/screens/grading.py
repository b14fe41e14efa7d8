"""F6 评定: one secondary organisation's branches, their inputs, composite, rank, suggested
and final grade, the quota for this N; saving, calibration, finalising and reopening.

The table draws a worksheet (``schema.worksheet``): edits stay on screen until Ctrl+S saves
the whole organisation as one commit (refused, with the numbers, while 好 is over the cap or a
departure from the suggestion has no reason). The store refuses what finalising froze.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from schema.grading import GRADES, cap_for, distribution, finalised_text
from schema.kinds import Grade
from schema.worksheet import COLUMNS, DEPARTS, MISSING_REASON, GradingWorksheet, Notice, Prompt
from store.service import StoreError
from tui.dialogs import ConfirmDialog, Dialog, reason_dialog
from tui.cells import fit_name
from tui.inline_edit import InlineEdit
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.followup import FollowupScreen
from tui.screens.history import HistoryScreen

HEADERS = {"name": ("党支部", 14), "report": ("述职", 4), "rating": ("测评", 7), "daily": ("日常", 4),
           "inspection": ("督查", 4), "composite": ("综合", 5), "rank": ("名次", 4), "suggested": ("建议", 5),
           "final": ("最终", 4), "reason": ("理由", 9)}
FLAG_STYLES = {MISSING_REASON: "bold red", DEPARTS: "bold yellow"}
PART_STYLES = {"error": "bold red", "warning": "yellow"}


class GradingScreen(AppScreen):
    SCOPE = "评定"
    BINDINGS = register(
        SCOPE,
        [
            Action("grading.good", "1", "set_final('好')", "好", "最终等次设为“好”"),
            Action("grading.fair", "2", "set_final('较好')", "较好", "最终等次设为“较好”"),
            Action("grading.average", "3", "set_final('一般')", "一般", "最终等次设为“一般”"),
            Action("grading.poor", "4", "set_final('差')", "差", "最终等次设为“差”"),
            Action("grading.clear", "0", "set_final('')", "清除", "清除最终等次", show=False),
            Action("grading.edit", "enter", "edit_cell", "修改", "修改光标所在格：述职、测评（无计票时）、日常、督查或理由", show=False),
            Action("grading.reason", "r", "edit_reason", "理由", "填写与建议不同的理由"),
            Action("grading.accept", "a", "accept", "按建议", "未定等次的党支部按建议填入", show=False),
            Action("grading.save", "ctrl+s", "save", "保存", "检查名额和理由，整个二级党组织的评定保存为一次提交"),
            Action("grading.calibrate", "c", "calibrate", "分布", "校准：建议与最终等次的分布对比"),
            Action("grading.finalise", "f", "finalise", "定档", "定档：冻结全部评定输入和等次（提交并打标签）"),
            Action("grading.reopen", "o", "reopen", "重开", "重新打开已定档的评定（需说明原因）", show=False),
            Action("grading.next", "n", "next_org", "下一单位", "下一个二级党组织", show=False),
            Action("grading.prev", "p", "prev_org", "上一单位", "上一个二级党组织", show=False),
            Action("grading.followup", "v", "followup", "反馈", "反馈、通报和约谈（本二级党组织）"),
            Action("grading.rollup", "u", "rollup", "汇总", "全校各二级党组织的评定汇总（只读）", show=False),
            Action("grading.history", "h", "history", "历史", "所选党支部本年度记录的修改历史", show=False),
            Action("grading.discard", "escape", "discard", "放弃", "放弃未保存的修改（连按两次 Esc）", show=False),
        ],
    )

    def __init__(self) -> None:
        super().__init__()
        self.sheet: GradingWorksheet | None = None

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="org", classes="subtitle")
        yield DataTable(id="grades", cursor_type="cell", zebra_stripes=True)
        yield Static(id="detail")
        yield Static(id="dist")
        yield Static(id="message")
        yield InlineEdit(id="editor")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#grades", DataTable)
        for key in COLUMNS:
            label, width = HEADERS[key]
            table.add_column(label, key=key, width=width)
        self.refresh_data()
        table.focus()

    @property
    def grading(self):
        return self.shuping.service.grading

    @property
    def org_id(self) -> str | None:
        return self.sheet.org.id if self.sheet else None

    def show_org(self, org_id: str) -> None:
        self.sheet = self.grading.worksheet(org_id, self.snap)
        self.draw()

    def refresh_data(self) -> None:
        if self.sheet is None or self.sheet.org.id not in self.snap.orgs:
            orgs = self.grading.orgs(self.snap)
            self.sheet = self.grading.worksheet(orgs[0].id, self.snap) if orgs else None
        else:
            self.sheet = self.sheet.absorb(self.grading.worksheet(self.sheet.org.id, self.snap))
        self.draw()

    # ------------------------------------------------------------------ drawing

    def draw(self) -> None:
        table = self.query_one("#grades", DataTable)
        current, column = self.current_id(), table.cursor_column
        table.clear()
        sheet = self.sheet
        if sheet is None:
            self.query_one("#org", Static).update("没有纳入考核的党支部。")
            return
        for row in sheet.rows():
            table.add_row(fit_name(row.name, HEADERS["name"][1]), row.report, row.rating, row.daily, row.inspection, row.composite, row.rank,
                          row.suggested, Text(row.final, style=FLAG_STYLES.get(row.flag, "")), row.reason, key=row.branch)
        keys = [s.branch for s in sheet.order]
        if current in keys:
            table.move_cursor(row=keys.index(current), column=column)
        header, state = sheet.header()
        self.query_one("#org", Static).update(Text.assemble(header, *((" · ", (state, "bold")) if state else ())))
        self.query_one("#dist", Static).update(Text.assemble(*((text, PART_STYLES.get(style, "")) for text, style in sheet.summary())))
        self.show_detail()
        self.show_message()
        self.show_title()

    def has_unsaved(self) -> bool:
        return self.sheet is not None and bool(self.sheet.dirty_ids())

    def discard_unsaved(self) -> None:
        if self.sheet is not None:
            self.sheet = self.grading.worksheet(self.sheet.org.id, self.snap)
            self.draw()

    def show_detail(self) -> None:
        branch_id = self.current_id()
        self.query_one("#detail", Static).update(self.sheet.detail(branch_id) if self.sheet and branch_id else "")

    hint = ""  # what the last key said that is not a refusal (“…请按 r 填写理由”)

    def show_message(self) -> None:
        message = self.query_one("#message", Static)
        refusal = self.sheet.message if self.sheet else ""
        text = refusal or self.hint
        message.update(text)
        message.set_class(bool(text), "-shown")
        message.set_class(not refusal, "-hint")

    def tell(self, notice: Notice | Prompt | None) -> None:
        """Say what the worksheet said, on the screen's own message line (a refusal in red): a
        notification would cover the table and that line for seconds."""
        self.hint = notice.text if isinstance(notice, Notice) else ""
        self.draw()

    def current_id(self) -> str | None:
        table = self.query_one("#grades", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_cell_highlighted(self, _: DataTable.CellHighlighted) -> None:
        self.show_detail()

    def on_data_table_cell_selected(self, _: DataTable.CellSelected) -> None:
        self.action_edit_cell()

    # ------------------------------------------------------------------ editing

    def action_set_final(self, grade: str) -> None:
        branch_id = self.current_id()
        if self.sheet and branch_id:
            self.tell(self.sheet.set_final(branch_id, Grade(grade) if grade else None))

    def action_accept(self) -> None:
        if self.sheet:
            self.tell(self.sheet.accept())

    def action_edit_cell(self) -> None:
        branch_id = self.current_id()
        if self.sheet and branch_id:
            self.ask(self.sheet.edit_cell(branch_id, COLUMNS[self.query_one("#grades", DataTable).cursor_column]))

    def action_edit_reason(self) -> None:
        branch_id = self.current_id()
        if self.sheet and branch_id:
            self.ask(self.sheet.reason_prompt(branch_id))

    def ask(self, prompt: Prompt | Notice | None) -> None:
        if not isinstance(prompt, Prompt):
            self.tell(prompt)
            return
        sheet = self.sheet

        def answer(text: str) -> None:
            if self.sheet is sheet:  # still the organisation asked about
                self.tell(sheet.answer(prompt, text))

        self.query_one("#editor", InlineEdit).ask(prompt.text, prompt.value, answer)

    # ------------------------------------------------------------------ saving, finalising, reopening

    def action_save(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        refused = sheet.save_check()
        if refused:
            self.tell(refused)
            return
        name = sheet.org.name
        self.commit(self.grading.save, (sheet.org.id, sheet.reviews(), dict(sheet.versions)), "未保存：",
                    lambda _: (f"{name}的评定已保存", "已保存并提交"))

    def action_finalise(self) -> None:
        if self.sheet is None:
            return
        question, org = self.sheet.finalise_question(), self.sheet.org
        if isinstance(question, Notice):
            self.tell(question)
            return
        said = lambda org_year: (f"{org.name}{finalised_text(org_year.record.grading)}", "已提交")  # noqa: E731
        self.app.push_screen(ConfirmDialog("定档", question),
                             lambda yes: yes and self.commit(self.grading.finalise, (org.id,), "未定档：", said))

    def action_reopen(self) -> None:
        if self.sheet is None:
            return
        question, org_id = self.sheet.reopen_question(), self.sheet.org.id
        if isinstance(question, Notice):
            self.tell(question)
            return
        self.app.push_screen(
            reason_dialog("重新打开评定", question),
            lambda reason: reason and self.commit(self.grading.reopen, (org_id, reason), "", lambda _: ("已重新打开评定", "已提交")),
        )

    @work(thread=True, exclusive=True, group="save")
    def commit(self, intent: Callable, args: tuple, refused: str, said: Callable[[object], tuple[str, str]]) -> None:
        """Run a grading intent off the UI thread; a refusal goes on the message line, the edits stay."""
        try:
            result = intent(*args)
        except StoreError as e:
            self.app.call_from_thread(self.refused, f"{refused}{e}")
            return
        self.shuping.take_snapshot()
        self.app.call_from_thread(self.committed, *said(result))

    def refused(self, text: str) -> None:
        if self.sheet:
            self.tell(self.sheet.refuse(text))

    def committed(self, text: str, title: str) -> None:
        if self.sheet:
            self.sheet.message = ""
        self.refresh_data()
        self.notify(text, title=title)

    # ------------------------------------------------------------------ navigation

    def switch_org(self, step: int) -> None:
        orgs = [o.id for o in self.grading.orgs(self.snap)]
        if not orgs or self.sheet is None:
            return
        refused = self.sheet.leave()
        if refused:
            self.tell(refused)
            return
        index = orgs.index(self.sheet.org.id) if self.sheet.org.id in orgs else -step
        self.show_org(orgs[(index + step) % len(orgs)])

    def action_discard(self) -> None:
        if self.sheet:
            self.tell(self.sheet.discard())

    def action_next_org(self) -> None:
        self.switch_org(1)

    def action_prev_org(self) -> None:
        self.switch_org(-1)

    def action_calibrate(self) -> None:
        if self.sheet:
            self.app.push_screen(CalibrationScreen(self.sheet))

    def action_followup(self) -> None:
        if self.sheet:
            self.app.push_screen(FollowupScreen(self.sheet.org.id))

    def action_rollup(self) -> None:
        self.app.push_screen(GradingRollupScreen())

    def action_history(self) -> None:
        branch_id = self.current_id()
        if branch_id:
            self.app.push_screen(HistoryScreen(self.snap.review(branch_id).path, self.snap.branches[branch_id].record.name))


class CalibrationScreen(Dialog):
    """The distribution of grades: suggested, final on screen, last saved; and each departure."""

    BINDINGS = [("escape,c,q", "cancel", "关闭")]
    CLOSE_ON_NAV = True  # holds nothing: a screen key closes it on the way
    KEYS_TEXT = "Esc 关闭"

    def __init__(self, sheet: GradingWorksheet):
        super().__init__(f"校准 · {sheet.org.name}", f"纳入 {len(sheet.ids)} 个 · {sheet.cap.label}")
        self.sheet = sheet

    def body(self) -> ComposeResult:
        yield DataTable(id="dist", cursor_type="none", show_cursor=False)
        departures = self.sheet.departures()
        yield Static("与建议不同：\n" + "\n".join(departures) if departures else "最终等次与建议一致。", id="departures")

    def on_mount(self) -> None:
        table = self.query_one("#dist", DataTable)
        table.add_columns("等次", "建议（调整前）", "最终（调整后）", "已保存", "变化")
        for row in self.sheet.calibration():
            table.add_row(*row)


class GradingRollupScreen(AppScreen):
    """Read-only: every organisation's final grades, the cap and whether it is finalised."""

    SCOPE = "评定汇总"
    BINDINGS = register(SCOPE, [Action("rollup.back", "escape", "back", "返回", "返回评定")])

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static("全校各二级党组织评定结果（只读；按已保存的记录）", classes="subtitle")
        yield DataTable(id="rollup", cursor_type="row", zebra_stripes=True)
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#rollup", DataTable)
        table.add_columns("二级党组织", "纳入", "上限", "好", "较好", "一般", "差", "未定", "状态")
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        snap = self.snap
        table = self.query_one("#rollup", DataTable)
        table.clear()
        totals = [0] * 7
        grading = self.shuping.service.grading
        for org in grading.orgs(snap):
            ids = grading.branch_ids(org.id, snap)
            finals = distribution([snap.review(i).record.grade.final for i in ids])
            open_ = sum(1 for i in ids if snap.review(i).record.grade.final is None)
            cap = cap_for(len(ids), snap.campaign.quota).cap
            fin = snap.org_year(org.id).record.grading
            if finals[Grade.GOOD] > cap:
                state = Text("超出名额", style="bold red")
            elif fin.finalised:
                state = Text("已定档")
            else:
                state = Text("待定档" if open_ == 0 else "评定中" if open_ < len(ids) else "未评定", style="dim")
            row = [len(ids), cap, *(finals[g] for g in GRADES), open_]
            totals = [a + b for a, b in zip(totals, row)]
            table.add_row(org.name, *row, state, key=org.id)
        table.add_row("合计", *totals, "", key="__total__")

    def action_back(self) -> None:
        self.app.pop_screen()
