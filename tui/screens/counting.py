"""After the keying: the double-entry compare screen, reconciliation, publishing and the
projector view. Results never show before the chair publishes."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from schema.ballots import KEYS, MARKS, point_problem
from schema.dates import cn_date
from schema.kinds import BallotStatus
from schema.reconcile import Mismatch, compare
from schema.tally import score_text
from store.ballots import ballot_change, load_ballots
from store.writer import Job
from store.meeting import load_meeting, publish_changes, reconcile
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.dialogs import reason_dialog
from tui.screens.keying import ballot_writer


def names_of(snap, branch_ids) -> dict[str, str]:
    return {b: snap.branches[b].record.secretary or snap.branches[b].record.name for b in branch_ids if b in snap.branches}


WHOLE = {"状态": "整张票是否有效", "票组": "评价人类别"}  # differences of the whole ballot, not of a cell


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
        self.mismatches: list[Mismatch] = []

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="summary", classes="subtitle")
        yield DataTable(id="mismatches", cursor_type="row", zebra_stripes=True)
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("票号", "列", "第一遍", "第二遍"):
            table.add_column(label)
        self.load()
        table.focus()

    def load(self) -> None:
        year = self.snap.year
        archive = self.shuping.archive
        self.meeting = load_meeting(archive, self.org, year).record
        self.first = {s: b for s, b in load_ballots(archive, self.org, year, 1).items() if b.record.status != BallotStatus.OPEN}
        self.second = {s: b for s, b in load_ballots(archive, self.org, year, 2).items() if b.record.status != BallotStatus.OPEN}
        self.mismatches = compare({s: b.record for s, b in self.first.items()}, {s: b.record for s, b in self.second.items()})
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for m in self.mismatches:
            table.add_row(str(m.serial), self.column_label(m.column) or "整张票", m.first or "（空）", m.second or "（空）")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        if not self.meeting.double_entry:
            text = "本次评议会未开启双录。"
        elif self.mismatches:
            text = f"第一遍 {len(self.first)} 张，第二遍 {len(self.second)} 张，不一致 {len(self.mismatches)} 处：逐一按 Enter 确认。"
        else:
            text = f"[green]第一遍 {len(self.first)} 张与第二遍 {len(self.second)} 张完全一致。[/]"
        self.query_one("#summary", Static).update(text)

    def column_label(self, column: str) -> str:
        if column in WHOLE:
            return WHOLE[column]
        branch, _, indicator = column.partition("/")
        name = names_of(self.snap, [branch]).get(branch, branch)
        if indicator:
            found = next((i for i in (self.meeting.frozen.indicators if self.meeting.frozen else []) if i.id == indicator), None)
            return f"{name} · {found.name if found else indicator}"
        return name

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
        if m.column in WHOLE:
            self.app.push_screen(ResolveDialog(m, WHOLE[m.column], passes=True), lambda result: self.resolved_whole(m, result))
            return
        self.app.push_screen(ResolveDialog(m, self.column_label(m.column), self.indicator_max(m.column)),
                             lambda result: self.resolved(m, result))

    def indicator_max(self, column: str):
        _, _, indicator = column.partition("/")
        if not indicator or not self.meeting.frozen:
            return None
        return next((i for i in self.meeting.frozen.indicators if i.id == indicator), None)

    def resolved(self, m: Mismatch, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        value, reason = result
        branch, _, indicator = m.column.partition("/")
        changes = []
        for stored in (self.first[m.serial], self.second[m.serial]):
            b = stored.record
            if indicator:
                points = {**b.points, branch: {**b.points.get(branch, {}), indicator: float(value)}}
                b = b.model_copy(update={"points": points})
            else:
                b = b.model_copy(update={"marks": {**b.marks, branch: value}})
            b = b.model_copy(update={"corrections": [*b.corrections, f"双录核对：{reason}"]})
            changes.append(ballot_change(b, stored.version)[0])
        org = self.snap.orgs[self.org].record.name
        message = f"双录核对：{org} 第 {m.serial} 号 {self.column_label(m.column)} → {value}"
        ballot_writer(self.app).submit(Job(changes, message, f"原因：{reason}", done=self._done))

    def resolved_whole(self, m: Mismatch, result: tuple[str, str] | None) -> None:
        """The pass that got the ballot's status or rater group right is copied onto the other."""
        if result is None:
            return
        which, reason = result
        right, wrong = (self.first, self.second) if which == "1" else (self.second, self.first)
        source, stored = right[m.serial].record, wrong[m.serial]
        fields = ("status", "reason") if m.column == "状态" else ("group",)
        fixed = stored.record.model_copy(update={f: getattr(source, f) for f in fields})
        fixed = fixed.model_copy(update={"corrections": [*fixed.corrections, f"双录核对：{reason}"]})
        value = (m.first if which == "1" else m.second) or "有效"
        org = self.snap.orgs[self.org].record.name
        message = f"双录核对：{org} 第 {m.serial} 号 {WHOLE[m.column]} 以第{'一二'[int(which) - 1]}遍为准（{value}）"
        ballot_writer(self.app).submit(Job([ballot_change(fixed, stored.version)[0]], message, f"原因：{reason}", done=self._done))

    def _done(self, sha, error) -> None:
        if error is not None:
            self.app.call_from_thread(self.notify, str(error), title="未保存", severity="error", timeout=12)
        self.app.call_from_thread(self.load)

    def action_back(self) -> None:
        self.dismiss(None)


class ResolveDialog(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    ResolveDialog { align: center middle; }
    ResolveDialog > #box { width: 64; height: auto; border: thick $accent; background: $panel; padding: 1 2; }
    """

    def __init__(self, m: Mismatch, label: str, indicator=None, passes: bool = False):
        super().__init__()
        self.m = m
        self.label = label
        self.indicator = indicator
        self.passes = passes  # the answer is which pass is right (1 or 2), not a value

    def compose(self) -> ComposeResult:
        hint = f"0–{self.indicator.max_points:g} 分" if self.indicator else "1 好 · 2 较好 · 3 一般 · 4 差 · 0 弃权 · 9 多选"
        first, second = self.m.first or ("有效" if self.passes else "（空）"), self.m.second or ("有效" if self.passes else "（空）")
        with Vertical(id="box"):
            yield Static(f"第 {self.m.serial} 号票 · {self.label}", classes="title")
            yield Static(f"第一遍：{first} · 第二遍：{second}")
            prompt = "看纸质票后，哪一遍对？（1 第一遍 · 2 第二遍）" if self.passes else f"看纸质票后的正确值（{hint}）"
            yield Input(placeholder=prompt, id="value")
            yield Input(placeholder="原因（必填，写入历史）", id="reason")
            yield Static("", id="error", classes="error")

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

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReconcileScreen(AppScreen):
    SCOPE = "计票核对"
    DEFAULT_CSS = "ReconcileScreen #counts, ReconcileScreen #verdict { padding: 0 1 1 1; }"
    BINDINGS = register(
        SCOPE,
        [
            Action("reconcile.publish", "p", "publish", "公布", "公布测评结果（未平衡时需填写原因）"),
            Action("reconcile.refresh", "r", "load", "刷新", "重新核对"),
            Action("reconcile.back", "escape", "back", "返回", "返回向导"),
        ],
    )

    def __init__(self, org: str):
        super().__init__()
        self.org = org

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="counts")
        yield Static(id="verdict")
        yield from self.footer()

    def on_mount(self) -> None:
        self.load()

    def action_load(self) -> None:
        self.load()

    def load(self) -> None:
        m = load_meeting(self.shuping.archive, self.org, self.snap.year).record
        names = names_of(self.snap, m.order)
        count = reconcile(self.shuping.archive, m, names)
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

    def action_back(self) -> None:
        self.dismiss(None)


def start_publish(screen: AppScreen, org: str, after) -> None:
    """Publish the tallies, or ask for the recorded reason to override a failed reconciliation."""
    app = screen.shuping
    snap = screen.snap
    ballot_writer(app).flush(10)
    stored = load_meeting(app.archive, org, snap.year)
    m = stored.record
    if m.published:
        screen.notify("结果已公布。")
        return
    count = reconcile(app.archive, m, names_of(snap, m.order))
    if m.frozen is None:
        screen.notify("还没有录入任何测评票，无法公布。", severity="error")
        return

    def publish(override: str | None) -> None:
        if count.problems and not override:
            return
        reviews = {b: snap.review(b) for b in count.tallies}
        changes, _, saved_reviews = publish_changes(app.archive, stored, reviews, count.tallies, count.valid,
                                                    count.invalid, override or "")
        name = snap.orgs[org].record.name
        body = f"有效票 {count.valid} 张，无效票 {count.invalid} 张。"
        if override:
            body += "\n核对未通过仍公布，原因：" + override + "\n未通过的核对：\n" + "\n".join(count.problems)

        def done(sha, error) -> None:
            if error is not None:
                app.call_from_thread(app.notify, str(error), title="未公布", severity="error", timeout=12)
                return
            app.call_from_thread(published, saved_reviews)

        def published(saved_reviews) -> None:
            app.absorb(*saved_reviews)
            app.notify(f"已公布：{name}", title="已保存并提交")
            after()

        ballot_writer(app).submit(Job(changes, f"公布测评结果：{name}（有效票 {count.valid} 张）", body, done=done))

    if count.problems:
        first = count.problems[0]
        more = f" 等 {len(count.problems)} 项" if len(count.problems) > 1 else ""
        app.push_screen(reason_dialog(f"核对未通过（{first}{more}）。仍要公布，请填写原因"), publish)
    else:
        publish("")


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
    DEFAULT_CSS = """
    ProjectorScreen { background: black; color: white; }
    ProjectorScreen #board { height: auto; }
    ProjectorScreen #big { height: 1fr; display: none; }
    ProjectorScreen #big.-on { display: block; }
    ProjectorScreen .big-row { height: 3; }
    ProjectorScreen .big-row Static { width: 1fr; height: 3; content-align: left middle; text-style: bold; color: white; }
    ProjectorScreen .big-row Digits { width: auto; color: $warning; text-style: bold; }
    """

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

    def action_page(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self.draw()

    def draw(self) -> None:
        snap = self.snap
        m = load_meeting(self.shuping.archive, self.org, snap.year).record
        org = snap.orgs[self.org].record.name
        board = self.query_one("#board", Static)
        title = Text(f"{org}\n党支部书记述职现场测评结果", style="bold bright_white", justify="center")
        if not m.published:
            self.set_pages(1)
            board.update(Text.assemble(title, "\n\n", Text("测评结果尚未公布", style="bold bright_yellow", justify="center")))
            return
        columns = m.frozen.columns if m.frozen else m.order
        height = max(6, self.size.height - 1)
        big = self.query_one("#big", Vertical)
        if self.size.width >= 100 and height >= 3 * len(columns) + 6:
            self.set_pages(1)
            self.draw_big(m, org, columns, title)
            return
        big.set_class(False, "-on")
        spacious = height >= 2 * len(columns) + 9
        per_page = max(1, (height - 7) // (2 if spacious else 1))
        pages = max(1, -(-len(columns) // per_page))
        self.set_pages(pages)
        self.page = min(self.page, pages - 1)
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
        summary = Text(f"有效票 {m.ballots.valid} 张 · 无效票 {m.ballots.invalid} 张 · {cn_date(m.held)}",
                       style="bold bright_white", justify="center")
        page = Text(f"第 {self.page + 1}/{pages} 页（PgDn 翻页）", style="bright_white", justify="center") if pages > 1 else Text("")
        from rich.console import Group

        board.update(Group(title, summary, Text(""), table, page))

    def draw_big(self, m, org: str, columns: list[str], title: Text) -> None:
        """A wide, tall screen: every secretary on one page, each score in three-line digits."""
        from textual.containers import Horizontal
        from textual.widgets import Digits

        snap = self.snap
        from rich.cells import cell_len
        from rich.console import Group

        self.query_one("#board", Static).update(Group(
            title, Text(f"有效票 {m.ballots.valid} 张 · 无效票 {m.ballots.invalid} 张 · {cn_date(m.held)}",
                        style="bold bright_white", justify="center"), Text("")))
        big = self.query_one("#big", Vertical)
        big.remove_children()
        rows = []
        for n, branch in enumerate(columns, start=1):
            tally = snap.review(branch).record.tally if branch in snap.branches else None
            name = names_of(snap, [branch]).get(branch, branch)
            counts = "  ".join(f"{g} {tally.counts.get(g, 0)}" for g in ("好", "较好", "一般", "差", "弃权")) if tally and tally.counts else ""
            score = score_text(tally.score if tally else None, "-")
            name = name + " " * max(0, 12 - cell_len(name))
            rows.append(Horizontal(Static(f"{n:>3}  {name}  {counts}"), Digits(score), classes="big-row"))
        big.mount_all(rows)
        big.set_class(True, "-on")

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["CompareScreen", "ProjectorScreen", "ReconcileScreen", "start_publish"]
