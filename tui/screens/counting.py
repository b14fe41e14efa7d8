"""After the keying: the double-entry compare screen, reconciliation, publishing (always
confirmed, on a summary of what goes out) and its withdrawal by the department, and the
projector view. Results never show before the chair publishes."""

from __future__ import annotations

from typing import Callable

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Digits, Input, Static

from schema.ballots import COUNTED, KEYS, MARKS, point_problem
from schema.dates import cn_date
from schema.reconcile import WHOLE, Mismatch, mismatch_label
from schema.tally import score_text
from store.service import StoreError
from tui.dialogs import Dialog, PromptDialog, reason_dialog, required
from tui.keys import Action, register
from tui.screens.base import AppScreen


def names_of(snap, branch_ids) -> dict[str, str]:
    return {b: snap.branches[b].record.secretary or snap.branches[b].record.name for b in branch_ids if b in snap.branches}


class CompareScreen(AppScreen):
    SCOPE = "双录核对"
    BINDINGS = register(
        SCOPE,
        [
            Action("compare.resolve", "enter", "resolve", "确认", "为所选不一致的格子填写正确值和原因（两遍一并更正）；整张票是否有效、评价人类别：看纸质票后选哪一遍对"),
            Action("compare.back", "escape", "back", "返回", "返回向导"),
        ],
    )

    def __init__(self, org: str):
        super().__init__()
        self.org = org
        self.comparison = None  # the two passes as read (store.intents.ballots.Comparison)
        self.mismatches: list[Mismatch] = []

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static("正在读取两遍录入的票……", id="summary", classes="subtitle")
        yield DataTable(id="mismatches", cursor_type="row", zebra_stripes=True)
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("票号", "列", "第一遍", "第二遍"):
            table.add_column(label)
        self.load()
        table.focus()

    @work(thread=True, exclusive=True, group="compare")
    def load(self) -> None:
        """Both passes, once the ballots still queued are committed (never on the UI thread)."""
        comparison = self.shuping.apply(self.shuping.service.ballots.compare, self.org)
        if comparison is not None:
            self.app.call_from_thread(self.show, comparison)

    def show(self, comparison) -> None:
        self.comparison = comparison
        self.mismatches = list(comparison.mismatches)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for m in self.mismatches:
            table.add_row(str(m.serial), self.paper_column(m.column), m.first or "（空）", m.second or "（空）")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        first, second = len(comparison.first), len(comparison.second)
        if not comparison.meeting.double_entry:
            text = "本次评议会未开启双录。"
        elif self.mismatches:
            text = f"第一遍 {first} 张，第二遍 {second} 张，不一致 {len(self.mismatches)} 处：逐一按 Enter 确认。"
        else:
            text = f"[green]第一遍 {first} 张与第二遍 {second} 张完全一致。[/]"
        self.query_one("#summary", Static).update(text)

    def column_label(self, column: str) -> str:
        branch = column.partition("/")[0]
        return mismatch_label(column, names_of(self.snap, [branch]), self.comparison.meeting)

    def paper_column(self, column: str) -> str:
        """Where to look on the paper ballot: the column's number there, and whose it is."""
        label = self.column_label(column) or "整张票"
        meeting = self.comparison.meeting
        columns = meeting.frozen.columns if meeting.frozen else meeting.order
        branch = column.partition("/")[0]
        return f"第 {columns.index(branch) + 1} 列 {label}" if branch in columns else label

    def on_data_table_row_selected(self, _) -> None:
        self.action_resolve()

    def action_resolve(self) -> None:
        table = self.query_one(DataTable)
        if not self.mismatches:
            return
        m = self.mismatches[table.cursor_row]
        if m.column == "":
            missing = 1 if m.first == "缺" else 2
            self.notify(f"第{'一二'[missing - 1]}遍缺第 {m.serial} 号票：请回到向导按 {'kv'[missing - 1]} 进入第{'一二'[missing - 1]}遍录票，"
                        "看纸质票补录（不看另一遍）。", severity="warning", timeout=10)
            return
        comparison = self.comparison
        if m.column in WHOLE:
            dialog = ResolveDialog(m, WHOLE[m.column], passes=True)
        else:
            dialog = ResolveDialog(m, self.paper_column(m.column), self.indicator_max(m.column))
        self.app.push_screen(dialog, lambda result: self.resolved(comparison, m, result))

    def indicator_max(self, column: str):
        _, _, indicator = column.partition("/")
        frozen = self.comparison.meeting.frozen
        if not indicator or not frozen:
            return None
        return next((i for i in frozen.indicators if i.id == indicator), None)

    def resolved(self, comparison, m: Mismatch, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        value, reason = result
        try:
            self.shuping.service.ballots.resolve(comparison, m, value, reason, done=self._done)
        except StoreError as e:
            self.notify(str(e), title="未保存", severity="error", timeout=12)

    def _done(self, sha, error) -> None:
        """On the writer thread: read both passes again."""
        if error is not None:
            self.app.call_from_thread(self.notify, str(error), title="未保存", severity="error", timeout=12)
        self.app.call_from_thread(self.load)

    def action_back(self) -> None:
        self.dismiss(None)


class ResolveDialog(Dialog):
    """The right value of one cell (or which pass is right about the whole ballot) and why."""

    def __init__(self, m: Mismatch, label: str, indicator=None, passes: bool = False):
        first, second = m.first or ("有效" if passes else "（空）"), m.second or ("有效" if passes else "（空）")
        super().__init__(f"第 {m.serial} 号票 · {label}", f"第一遍：{first} · 第二遍：{second}")
        self.m = m
        self.indicator = indicator
        self.passes = passes  # the answer is which pass is right (1 or 2), not a value

    def body(self) -> ComposeResult:
        hint = f"0–{self.indicator.max_points:g} 分" if self.indicator else "1好 2较好 3一般 4差 0弃权 9多选"
        prompt = "哪一遍对？1 第一遍 · 2 第二遍" if self.passes else f"正确值：{hint}"
        yield Static(f"看纸质票后填写。{prompt}", classes="dialog-text", id="hint")
        yield Input(placeholder=prompt, id="value")
        yield Static("", id="echo")
        yield Input(placeholder="原因（必填，写入历史）", id="reason")
        yield Static("", id="error", classes="error")

    def on_input_changed(self, event: Input.Changed) -> None:
        """The value typed, echoed in words (2 → 较好)."""
        if event.input.id != "value":
            return
        raw = event.value.strip()
        value = self.value() if raw else None
        if not raw:
            text = ""
        elif value is None:
            text = "（不是有效的值）"
        elif self.passes:
            text = f"→ 以第{'一二'[int(value) - 1]}遍为准"
        else:
            text = f"→ {value}" + (" 分" if self.indicator else "")
        self.query_one("#echo", Static).update(text)

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def value(self) -> str | None:
        raw = self.query_one("#value", Input).value.strip()
        if self.passes:
            return raw if raw in ("1", "2") else None
        if self.indicator:
            try:
                number = float(raw)
            except ValueError:
                return None
            return None if point_problem(number, self.indicator) else f"{number:g}"
        if raw in KEYS:
            return KEYS[raw]
        return raw if raw in MARKS else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "value":
            self.query_one("#reason", Input).focus()
            return
        value = self.value()
        reason = self.query_one("#reason", Input).value.strip()
        if value is None:
            self.query_one("#error", Static).update("正确值无效，请按提示填写。")
            self.query_one("#value", Input).focus()
        elif not reason:
            self.query_one("#error", Static).update("请填写原因。")
        else:
            self.dismiss((value, reason))


class ReconcileScreen(AppScreen):
    SCOPE = "计票核对"
    BINDINGS = register(
        SCOPE,
        [
            Action("reconcile.publish", "p", "publish", "公布", "公布测评结果：先看要公布的内容再确认（未平衡时需填写原因）"),
            Action("reconcile.withdraw", "w", "withdraw", "撤回公布", "撤回已公布的测评结果（仅组织部，定档之前；需填原因）"),
            Action("reconcile.refresh", "r", "load", "刷新", "重新核对"),
            Action("reconcile.back", "escape", "back", "返回", "返回向导"),
        ],
    )

    def __init__(self, org: str):
        super().__init__()
        self.org = org

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static("正在核对……", id="counts")
        yield Static(id="verdict")
        yield from self.footer()

    def on_mount(self) -> None:
        self.load()

    def action_load(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="reconcile")
    def load(self) -> None:
        """Count the committed ballots, once those still queued are committed (never on the UI thread)."""
        result = self.shuping.apply(self.shuping.service.meeting.reconcile, self.org)
        if result is not None:
            self.app.call_from_thread(self.show, result)

    def show(self, result) -> None:
        m, count = result.meeting, result.count
        due = sum(a.due for a in m.attendance)
        present = sum(a.present for a in m.attendance)
        c = m.ballots
        self.query_one("#counts", Static).update(
            f"应到 {due} 人 · 实到 {present} 人\n"
            f"发出 {c.issued} 张 · 收回 {c.collected} 张 · 未收回 {c.not_returned} 张（在“设置”中填写）\n"
            f"已录入并计入：有效 {count.valid} 张 · 无效 {count.invalid} 张"
            + (" · 双录核对" if m.double_entry else " · 未双录")
        )
        if count.problems:
            text = "[b red]核对未通过：[/]\n" + "\n".join(f"[red]• {p}[/]" for p in count.problems)
        else:
            text = "[b green]全部平衡：每位书记 好+较好+一般+差+弃权 均等于有效票数。可以公布。[/]"
        self.query_one("#verdict", Static).update(text)

    def action_publish(self) -> None:
        start_publish(self, self.org, self.load)

    def action_withdraw(self) -> None:
        service = self.shuping.service
        if not self.snap.meeting(self.org).record.published:
            self.notify("测评结果尚未公布，无需撤回。")
            return
        refused = service.meeting.may_withdraw()
        if refused:
            self.notify(refused, title="不能撤回", severity="error", timeout=12)
            return
        self.app.push_screen(reason_dialog(
            "撤回已公布的测评结果",
            "各书记的得票将从评议记录中移除，评议会改回未公布；撤回和原因记入评议会记录和历史。定档之后不能撤回。"),
            lambda reason: reason and self.run_worker(lambda: self.withdraw(reason), thread=True, group="publish"))

    def withdraw(self, reason: str) -> None:
        app = self.shuping
        try:
            app.service.meeting.withdraw(self.org, reason)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title="未撤回", severity="error", timeout=12)
            return
        app.take_snapshot()
        app.call_from_thread(app.notify, "已撤回测评结果", title="已保存并提交")
        app.call_from_thread(self.load)

    def action_back(self) -> None:
        self.dismiss(None)


class PublishDialog(Dialog):
    """What publishing will make public, confirmed with y (Enter alone never publishes)."""

    BINDINGS = [("escape", "cancel", "取消"), ("y", "confirm", "确认公布")]
    KEYS_TEXT = "y 确认公布 · Esc 取消（Enter 不会公布）"

    def __init__(self, org_name: str, result, names: dict[str, str], reason: str = ""):
        count = result.count
        override = f"\n核对未通过仍公布，原因：{reason}" if reason else ""
        super().__init__(f"公布测评结果：{org_name}",
                         f"有效票 {count.valid} 张 · 无效票 {count.invalid} 张{override}")
        self.result, self.names = result, names

    def body(self) -> ComposeResult:
        count = self.result.count
        meeting = self.result.meeting
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("序", justify="right")
        table.add_column("书记", no_wrap=True, max_width=12)
        grades = not (meeting.frozen and meeting.frozen.indicators)
        for g in (COUNTED if grades else []):
            table.add_column(g, justify="right")
        table.add_column("得分", justify="right")
        columns = meeting.frozen.columns if meeting.frozen else meeting.order
        for n, branch in enumerate(columns, start=1):
            tally = count.tallies.get(branch)
            cells = [str(n), self.names.get(branch, branch)]
            cells += [str(tally.counts.get(g, 0)) if tally else "—" for g in (COUNTED if grades else [])]
            table.add_row(*cells, score_text(tally.score if tally else None))
        yield Static(table, classes="dialog-text")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def start_publish(screen: AppScreen, org: str, after: Callable[[], object]) -> None:
    """Publish the tallies: first, where the reconciliation failed, the reason to publish
    anyway (every problem listed), then always a confirmation showing what will be published.
    The counting and the commit run in a worker; the intent refuses what may not be published
    (already published, no ballot yet)."""
    app = screen.shuping

    def check() -> None:
        result = app.apply(app.service.meeting.reconcile, org)
        if result is not None:
            app.call_from_thread(ask, result)

    def ask(result) -> None:
        if result.published:
            screen.notify("结果已公布。")
        elif result.meeting.frozen is None:
            screen.notify("还没有录入任何测评票，无法公布。", severity="error")
        elif result.count.problems:
            problems = result.count.problems
            text = ("未通过的核对：\n" + "\n".join(f"• {p}" for p in problems)
                    + "\n仍要公布，请填写原因（写入评议会记录和历史）；Esc 不公布。")
            app.push_screen(PromptDialog(f"核对未通过（{len(problems)} 项），仍要公布吗？", text,
                                         placeholder="仍要公布的原因（必填）", validate=required("原因")),
                            lambda reason: reason and confirm(result, reason))
        else:
            confirm(result, "")

    def confirm(result, reason: str) -> None:
        name = screen.snap.orgs[org].record.name
        meeting = result.meeting
        names = names_of(screen.snap, meeting.frozen.columns if meeting.frozen else meeting.order)
        app.push_screen(PublishDialog(name, result, names, reason), lambda yes: yes and publish(reason))

    def publish(reason: str) -> None:
        screen.run_worker(lambda: commit(reason), thread=True, group="publish")  # a second one is refused by the intent

    def commit(reason: str) -> None:
        name = screen.snap.orgs[org].record.name
        try:
            app.service.meeting.publish(org, reason)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title="未公布", severity="error", timeout=12)
            return
        app.take_snapshot()
        app.call_from_thread(app.notify, f"已公布：{name}", title="已保存并提交")
        app.call_from_thread(after)

    screen.run_worker(check, thread=True, group="publish", exclusive=True)


BARS = 2  # the footer and the navigation bar under the projector
BIG_ROW = 3  # lines per secretary in large digits
BIG_WIDTH = 80  # columns needed for a name, the five counts and the score in large digits


class ProjectorScreen(AppScreen):
    """Large, high-contrast figures for the room; nothing before publishing."""

    SCOPE = "投影"
    BINDINGS = register(
        SCOPE,
        [
            Action("projector.next", "pagedown", "page(1)", "下一页", "结果较多时翻页"),
            Action("projector.prev", "pageup", "page(-1)", "上一页", "结果较多时翻页", show=False),
            Action("projector.back", "escape", "back", "返回", "关闭投影"),
        ],
    )
    def __init__(self, org: str):
        super().__init__()
        self.org = org
        self.page = 0
        self.pages = 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Paging keys only when the results take more than one page (else hidden from the footer)."""
        return self.pages > 1 if action == "page" else True

    def set_pages(self, pages: int) -> None:
        if pages != self.pages:
            self.pages = pages
            self.refresh_bindings()

    def compose(self) -> ComposeResult:
        yield Static(id="board")
        yield Vertical(id="big")
        yield from self.footer()

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self, _) -> None:
        self.draw()

    def refresh_data(self) -> None:
        self.draw()

    def action_page(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self.draw()

    def draw(self) -> None:
        snap = self.snap
        m = snap.meeting(self.org).record
        org = snap.orgs[self.org].record.name
        board = self.query_one("#board", Static)
        title = Text(f"{org}\n党支部书记述职现场测评结果", style="bold bright_white", justify="center")
        if not m.published:
            self.set_pages(1)
            board.update(Text.assemble(title, "\n\n", Text("测评结果尚未公布", style="bold bright_yellow", justify="center")))
            return
        columns = m.frozen.columns if m.frozen else m.order
        summary = f"有效票 {m.ballots.valid} 张 · 无效票 {m.ballots.invalid} 张 · {cn_date(m.held)}"
        rows = (self.size.height - BARS - 3) // BIG_ROW  # under the title and the summary line
        if self.size.width >= BIG_WIDTH and rows >= 1:
            self.draw_big(m, columns, title, summary, rows)
            return
        self.query_one("#big", Vertical).set_class(False, "-on")
        height = max(6, self.size.height - 1)
        spacious = height >= 2 * len(columns) + 9
        per_page = max(1, (height - 7) // (2 if spacious else 1))
        pages = self.turn_to(columns, per_page)
        shown = columns[self.page * per_page:(self.page + 1) * per_page]
        table = Table(expand=True, show_edge=False, header_style="bold bright_yellow", padding=(0, 1),
                      style="bright_white", border_style="bright_white")
        indicators = bool(m.frozen and m.frozen.indicators)
        table.add_column("序", justify="right", style="bold bright_white")
        table.add_column("党支部书记", style="bold bright_white", no_wrap=True)
        if not indicators:
            for g in ("好", "较好", "一般", "差", "弃权"):
                table.add_column(g, justify="right", style="bold bright_white")
        table.add_column("得分", justify="right", style="bold bright_cyan")
        start = self.page * per_page
        for n, branch in enumerate(shown, start=start + 1):
            tally = snap.review(branch).record.tally if branch in snap.branches else None
            name = names_of(snap, [branch]).get(branch, branch)
            score = score_text(tally.score if tally else None)
            cells = [str(n), name]
            if not indicators:
                cells += [str(tally.counts.get(g, 0)) if tally else "—" for g in ("好", "较好", "一般", "差", "弃权")]
            table.add_row(*cells, score, end_section=spacious)
        page = Text(f"第 {self.page + 1}/{pages} 页（PgDn 翻页）", style="bright_white", justify="center") if pages > 1 else Text("")
        board.update(Group(title, Text(summary, style="bold bright_white", justify="center"), Text(""), table, page))

    def turn_to(self, columns: list[str], per_page: int) -> int:
        """Split the secretaries into pages of ``per_page``; keep the page shown within them."""
        pages = max(1, -(-len(columns) // per_page))
        self.set_pages(pages)
        self.page = min(self.page, pages - 1)
        return pages

    def draw_big(self, m, columns: list[str], title: Text, summary: str, rows: int) -> None:
        """From 80×24 up: each score in three-line digits, a row per secretary, as many rows as
        the screen holds (paged with PgDn/PgUp); a blank line under the summary where all fit."""
        snap = self.snap
        pages = self.turn_to(columns, rows)
        if pages > 1:
            summary += f" · 第 {self.page + 1}/{pages} 页（PgDn 翻页）"
        spare = pages == 1 and (self.size.height - BARS - 4) // BIG_ROW >= len(columns)
        self.query_one("#board", Static).update(Group(
            title, Text(summary, style="bold bright_white", justify="center"), *([Text("")] if spare else [])))
        big = self.query_one("#big", Vertical)
        big.remove_children()
        shown = []
        start = self.page * rows
        for n, branch in enumerate(columns[start:start + rows], start=start + 1):
            tally = snap.review(branch).record.tally if branch in snap.branches else None
            name = names_of(snap, [branch]).get(branch, branch)
            counts = "  ".join(f"{g} {tally.counts.get(g, 0)}" for g in ("好", "较好", "一般", "差", "弃权")) if tally and tally.counts else ""
            score = score_text(tally.score if tally else None, "-")
            name = name + " " * max(0, 12 - cell_len(name))
            shown.append(Horizontal(Static(f"{n:>3}  {name}  {counts}"), Digits(score), classes="big-row"))
        big.mount_all(shown)
        big.set_class(True, "-on")

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["CompareScreen", "ProjectorScreen", "PublishDialog", "ReconcileScreen", "start_publish"]
