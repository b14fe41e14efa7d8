"""Ballot keying: one row per paper ballot, one column per secretary (or per indicator).

Built for speed: one key per mark, the cursor advances by itself, Enter finishes the
ballot. Nothing here waits for git: marks go to the draft and finished ballots to the
commit queue of the one background writer; rows show 保存中 until the commit is done, and ✓
only then. A failed commit turns its row red with the reason in the status line; the writer
holds every later commit back until it goes in (by itself, or on r). Messages go to the
status line under the grid, never to toasts over it.
"""

from __future__ import annotations

import gc
import time
from typing import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.app import ComposeResult
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from schema.ballots import ABSTAIN, KEYS, OVERMARKED, SHORT, indicator_columns
from schema.keying import PASS_NAMES, KeyingSheet, Row, Step
from schema.kinds import BallotForm, BallotStatus
from schema.records import Ballot
from store.service import StoreError
from tui.dialogs import ConfirmDialog, reason_dialog
from tui.keys import Action, key_actions, register
from tui.screens.base import AppScreen

SCREEN_ACTIONS = {"keying.finish", "keying.invalid", "keying.group"}  # run by the grid itself, in key order
MARK_IDS = {"好": "good", "较好": "fairly_good", "一般": "average", "差": "poor",  # the keymap ids keying.mark_*
            ABSTAIN: "abstain", OVERMARKED: "overmarked"}
MARK_OF = {f"keying.mark_{name}": mark for mark, name in MARK_IDS.items()}  # action id → mark
GRID_KEYS = frozenset(("backspace", "left", "right", "up", "down", "home", "end", "space", "tab"))
CELL = 5  # display width of one cell, the separator included
ACK_QUIET = 0.1  # seconds without a key after which a commit shows as saved at once
HEAD = 11  # the row header: serial (4), a space, state (1), group (two CJK characters, 4), a space
LOADING = "正在读取已录入的票……"
RETRYING = "[b yellow]正在重试提交……[/]"


class DraftSaved(Message):
    """Every draft handed in so far is on disk (posted from the drafts' thread)."""


class BallotSaved(Message):
    def __init__(self, serial: int, error: str = ""):
        super().__init__()
        self.serial = serial
        self.error = error


S_HEAD = Style(bold=True, color="bright_white", bgcolor="grey23")
S_LEGEND = Style(bold=True, color="bright_cyan")
S_CELL = Style(color="white")
S_CURSOR = Style(bold=True, color="black", bgcolor="bright_yellow")
S_OPEN = Style(bold=True, color="bright_white")
S_SAVED = Style(color="bright_green")
S_SAVING = Style(color="yellow")
S_INVALID = Style(color="bright_red", strike=True)
S_DIRTY = Style(color="bright_magenta", bold=True)
S_FAILED = Style(bold=True, color="bright_white", bgcolor="red")


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


class BallotGrid(Widget, can_focus=True):
    """Draws a ``KeyingSheet`` and hands it the keys; the screen saves."""

    class Moved(Message):
        """Cursor or content changed: the screen updates its status lines."""

    class Refused(Message):
        """A key the sheet refused, and why."""

        def __init__(self, text: str):
            super().__init__()
            self.text = text

    def __init__(self, sheet: KeyingSheet, labels: list[str], on_edit: Callable[[Ballot], None], **kwargs):
        super().__init__(**kwargs)
        self.sheet = sheet
        self.labels = labels  # per column: who the column is, for the legend line
        self.on_edit = on_edit  # the open ballot's marks changed: its draft
        self.early: list[tuple[str, str | None, float]] = []  # keys typed before the ballots were read
        self.timings: list[float] = []  # key event → cell on screen, seconds
        self.track = True
        self.last_key = 0.0  # monotonic time of the last change on screen
        self._drawn: tuple | None = None

    # ------------------------------------------------------------------ drawing

    def window(self) -> tuple[int, int]:
        """(first visible row, first visible column) for the cursor."""
        sheet = self.sheet
        ncols = max(1, (self.size.width - HEAD) // CELL)
        body = max(1, self.size.height - 2)
        return max(0, sheet.row - body + 1), max(0, min(sheet.col, len(sheet.cells) - 1) - ncols + 1)

    def refresh_changed(self) -> None:
        """Redraw only the lines a key changed: the legend, and the rows the cursor left and entered.
        Everything moves (a full redraw) when the visible window scrolls."""
        sheet = self.sheet
        window = self.window()
        previous = self._drawn
        self._drawn = (window, sheet.row, len(sheet.rows))
        if previous is None or previous[0] != window or previous[2] != len(sheet.rows):
            self.refresh()
            return
        width = self.size.width
        top = window[0]
        for line in {0, sheet.row - top + 2, previous[1] - top + 2}:
            self.refresh(Region(0, line, width, 1))

    def refresh_row(self, index: int) -> None:
        """Redraw one ballot's line, if it is in view."""
        line = index - self.window()[0] + 2
        if 2 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def legend(self) -> str:
        sheet = self.sheet
        if not sheet.loaded:
            return LOADING
        if not sheet.at_end:
            return f"第 {sheet.col + 1} 列：{self.labels[sheet.col] if sheet.col < len(self.labels) else ''}"
        return "本票已录完：按 Enter 完成并保存"

    def render_line(self, y: int) -> Strip:
        # drawn here, not in a Static beside the grid: a Static's update re-lays out the screen on every key
        sheet = self.sheet
        width = self.size.width
        if y == 0:
            return Strip([Segment(" " + self.legend(), S_LEGEND)]).adjust_cell_length(width)
        y -= 1
        ncols = max(1, (width - HEAD) // CELL)
        top, first_col = self.window()
        visible = range(first_col, min(len(sheet.cells), first_col + ncols))
        if y == 0:
            segs = [Segment(_pad(" 票号", HEAD), S_HEAD)]
            for c in visible:
                segs.append(Segment(_pad(f"{c + 1}", CELL), S_HEAD))  # over the cell's left-aligned mark
            return Strip(segs).adjust_cell_length(width, S_HEAD)
        index = top + y - 1
        if index >= len(sheet.rows):
            return Strip.blank(width)
        row = sheet.rows[index]
        b = row.ballot
        if row.error:
            state, style = "!", S_FAILED
        elif b.status == BallotStatus.INVALID:
            state, style = "✗", S_INVALID
        elif row.dirty:
            state, style = "改", S_DIRTY
        elif b.status == BallotStatus.OPEN:
            state, style = "✎", S_OPEN
        elif row.saving:
            state, style = "…", S_SAVING
        else:
            state, style = "✓", S_SAVED
        group = b.group[:2] if b.group else ""
        segs = [Segment(_pad(f"{b.serial:>4} {state}{group}", HEAD), style)]
        for c in visible:
            text = sheet.value(row, c)
            if sheet.cells[c][1] == "":
                text = SHORT.get(text, text)
            if index == sheet.row and c == sheet.col:
                if sheet.buffer:
                    text = sheet.buffer
                segs.append(Segment(_pad(text, CELL - 1), S_CURSOR))
                segs.append(Segment(" ", S_CELL))
            else:
                segs.append(Segment(_pad(text, CELL), style if b.status == BallotStatus.INVALID else S_CELL))
        return Strip(segs).adjust_cell_length(width)

    def changed(self, at: float | None = None) -> None:
        """The sheet changed (``at``: when its key was typed, for the timings)."""
        self.refresh_changed()
        self.last_key = time.monotonic()
        if at is not None and self.track:
            self.call_after_refresh(lambda: self.timings.append(time.monotonic() - at))
        self.post_message(self.Moved())

    # ------------------------------------------------------------------ keys

    def on_key(self, event: events.Key) -> None:
        if self.take(event.key, event.character, event.time):
            event.stop()
            event.prevent_default()

    def take(self, key: str, char: str | None, at: float) -> bool:
        """One key, as the user's keymap binds it: the screen's (finish, invalidate, group) run
        now, in key order (a binding would run after keys already queued); the sheet's change
        it. Whether it was ours."""
        action = key_actions(self.app, KeyingScreen.SCOPE).get(key)
        if not self.sheet.loaded:  # kept, in order, until the ballots are read
            if key in GRID_KEYS or (len(key) == 1 and key.isdigit()) or (
                    action is not None and (action.id in SCREEN_ACTIONS or action.id in MARK_OF)):
                self.early.append((key, char, at))
                return True
            return False
        if action is not None and action.id in SCREEN_ACTIONS:
            getattr(self.screen, f"action_{action.action}")()
            return True
        if self.beyond(key, action):
            self.screen.ask_beyond(key, char, at)
            return True
        return self.apply(self.sheet.press(key, char, MARK_OF.get(action.id) if action else None), at)

    def beyond(self, key: str, action) -> bool:
        """Whether ``key`` would start keying a ballot past the number collected, not yet agreed to."""
        screen = self.screen
        row = self.sheet.current
        return (0 < screen.collected < row.ballot.serial and row.ballot.status == BallotStatus.OPEN
                and row.ballot.serial not in screen.beyond_ok
                and ((action is not None and action.id in MARK_OF) or (len(key) == 1 and key.isdigit())))

    def apply(self, step: Step, at: float | None = None) -> bool:
        """Show what a key did: a refusal with its reason, the open ballot's draft, the redraw."""
        if step.problem:
            if step.bell:
                self.app.bell()
            self.post_message(self.Refused(step.problem))
        edited = step.edited
        if edited is not None and edited.ballot.status == BallotStatus.OPEN:
            self.on_edit(edited.ballot)
        if step.handled:
            self.changed(at)
        return step.handled

    def opened(self) -> None:
        """The ballots are read: draw them and apply the keys typed meanwhile."""
        self._drawn = None
        self.refresh_changed()
        early, self.early = self.early, []
        for key, char, at in early:
            self.take(key, char, at)


class KeyingScreen(AppScreen):
    SCOPE = "录入测评票"
    BINDINGS = register(
        SCOPE,
        [
            Action("keying.finish", "enter", "finish", "完成本票", "完成并保存当前这张票（改过的已存票：保存更正，需填原因）"),
            Action("keying.invalid", "x", "invalidate", "作废", "宣布光标所在的票无效（需填原因）"),
            Action("keying.group", "g", "next_group", "票组", "切换下一张票的评价人类别（A票/B票…）"),
            *[Action(f"keying.mark_{MARK_IDS[mark]}", key, f"mark('{mark}')", mark,
                     f"在光标所在格记“{mark}”，光标右移" + ("（按计票规则处理）" if mark == OVERMARKED else ""),
                     show=mark != OVERMARKED) for key, mark in KEYS.items()],
            Action("keying.retry", "r", "retry", "重试", "立即重试未能提交的票（红色行）", show=False),
            Action("keying.back", "escape", "back", "返回", "回到评议会向导（有未保存的更正时先询问）"),
        ],
    )

    def __init__(self, org: str, entry: int = 1):
        super().__init__()
        self.org = org
        self.entry = entry
        self.enter_times: dict[int, float] = {}  # serial → monotonic time of Enter
        self.enter_to_commit: list[float] = []
        self._message = ""
        self._shown = ""
        self._info = ""
        self._acked: list[int] = []  # serials committed, not yet shown as saved
        self.collected = 0  # ballots collected at the meeting (0: not filled in)
        self.beyond_ok: set[int] = set()  # serials past ``collected`` the operator agreed to key

    def compose(self) -> ComposeResult:
        snap = self.snap
        meeting = snap.meeting(self.org).record  # the snapshot has the meeting's queued changes
        self.collected = meeting.ballots.collected
        frozen = meeting.frozen
        form = frozen.form if frozen else meeting.form
        self.columns = list(frozen.columns if frozen else meeting.order)
        indicators = (frozen.indicators if frozen else snap.campaign.indicators) if form == BallotForm.INDICATORS else []
        groups = [g.name for g in (frozen.scoring if frozen else snap.campaign.scoring).rater_groups]
        cells = indicator_columns(self.columns, indicators) if indicators else [(c, "") for c in self.columns]
        self.sheet = KeyingSheet(self.org, snap.year, self.entry, cells, {i.id: i for i in indicators}, groups)
        yield from self.title_bar()
        yield Static(id="info", classes="subtitle")
        self.grid = BallotGrid(self.sheet, [self.column_label(b, i) for b, i in cells], self.service.ballots.draft, id="grid")
        yield self.grid
        yield Static(id="saved")
        yield from self.footer()

    @property
    def service(self):
        return self.shuping.service

    def on_mount(self) -> None:
        # The loaded archive (thousands of records) lives as long as the app: move it out of the
        # collector's sight so a full collection (tens of ms) never lands on a keystroke.
        gc.collect()
        gc.freeze()
        self.grid.focus()
        self.set_interval(0.25, self.tick)
        self._on_saved = lambda _version: self.post_message(DraftSaved())  # never blocks the drafts' thread
        self.service.writer.drafts.on_saved = self._on_saved
        self.update_status()
        if not self.columns:
            self.notify("尚未确定述职名单和顺序（评议会设置），无法录票。", severity="error")
            self.dismiss(None)
            return
        self.read_ballots()

    @work(thread=True, exclusive=True, group="keying")
    def read_ballots(self) -> None:
        """The pass's committed ballots, once those still queued are committed (never on the UI thread)."""
        loaded = self.shuping.apply(self.service.ballots.load, self.org, self.entry)
        if loaded is not None:
            committed = [(s.record, s.version) for _, s in sorted(loaded.committed.items())]
            self.app.call_from_thread(self.opened, committed, loaded.draft, loaded.unsaved)

    def opened(self, committed: list[tuple[Ballot, str | None]], draft: Ballot | None,
               unsaved: list[Ballot] = ()) -> None:
        again = self.sheet.open(committed, draft, unsaved)
        for row in again:  # left uncommitted by the last session: committed now, in order
            self.submit(row, self.service.ballots.resume, row.ballot, row.version)
        self.beyond_ok = {r.ballot.serial for r in self.sheet.rows if r.ballot.serial > self.collected
                          and (r.ballot.status != BallotStatus.OPEN or r.ballot.marks or r.ballot.points)}
        self.grid.opened()
        if again:
            self.say(f"[b yellow]上次有 {len(again)} 张票未能提交（已从磁盘找回），正在重新提交[/]")
        self.update_status()

    def column_label(self, branch_id: str, indicator: str) -> str:
        branch = self.snap.branches.get(branch_id)
        who = f"{branch.record.secretary}（{branch.record.name}）" if branch else branch_id
        if indicator:
            i = self.sheet.indicators[indicator]
            who += f" · {i.name}（0–{i.max_points:g} 分）"
        return who

    # ------------------------------------------------------------------ status lines

    def on_ballot_grid_moved(self, _) -> None:
        self._message = ""
        self.show_acks()
        self.update_status()

    def tick(self) -> None:
        if self._acked and time.monotonic() - self.grid.last_key > ACK_QUIET:
            self.show_acks()
        self.update_saved()

    def on_unmount(self) -> None:
        drafts = self.service.writer.drafts
        if drafts.on_saved is getattr(self, "_on_saved", None):
            drafts.on_saved = None

    def on_draft_saved(self, _: DraftSaved) -> None:
        # while keys come, each starts a new draft: the status timer shows 已存草稿 once they pause
        if time.monotonic() - self.grid.last_key > ACK_QUIET:
            self.update_saved()

    def on_ballot_grid_refused(self, message: BallotGrid.Refused) -> None:
        self.say(f"[b red]{message.text}[/]")

    def say(self, text: str) -> None:
        """A message in the status line until the next key."""
        self._message = text
        self.update_saved()

    def update_status(self) -> None:
        sheet = self.sheet
        snap = self.snap
        org = snap.orgs[self.org].record.name if self.org in snap.orgs else self.org
        rows = sheet.rows
        group = f" · 票组 {rows[-1].ballot.group}" if sheet.groups and rows else ""
        serial = rows[-1].ballot.serial if rows else 1
        of = f" / 收回 {self.collected} 张" if self.collected else ""
        info = f"{org} · {PASS_NAMES[self.entry]} · 第 {serial} 张{of} · 已录 {sheet.done} 张{group}"
        if info != self._info:
            self._info = info
            self.query_one("#info", Static).update(info, layout=False)
        self.update_saved()

    def update_saved(self) -> None:
        """已保存 once every finished ballot is committed and the open one's marks are on disk;
        a failed commit in red until it goes in."""
        sheet = self.sheet
        saving = sheet.saving
        done = sheet.done
        drafts = self.service.writer.drafts
        failures = sheet.failures if sheet.loaded else []
        if failures:
            serials = "、".join(str(r.ballot.serial) for r in failures[:5])
            held = " · 后面的票暂不提交 · 按 r 立即重试" if self.service.writer.stalled is not None else ""
            text = f"[b white on red]第 {serials} 号票未提交[/] [red]{failures[0].error}[/] · 票已存在本机{held}"
        elif self._message:
            text = self._message
        elif not sheet.loaded:
            text = LOADING
        elif drafts.error:
            text = f"[b red]草稿未能写入：{drafts.error}[/]"
        elif saving:
            text = f"[b yellow]保存中：{saving} 张票正在提交[/]"
        else:
            # 已存草稿 only once the drafts' thread says every draft handed in is written and fsynced
            # (kept through a burst of keys, so the line is not redrawn on every key)
            writing = not drafts.saved(drafts.version) or (
                drafts.version and time.monotonic() - self.grid.last_key <= ACK_QUIET and "正在存草稿" in self._shown)
            draft = ("[b yellow]正在存草稿……[/]" if writing else "正在录入的票已存草稿" if drafts.version
                     else "正在录入的票每按一键都存草稿")
            text = f"[b green]已保存[/] · {done} 张票均已提交，{draft}" if done else f"[b green]已保存[/] · {draft}"
        if text != self._shown:
            self._shown = text
            self.query_one("#saved", Static).update(text, layout=False)  # one fixed line: no re-layout

    # ------------------------------------------------------------------ finishing, correcting

    def action_mark(self, mark: str) -> None:
        """A mark key's binding (the palette; the grid reads its keys before bindings do)."""
        if self.sheet.loaded:
            self.grid.apply(self.sheet.type_key("", mark))

    def action_finish(self) -> None:
        sheet = self.sheet
        if not sheet.loaded:
            return
        sheet.commit_buffer()
        row = sheet.current
        b = row.ballot
        if b.status == BallotStatus.OPEN:
            blanks = sheet.unconfirmed_blanks()
            if blanks:
                self.say(f"[b yellow]第 {b.serial} 号票有 {blanks} 项空白，按规则计为弃权；再按 Enter 确认完成[/]")
                return
            self.enter_times[b.serial] = time.monotonic()
            self.submit(row, self.service.ballots.finish, b)
        elif row.dirty:
            self.app.push_screen(reason_dialog(f"更正第 {b.serial} 号票：请填写原因"), lambda r: self.correct(row, r))

    def submit(self, row: Row, intent, *args) -> None:
        """Hand the ballot to its intent (a queued commit); the row shows 保存中 until it is done."""
        serial = row.ballot.serial
        try:
            stored = intent(*args, done=lambda sha, err, s=serial: self.post_message(BallotSaved(s, str(err) if err else "")))
        except StoreError as e:
            self.enter_times.pop(serial, None)
            self.say(f"[b red]第 {serial} 号票未保存：{e}[/]")
            return
        self.sheet.submitted(row, stored.record, stored.version)
        self.grid.changed()

    def correct(self, row: Row, reason: str | None) -> None:
        if reason:
            self.submit(row, self.service.ballots.correct, row.ballot, row.version, reason)

    def action_invalidate(self) -> None:
        if not self.sheet.loaded:
            return
        row = self.sheet.current
        if row.ballot.status == BallotStatus.INVALID:
            return
        self.app.push_screen(reason_dialog(f"宣布第 {row.ballot.serial} 号票无效：请填写原因"), lambda r: self.invalidate(row, r))

    def invalidate(self, row: Row, reason: str | None) -> None:
        if not reason:
            return
        if row.ballot.status == BallotStatus.OPEN:
            self.enter_times[row.ballot.serial] = time.monotonic()
        self.submit(row, self.service.ballots.invalidate, row.ballot, row.version, reason)

    def on_ballot_saved(self, message: BallotSaved) -> None:
        started = self.enter_times.pop(message.serial, None)
        if started is not None:
            self.enter_to_commit.append(time.monotonic() - started)
        if message.error:
            if started is not None:
                self.enter_times[message.serial] = started  # Enter → commit counts the retry
            for index in self.sheet.failed(message.serial, message.error):
                self.grid.refresh_row(index)
            self.app.bell()
            self.update_status()
            return
        # Shown with the next key's frame (or by the status timer once the keys pause): a frame
        # of its own, drawn just before a key, would hold that key's frame back (at most one
        # frame per 1/60 s), the keying's p99. While keys come, that is within one key gap.
        self._acked.append(message.serial)
        if time.monotonic() - self.grid.last_key > ACK_QUIET:
            self.show_acks()
        else:
            self.set_timer(ACK_QUIET, self.tick)

    def show_acks(self) -> None:
        """Show committed ballots as saved: their ✓ and the status line."""
        if not self._acked:
            return
        acked, self._acked = set(self._acked), []
        if self._message == RETRYING:
            self._message = ""
        for index in self.sheet.saved(acked):
            self.grid.refresh_row(index)  # its state mark only
        self.update_status()

    def action_next_group(self) -> None:
        if not self.sheet.loaded:
            return
        ballot = self.sheet.next_group()
        if ballot is None:
            self.say("本年度测评不区分评价人类别。")
            return
        self.service.ballots.draft(ballot)
        self.grid.changed()

    def action_retry(self) -> None:
        if self.sheet.loaded and self.sheet.failures:
            self.say(RETRYING)
            self.service.writer.retry()

    def ask_beyond(self, key: str, char: str | None, at: float) -> None:
        """A key that starts a ballot past the number collected: asked first, then applied."""
        serial = self.sheet.current.ballot.serial

        def answer(yes: bool | None) -> None:
            if yes:
                self.beyond_ok.add(serial)
                self.grid.take(key, char, at)
            else:
                self.say(f"[b yellow]收回 {self.collected} 张，已全部录入；若收回数有误，请在评议会设置中更正[/]")

        self.app.push_screen(ConfirmDialog(
            f"第 {serial} 张超出收回的 {self.collected} 张",
            f"评议会收回 {self.collected} 张票，这是第 {serial} 张。确实还有票要录入吗？\n"
            "Enter 继续录入这张票 · Esc 不录（检查收回数或是否重复录入）"), answer)

    def action_back(self) -> None:
        dirty = [r.ballot.serial for r in self.sheet.rows if r.dirty] if self.sheet.loaded else []
        if dirty:
            serials = "、".join(map(str, dirty))
            self.app.push_screen(ConfirmDialog(
                "有未保存的更正",
                f"第 {serials} 号票改过但未保存（行首“改”）。返回会放弃这些更正，已提交的票不变。\n"
                "Enter 放弃更正并返回 · Esc 留下（把光标移到“改”行按 Enter 保存更正）"),
                lambda yes: yes and self.leave())
            return
        self.leave()

    def leave(self) -> None:
        self.shuping.take_snapshot()  # the first ballot froze the meeting's settings
        self.dismiss(None)


__all__ = ["BallotGrid", "KeyingScreen"]
