"""Ballot keying: one row per paper ballot, one column per secretary (or per indicator).

Built for speed: one key per mark, the cursor advances by itself, Enter finishes the
ballot. Nothing here waits for git: marks go to the draft and finished ballots to the
commit queue of the one background writer; rows show 保存中 until the commit is done.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.geometry import Region
from textual.message import Message
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from schema.ballots import ABSTAIN, BLANK, KEYS, OVERMARKED, SHORT, indicator_columns, point_problem
from schema.kinds import BallotForm, BallotStatus, MeetingStage
from schema.records import Ballot, Indicator
from store import layout
from store.ballots import PASS_NAMES, ballot_change, load_ballots, load_draft
from store.writer import Job, Writer
from store.meeting import freeze, load_meeting, record_change
from tui.dialogs import reason_dialog
from tui.keys import Action, key_actions, register
from tui.screens.base import AppScreen

SCREEN_ACTIONS = {"keying.finish", "keying.invalid", "keying.group"}  # run by the grid itself, in key order
MARK_IDS = {"好": "good", "较好": "fairly_good", "一般": "average", "差": "poor",  # the keymap ids keying.mark_*
            ABSTAIN: "abstain", OVERMARKED: "overmarked"}
MARK_OF = {f"keying.mark_{name}": mark for mark, name in MARK_IDS.items()}  # action id → mark
CELL = 5  # display width of one cell, the separator included
ACK_QUIET = 0.1  # seconds without a key after which a commit shows as saved at once
HEAD = 11  # the row header: serial (4), a space, state (1), group (two CJK characters, 4), a space


def ballot_writer(app) -> Writer:
    """The service's one writer."""
    return app.service.writer


@dataclass
class Row:
    ballot: Ballot
    version: str | None = None  # committed version (None: not committed yet)
    saving: bool = False
    dirty: bool = False  # a finished ballot changed on screen, not yet saved as a correction


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


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


class BallotGrid(Widget, can_focus=True):
    """The keying grid. It owns the rows; the screen owns saving."""

    DEFAULT_CSS = "BallotGrid { height: 1fr; }"

    def __init__(self, cells: list[tuple[str, str]], indicators: dict[str, Indicator], **kwargs):
        super().__init__(**kwargs)
        self.cells = cells  # (branch id, indicator id or "") per column
        self.indicators = indicators
        self.labels: list[str] = []  # per column: who the column is, for the legend line
        self.rows: list[Row] = []
        self.row = 0
        self.col = 0
        self.buffer = ""  # digits typed into an indicator cell
        self.timings: list[float] = []  # key event → cell on screen, seconds
        self.track = True
        self.last_key = 0.0  # monotonic time of the last change on screen

    # ------------------------------------------------------------------ cells

    def value(self, row: Row, col: int) -> str:
        branch, ind = self.cells[col]
        if ind:
            v = row.ballot.points.get(branch, {}).get(ind)
            return "" if v is None else f"{v:g}"
        return row.ballot.marks.get(branch, BLANK)

    def set_value(self, row: Row, col: int, value: str | float | None) -> None:
        branch, ind = self.cells[col]
        b = row.ballot
        if ind:
            points = dict(b.points.get(branch, {}))
            if value is None:
                points.pop(ind, None)
            else:
                points[ind] = float(value)
            b.points = {**b.points, branch: points}
        else:
            b.marks = {**b.marks, branch: value or BLANK}

    # ------------------------------------------------------------------ drawing

    def window(self) -> tuple[int, int]:
        """(first visible row, first visible column) for the cursor."""
        ncols = max(1, (self.size.width - HEAD) // CELL)
        body = max(1, self.size.height - 2)
        return max(0, self.row - body + 1), max(0, min(self.col, len(self.cells) - 1) - ncols + 1)

    def refresh_changed(self) -> None:
        """Redraw only the lines a key changed: the legend, and the rows the cursor left and entered.
        Everything moves (a full redraw) when the visible window scrolls."""
        window = self.window()
        previous = getattr(self, "_drawn", None)
        self._drawn = (window, self.row, len(self.rows))
        if previous is None or previous[0] != window or previous[2] != len(self.rows):
            self.refresh()
            return
        width = self.size.width
        top = window[0]
        for line in {0, self.row - top + 2, previous[1] - top + 2}:
            self.refresh(Region(0, line, width, 1))

    def refresh_row(self, index: int) -> None:
        """Redraw one ballot's line, if it is in view."""
        line = index - self.window()[0] + 2
        if 2 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def legend(self) -> str:
        if self.col < len(self.cells):
            return f"第 {self.col + 1} 列：{self.labels[self.col] if self.col < len(self.labels) else ''}"
        return "本票已录完：按 Enter 完成并保存"

    def render_line(self, y: int) -> Strip:
        # drawn here, not in a Static beside the grid: a Static's update re-lays out the screen on every key
        width = self.size.width
        if y == 0:
            return Strip([Segment(" " + self.legend(), S_LEGEND)]).adjust_cell_length(width)
        y -= 1
        ncols = max(1, (width - HEAD) // CELL)
        top, first_col = self.window()
        visible = range(first_col, min(len(self.cells), first_col + ncols))
        if y == 0:
            segs = [Segment(_pad(" 票号", HEAD), S_HEAD)]
            for c in visible:
                segs.append(Segment(_pad(f"{c + 1}", CELL), S_HEAD))  # over the cell's left-aligned mark
            return Strip(segs).adjust_cell_length(width, S_HEAD)
        index = top + y - 1
        if index >= len(self.rows):
            return Strip.blank(width)
        row = self.rows[index]
        b = row.ballot
        if b.status == BallotStatus.INVALID:
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
            text = self.value(row, c)
            if self.cells[c][1] == "":
                text = SHORT.get(text, text)
            if index == self.row and c == self.col:
                if self.buffer:
                    text = self.buffer
                segs.append(Segment(_pad(text, CELL - 1), S_CURSOR))
                segs.append(Segment(" ", S_CELL))
            else:
                segs.append(Segment(_pad(text, CELL), style if b.status == BallotStatus.INVALID else S_CELL))
        return Strip(segs).adjust_cell_length(width)

    def changed(self, event: events.Key | None = None) -> None:
        self.refresh_changed()
        self.last_key = time.monotonic()
        if event is not None and self.track:
            start = event.time
            self.call_after_refresh(lambda: self.timings.append(time.monotonic() - start))
        self.post_message(self.Moved())

    class Moved(Message):
        """Cursor or content changed: the screen updates its status lines."""

    # ------------------------------------------------------------------ keys

    @property
    def current(self) -> Row:
        return self.rows[self.row]

    def on_key(self, event: events.Key) -> None:
        key = event.key
        action = key_actions(self.app, KeyingScreen.SCOPE).get(key)  # the user's keymap applies here too
        mark = MARK_OF.get(action.id) if action else None
        handled = True
        if mark or (len(key) == 1 and key.isdigit()):
            handled = self.type_key(event.character or key, mark)
        elif key == "backspace":
            self.back()
        elif key in ("left", "right", "up", "down", "home", "end"):
            self.move(key)
        elif key in ("space", "tab") and self.col < len(self.cells) and self.cells[self.col][1]:
            self.commit_buffer()
            self.advance()
        elif action and action.id in SCREEN_ACTIONS:
            # run the screen's action now, in key order: a binding would run after keys already queued
            event.stop()
            event.prevent_default()
            getattr(self.screen, f"action_{action.action}")()
            return
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()
            self.changed(event)

    def type_key(self, char: str, mark: str | None = None) -> bool:
        """A digit into an indicator cell, or ``mark`` (the action of the key) into a mark cell."""
        row = self.current
        if row.ballot.status == BallotStatus.INVALID:
            self.post_message(Problem("这张票已宣布无效，不能再修改。"))
            return False
        if self.col >= len(self.cells):
            self.app.bell()
            self.post_message(Problem("本票已录完：按 Enter 完成，或用方向键回到要改的格子。"))
            return False
        branch, ind = self.cells[self.col]
        if not ind:
            if mark is None:
                return False
            self.set_value(row, self.col, mark)
            self._touch(row)
            self.advance()
            return True
        if not char.isdigit():
            return False
        typed = self.buffer + char
        indicator = self.indicators[ind]
        problem = point_problem(float(typed), indicator)
        if problem:
            self.app.bell()
            self.post_message(Problem(problem))
            return False
        self.buffer = typed
        if float(typed) * 10 > indicator.max_points:  # no further digit could fit: done
            self.commit_buffer()
            self.advance()
        return True

    def commit_buffer(self) -> None:
        if self.buffer and self.col < len(self.cells):
            self.set_value(self.current, self.col, float(self.buffer))
            self._touch(self.current)
        self.buffer = ""

    def _touch(self, row: Row) -> None:
        if row.ballot.status == BallotStatus.FINISHED and not row.dirty:
            row.dirty = True
        self.post_message(Edited(row))

    def advance(self) -> None:
        if self.col < len(self.cells):
            self.col += 1
        if self.col == len(self.cells) and self.current.ballot.status != BallotStatus.OPEN:
            self.col = len(self.cells) - 1

    def back(self) -> None:
        if self.buffer:
            self.buffer = self.buffer[:-1]
            return
        if self.col > 0:
            self.col -= 1
        if self.current.ballot.status != BallotStatus.INVALID:
            self.set_value(self.current, self.col, None if self.cells[self.col][1] else BLANK)
            self._touch(self.current)

    def move(self, key: str) -> None:
        self.commit_buffer()
        if key == "left":
            self.col = max(0, self.col - 1)
        elif key == "right":
            self.col = min(len(self.cells) - 1, self.col + 1)
        elif key == "home":
            self.col = 0
        elif key == "end":
            self.col = len(self.cells) - 1
        elif key == "up":
            self.row = max(0, self.row - 1)
        elif key == "down":
            self.row = min(len(self.rows) - 1, self.row + 1)
        self.col = min(self.col, len(self.cells) - 1) if self.current.ballot.status != BallotStatus.OPEN else self.col


class Edited(Message):
    def __init__(self, row: Row):
        super().__init__()
        self.row = row


class Problem(Message):
    def __init__(self, text: str):
        super().__init__()
        self.text = text


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
            Action("keying.back", "escape", "back", "返回", "回到评议会向导（已完成的票都已保存）"),
        ],
    )
    DEFAULT_CSS = """
    KeyingScreen #saved { height: 1; padding: 0 1; }
    KeyingScreen #info { height: 1; }
    """

    def __init__(self, org: str, entry: int = 1):
        super().__init__()
        self.org = org
        self.entry = entry
        self._blank_warned: int | None = None
        self.enter_times: dict[int, float] = {}  # serial → monotonic time of Enter
        self.enter_to_commit: list[float] = []
        self._message = ""
        self._shown = ""
        self._info = ""
        self._acked: list[int] = []  # serials committed, not yet shown as saved

    def compose(self) -> ComposeResult:
        snap = self.snap
        ballot_writer(self.app).flush(5)  # the meeting record may have a change still queued
        self.stored_meeting = load_meeting(self.shuping.archive, self.org, snap.year)
        meeting = self.stored_meeting.record
        frozen = meeting.frozen
        form = frozen.form if frozen else meeting.form
        self.columns = list(frozen.columns if frozen else meeting.order)
        indicators = (frozen.indicators if frozen else snap.campaign.indicators) if form == BallotForm.INDICATORS else []
        self.indicators = {i.id: i for i in indicators}
        self.groups = [g.name for g in (frozen.scoring if frozen else snap.campaign.scoring).rater_groups]
        cells = indicator_columns(self.columns, indicators) if indicators else [(c, "") for c in self.columns]
        yield from self.title_bar()
        yield Static(id="info", classes="subtitle")
        self.grid = BallotGrid(cells, self.indicators, id="grid")
        self.grid.labels = [self.column_label(b, i) for b, i in cells]
        yield self.grid
        yield Static(id="saved")
        yield from self.footer()

    def on_mount(self) -> None:
        archive = self.shuping.archive
        self.writer = ballot_writer(self.app)
        # The loaded archive (thousands of records) lives as long as the app: move it out of the
        # collector's sight so a full collection (tens of ms) never lands on a keystroke.
        gc.collect()
        gc.freeze()
        stored = load_ballots(archive, self.org, self.snap.year, self.entry)
        rows = [Row(s.record, s.version) for _, s in sorted(stored.items())]
        draft = load_draft(archive, self.org, self.snap.year, self.entry)
        serial = max(stored, default=0) + 1
        if draft is not None and draft.serial == serial and draft.status == BallotStatus.OPEN:
            rows.append(Row(draft))
        else:
            rows.append(Row(self.new_ballot(serial, rows[-1].ballot.group if rows else "")))
        self.grid.rows = rows
        self.grid.row = len(rows) - 1
        self.grid.col = next((c for c in range(len(self.grid.cells)) if not self.grid.value(rows[-1], c)), len(self.grid.cells))
        self.grid.focus()
        self.set_interval(0.25, self.tick)
        self.update_status()
        if not self.columns:
            self.notify("尚未确定述职名单和顺序（评议会设置），无法录票。", severity="error")
            self.dismiss(None)

    def column_label(self, branch_id: str, indicator: str) -> str:
        branch = self.snap.branches.get(branch_id)
        who = f"{branch.record.secretary}（{branch.record.name}）" if branch else branch_id
        if indicator:
            i = self.indicators[indicator]
            who += f" · {i.name}（0–{i.max_points:g} 分）"
        return who

    def new_ballot(self, serial: int, group: str = "") -> Ballot:
        if self.groups and not group:
            group = self.groups[0]
        return Ballot(org=self.org, year=self.snap.year, entry=self.entry, serial=serial, group=group)

    # ------------------------------------------------------------------ status lines

    def on_ballot_grid_moved(self, _) -> None:
        self._message = ""
        self.show_acks()
        self.update_status()

    def tick(self) -> None:
        if self._acked and time.monotonic() - self.grid.last_key > ACK_QUIET:
            self.show_acks()
        self.update_saved()

    def on_problem(self, message: Problem) -> None:
        self.say(f"[b red]{message.text}[/]")

    def say(self, text: str) -> None:
        """A message in the status line until the next key."""
        self._message = text
        self.update_saved()

    def update_status(self) -> None:
        grid = self.grid
        snap = self.snap
        org = snap.orgs[self.org].record.name if self.org in snap.orgs else self.org
        rows = grid.rows
        done = sum(1 for r in rows if r.ballot.status != BallotStatus.OPEN)
        group = f" · 票组 {rows[-1].ballot.group}" if self.groups and rows else ""
        info = f"{org} · {PASS_NAMES[self.entry]} · 已录 {done} 张{group}"
        if info != self._info:
            self._info = info
            self.query_one("#info", Static).update(info, layout=False)
        self.update_saved()

    def update_saved(self) -> None:
        """已保存 once every finished ballot is committed and the open one's marks are on disk."""
        rows = self.grid.rows
        done = sum(1 for r in rows if r.ballot.status != BallotStatus.OPEN)
        saving = sum(1 for r in rows if r.saving)
        if self._message:
            text = self._message
        elif saving:
            text = f"[b yellow]保存中：{saving} 张票正在提交[/]"
        else:
            text = (f"[b green]已保存[/] · {done} 张票均已提交，正在录入的票已存草稿" if done
                    else "[b green]已保存[/] · 正在录入的票每按一键都存草稿")
        if text != self._shown:
            self._shown = text
            self.query_one("#saved", Static).update(text, layout=False)  # one fixed line: no re-layout

    def on_edited(self, message: Edited) -> None:
        if message.row.ballot.status == BallotStatus.OPEN:
            self.writer.draft(message.row.ballot)

    # ------------------------------------------------------------------ finishing, correcting

    def action_mark(self, mark: str) -> None:
        """A mark key's binding (the palette; the grid reads its keys before bindings do)."""
        if self.grid.type_key("", mark):
            self.grid.changed()

    def action_finish(self) -> None:
        grid = self.grid
        grid.commit_buffer()
        row = grid.current
        b = row.ballot
        if b.status == BallotStatus.OPEN:
            blanks = sum(1 for c in range(len(grid.cells)) if not grid.value(row, c))
            if blanks and self._blank_warned != b.serial:
                self._blank_warned = b.serial
                self.say(f"[b yellow]第 {b.serial} 号票有 {blanks} 项空白，按规则计为弃权；再按 Enter 确认完成[/]")
                return
            self.finish_open(row)
        elif row.dirty:
            self.app.push_screen(reason_dialog(f"更正第 {b.serial} 号票：请填写原因"), lambda r: self.correct(row, r))

    def finish_open(self, row: Row, invalid_reason: str = "") -> None:
        b = row.ballot
        meeting_change = None
        if self.stored_meeting.record.frozen is None:
            meeting = self.stored_meeting.record
            frozen = freeze(meeting, self.snap.campaign)
            updated = meeting.model_copy(update={"frozen": frozen, "stage": MeetingStage.RATING})
            meeting_change, self.stored_meeting = record_change(self.stored_meeting, updated, self.shuping.archive)
        finished = b.model_copy(update={
            "status": BallotStatus.INVALID if invalid_reason else BallotStatus.FINISHED,
            "reason": invalid_reason,
            "marks": {c: b.marks.get(c, BLANK) for c in self.columns} if not self.indicators else b.marks,
        })
        row.ballot = finished
        row.saving = True
        change, row.version = ballot_change(finished, None)
        org = self.org_name()
        what = "无效票" if invalid_reason else "测评票"
        message = f"录入{what}：{org} 第 {b.serial} 号（{PASS_NAMES[self.entry]}）"
        body = f"无效原因：{invalid_reason}" if invalid_reason else ""
        if meeting_change:
            body = (body + "\n" if body else "") + "首张票录入，评议会测评设置自此冻结。"
        self.enter_times[b.serial] = time.monotonic()
        self.writer.submit(Job(
            [change] + ([meeting_change] if meeting_change else []), message, body,
            done=lambda sha, err, s=b.serial: self.post_message(BallotSaved(s, str(err) if err else "")),
            finished=(layout.draft_path(self.org, b.year, self.entry), b.serial),
        ))
        grid = self.grid
        grid.rows.append(Row(self.new_ballot(b.serial + 1, b.group)))
        grid.row = len(grid.rows) - 1
        grid.col = 0
        grid.changed()

    def correct(self, row: Row, reason: str | None) -> None:
        if not reason:
            return
        b = row.ballot.model_copy(update={"corrections": [*row.ballot.corrections, reason]})
        row.ballot = b
        row.dirty = False
        row.saving = True
        change, row.version = ballot_change(b, row.version)
        self.writer.submit(Job(
            [change], f"更正测评票：{self.org_name()} 第 {b.serial} 号（{PASS_NAMES[self.entry]}）", f"原因：{reason}",
            done=lambda sha, err, s=b.serial: self.post_message(BallotSaved(s, str(err) if err else "")),
        ))
        self.grid.changed()

    def action_invalidate(self) -> None:
        row = self.grid.current
        if row.ballot.status == BallotStatus.INVALID:
            return
        self.app.push_screen(reason_dialog(f"宣布第 {row.ballot.serial} 号票无效：请填写原因"), lambda r: self.invalidate(row, r))

    def invalidate(self, row: Row, reason: str | None) -> None:
        if not reason:
            return
        if row.ballot.status == BallotStatus.OPEN:
            self.finish_open(row, reason)
            return
        b = row.ballot.model_copy(update={"status": BallotStatus.INVALID, "reason": reason})
        row.ballot, row.dirty, row.saving = b, False, True
        change, row.version = ballot_change(b, row.version)
        self.writer.submit(Job(
            [change], f"宣布测评票无效：{self.org_name()} 第 {b.serial} 号（{PASS_NAMES[self.entry]}）", f"原因：{reason}",
            done=lambda sha, err, s=b.serial: self.post_message(BallotSaved(s, str(err) if err else "")),
        ))
        self.grid.changed()

    def on_ballot_saved(self, message: BallotSaved) -> None:
        started = self.enter_times.pop(message.serial, None)
        if started is not None:
            self.enter_to_commit.append(time.monotonic() - started)
        if message.error:
            self._acked.append(message.serial)
            self.show_acks()
            self.notify(message.error, title=f"第 {message.serial} 号票未保存", severity="error", timeout=20)
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
        for index, row in enumerate(self.grid.rows):
            if row.ballot.serial in acked:
                row.saving = False
                self.grid.refresh_row(index)  # its state mark only
        self.update_status()

    def action_next_group(self) -> None:
        if not self.groups:
            self.notify("本年度测评不区分评价人类别。")
            return
        open_row = self.grid.rows[-1]
        current = open_row.ballot.group
        nxt = self.groups[(self.groups.index(current) + 1) % len(self.groups)] if current in self.groups else self.groups[0]
        open_row.ballot = open_row.ballot.model_copy(update={"group": nxt})
        self.writer.draft(open_row.ballot)
        self.grid.changed()

    def org_name(self) -> str:
        org = self.snap.orgs.get(self.org)
        return org.record.name if org else self.org

    def action_back(self) -> None:
        if any(r.dirty for r in self.grid.rows):
            self.notify("有未保存的更正：把光标移到“改”行按 Enter 保存，或先改回原值。", severity="warning")
        self.dismiss(None)


__all__ = ["BallotGrid", "KeyingScreen", "ballot_writer"]

