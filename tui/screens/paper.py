"""Entering the results of a meeting counted on paper: the counters' tally sheet (有效票, 无效票,
and per secretary 好/较好/一般/差/弃权) typed in, checked as it is typed, then published as one
commit, the same as publishing keyed ballots."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Static

from schema.ballots import COUNTED
from schema.dates import cn_date
from schema.paper import paper_blockers, paper_problems, paper_tallies, parse_count, sheet_groups
from schema.tally import score_text
from store.service import StoreError
from tui.dialogs import reason_dialog
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.counting import names_of


def can_enter_paper(screen: AppScreen, org: str) -> bool:
    """Whether the sheet can be entered; if not, say why."""
    meeting = screen.snap.meeting(org).record
    blockers = paper_blockers(meeting, screen.snap.campaign.scoring)
    if blockers:
        screen.notify("；".join(blockers) + "。", title="不能录入纸质计票", severity="warning", timeout=8)
    return not blockers


class PaperCountScreen(AppScreen):
    SCOPE = "纸质计票"
    BINDINGS = register(
        SCOPE,
        [
            Action("paper.publish", "ctrl+s", "publish", "公布", "校验计票单并公布测评结果（一次提交）"),
            Action("paper.down", "down", "move(1)", "下一行", "到下一位书记的同一列", show=False, priority=True),
            Action("paper.up", "up", "move(-1)", "上一行", "到上一位书记的同一列", show=False, priority=True),
            Action("paper.back", "escape", "back", "返回", "返回向导（有未公布的数字时先问：公布、放弃还是取消）"),
        ],
    )
    def __init__(self, org: str):
        super().__init__()
        self.org = org

    def compose(self) -> ComposeResult:
        snap = self.snap
        self.meeting = m = snap.meeting(self.org).record
        self.names = names_of(snap, m.order)
        self.groups = sheet_groups(snap.campaign.scoring)
        self.lines = [(branch, group) for branch in m.order for group in self.groups]  # one row per sheet line
        yield from self.title_bar()
        held = cn_date(m.held) if m.held else "日期未填"
        b = m.ballots
        yield Static(f"{snap.orgs[self.org].record.name} · {held} · 发出 {b.issued} · 收回 {b.collected} · "
                     f"未收回 {b.not_returned}（在设置中修改）", classes="subtitle")
        with Horizontal(id="totals"):
            for k, group in enumerate(self.groups):
                yield Label(f"{group}有效票" if group else "有效票")
                yield Input(id=f"valid-{k}", type="integer",
                            value="" if group else str(b.valid or b.collected or ""))
            yield Label("无效票")
            yield Input(id="invalid", type="integer", value=str(b.invalid))
        with Horizontal(classes="sheet-row"):
            yield Label("述职人", classes="who")
            yield Label("评价人类别" if self.groups != [""] else "", classes="group")
            for grade in COUNTED:
                yield Static(grade, classes="count")
            yield Static("合计 · 得分", classes="sum")
        with VerticalScroll(id="sheet", can_focus=False):  # Tab goes cell to cell
            for line, (branch, group) in enumerate(self.lines):
                n = m.order.index(branch)
                first = group == self.groups[0]
                who = f"{n + 1}. {self.names.get(branch, branch)}" if first else ""
                with Horizontal(classes="sheet-row"):
                    yield Label(who, classes="who")
                    yield Label(group, classes="group")
                    for c, grade in enumerate(COUNTED):
                        yield Input(id=f"c-{line}-{c}", classes="count", placeholder="0", tooltip=grade)
                    yield Static(id=f"sum-{line}", classes="sum")
        yield Static(id="problems", classes="error")
        yield from self.footer()

    def on_mount(self) -> None:
        self.pristine = self.sheet_state()
        self.check()
        self.query_one("#valid-0", Input).focus()

    def sheet_state(self) -> tuple[str, ...]:
        return tuple(i.value for i in self.query(Input))

    def read(self) -> tuple[dict[str, int], int, dict[str, dict[str, dict[str, int]]], list[str]]:
        """The sheets as typed: valid per group, invalid, branch → group → counts, and what cannot be read."""
        errors = []
        valid = {}
        for k, group in enumerate(self.groups):
            value, error = parse_count(self.query_one(f"#valid-{k}", Input).value, f"{group}有效票")
            valid[group] = value or 0
            errors += [error] if error else []
        invalid, error = parse_count(self.query_one("#invalid", Input).value, "无效票")
        errors += [error] if error else []
        rows: dict[str, dict[str, dict[str, int]]] = {}
        for line, (branch, group) in enumerate(self.lines):
            counts = {}
            where = f"{self.names.get(branch, branch)}{f'（{group}）' if group else ''}"
            for c, grade in enumerate(COUNTED):
                value, error = parse_count(self.query_one(f"#c-{line}-{c}", Input).value, f"{where}「{grade}」")
                errors += [error] if error else []
                counts[grade] = value or 0
            rows.setdefault(branch, {})[group] = counts
        return valid, invalid or 0, rows, errors

    def check(self) -> tuple[dict, list[str], list[str], int, int]:
        valid, invalid, rows, errors = self.read()
        scoring = self.snap.campaign.scoring
        tallies = paper_tallies(rows, scoring)
        row_problems, count_problems = paper_problems(self.meeting, rows, self.names, valid, invalid, scoring.quorum)
        for line, (branch, group) in enumerate(self.lines):
            total = sum(rows[branch][group].values())
            mark = "" if total == valid[group] else f" ≠ {valid[group]}"
            score = score_text(tallies[branch].score) if group == self.groups[-1] else ""
            self.query_one(f"#sum-{line}", Static).update(f"{total}{mark}" + (f" · {score}" if score else ""))
        blocking = errors + row_problems
        shown = blocking + [f"（可填写原因后公布）{p}" for p in count_problems]
        more = f"\n…… 共 {len(shown)} 项" if len(shown) > 5 else ""
        self.query_one("#problems", Static).update("\n".join(shown[:5]) + more)
        return tallies, blocking, count_problems, sum(valid.values()), invalid

    def on_input_changed(self, _: Input.Changed) -> None:
        self.check()  # the title's 未保存 follows too (AppScreen)

    def has_unsaved(self) -> bool:
        return getattr(self, "pristine", None) is not None and self.sheet_state() != self.pristine

    def discard_unsaved(self) -> None:
        for box, value in zip(self.query(Input), self.pristine):
            box.value = value

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.focus_next()

    def action_move(self, step: int) -> None:
        focused = self.focused
        if not isinstance(focused, Input) or not (focused.id or "").startswith("c-"):
            self.focus_next() if step > 0 else self.focus_previous()
            return
        _, line, c = focused.id.split("-")
        target = int(line) + step
        if 0 <= target < len(self.lines):
            self.query_one(f"#c-{target}-{c}", Input).focus()

    def action_publish(self) -> None:
        _, blocking, count_problems, _, _ = self.check()
        if blocking:
            self.notify(f"计票单有 {len(blocking)} 处不对：{blocking[0]}", title="未公布", severity="error", timeout=10)
            return
        valid, invalid, rows, _ = self.read()
        if count_problems:
            more = f" 等 {len(count_problems)} 项" if len(count_problems) > 1 else ""
            self.app.push_screen(reason_dialog(f"核对未通过（{count_problems[0]}{more}）。仍要公布，请填写原因"),
                                 lambda reason: reason and self.publish(rows, valid, invalid, reason))
        else:
            self.publish(rows, valid, invalid, "")

    def action_save(self) -> None:
        """保存 in the question on leaving: the sheet is saved by publishing it."""
        self.action_publish()

    @work(thread=True, exclusive=True, group="save")
    def publish(self, rows, valid: dict[str, int], invalid: int, reason: str) -> None:
        """Publish the sheets as typed (the intent checks them again) as one commit."""
        name = self.snap.orgs[self.org].record.name
        try:
            self.shuping.service.meeting.publish_tally(self.org, rows, valid, invalid, reason)
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title="未公布", severity="error", timeout=12)
            return
        self.shuping.take_snapshot()
        self.app.call_from_thread(self.notify, f"已公布：{name}", title="已保存并提交")
        self.app.call_from_thread(self.dismiss, None)

    def action_back(self) -> None:
        self.leave(lambda: self.dismiss(None))


__all__ = ["PaperCountScreen", "can_enter_paper"]
