"""The keying grid as data: one row per paper ballot of one pass, the cursor, the digits typed
into an indicator cell, and the rules of each key (a mark advances, Backspace goes back and
clears, the arrows move, a finished ballot changed on screen waits to be saved as a
correction). The screen only draws a ``KeyingSheet`` and forwards keys to ``press``.

Every key of a typist goes through here: keep ``press`` cheap (no copies of the rows, one
small ``Step`` back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.ballots import BLANK, point_problem
from schema.kinds import BallotStatus
from schema.records import Ballot, Indicator

PASS_NAMES = {1: "第一遍录入", 2: "第二遍录入"}
MOVES = frozenset(("left", "right", "up", "down", "home", "end"))
AT_END = "本票已录完：按 Enter 完成，或用方向键回到要改的格子。"
INVALID_LOCKED = "这张票已宣布无效，不能再修改。"


@dataclass(slots=True)
class Row:
    ballot: Ballot
    version: str | None = None  # committed version (None: not committed yet)
    saving: bool = False  # handed to the writer, not yet committed
    dirty: bool = False  # a finished ballot changed on screen, not yet saved as a correction
    error: str = ""  # why its commit failed (it stays saving: the writer tries again)


@dataclass(frozen=True, slots=True)
class Step:
    """What one key did: whether it was the grid's, a problem to show (and ring the bell for),
    and the row it changed (an open row's marks go to its draft)."""

    handled: bool = True
    problem: str = ""
    bell: bool = False
    edited: Row | None = None


NOT_MINE = Step(False)
MOVED = Step()


def finish_ballot(ballot: Ballot, columns: list[str], indicators: bool, invalid_reason: str = "") -> Ballot:
    """The open ballot finished (or declared invalid): every column of a grade ballot has a
    mark, a blank one counting as an abstention by the rules."""
    return ballot.model_copy(update={
        "status": BallotStatus.INVALID if invalid_reason else BallotStatus.FINISHED,
        "reason": invalid_reason,
        "marks": ballot.marks if indicators else {c: ballot.marks.get(c, BLANK) for c in columns},
    })


@dataclass
class KeyingSheet:
    """One keying pass of one meeting on screen."""

    org: str
    year: int
    entry: int
    cells: list[tuple[str, str]]  # (branch id, indicator id or "") per column
    indicators: dict[str, Indicator] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)  # rater groups, where the campaign weights them
    rows: list[Row] = field(default_factory=list)
    row: int = 0
    col: int = 0
    buffer: str = ""  # digits typed into an indicator cell
    blank_warned: int | None = None  # the serial whose blanks were pointed out once

    # ------------------------------------------------------------------ opening

    def open(self, committed: list[tuple[Ballot, str | None]], draft: Ballot | None = None,
             unsaved: list[Ballot] = ()) -> list[Row]:
        """The committed ballots (in serial order) and an open one after them: the draft left
        by the last session where it is the next ballot, else a new one in the last one's group.
        ``unsaved``: ballots whose commit never happened, shown as they were keyed (a committed
        one replaced by its uncommitted correction); they are returned, to be committed again."""
        self.rows = [Row(b, v) for b, v in committed]
        by_serial = {r.ballot.serial: r for r in self.rows}
        again = []
        for b in sorted(unsaved, key=lambda b: b.serial):
            row = by_serial.get(b.serial)
            if row is None:
                if b.serial != (self.rows[-1].ballot.serial if self.rows else 0) + 1:
                    continue  # not the next ballot: a leftover of some other keying
                row = Row(b)
                self.rows.append(row)
                by_serial[b.serial] = row
            else:
                row.ballot = b
            again.append(row)
        serial = (self.rows[-1].ballot.serial if self.rows else 0) + 1
        if draft is not None and draft.serial == serial and draft.status == BallotStatus.OPEN:
            self.rows.append(Row(draft))
        else:
            self.rows.append(Row(self.new_ballot(serial, self.rows[-1].ballot.group if self.rows else "")))
        self.row = len(self.rows) - 1
        last = self.rows[-1]
        self.col = self.first_empty(last)
        self.buffer = ""
        return again

    def first_empty(self, row: Row) -> int:
        """The first cell of ``row`` not keyed yet (past the last when every cell is)."""
        return next((c for c in range(len(self.cells)) if not self.value(row, c)), len(self.cells))

    @property
    def loaded(self) -> bool:
        return bool(self.rows)

    def new_ballot(self, serial: int, group: str = "") -> Ballot:
        if self.groups and not group:
            group = self.groups[0]
        return Ballot(org=self.org, year=self.year, entry=self.entry, serial=serial, group=group)

    # ------------------------------------------------------------------ cells

    @property
    def current(self) -> Row:
        return self.rows[self.row]

    @property
    def at_end(self) -> bool:
        """Every cell of the open ballot keyed: Enter finishes it."""
        return self.col >= len(self.cells)

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

    def blanks(self, row: Row) -> int:
        return sum(1 for c in range(len(self.cells)) if not self.value(row, c))

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.ballot.status != BallotStatus.OPEN)

    @property
    def saving(self) -> int:
        return sum(1 for r in self.rows if r.saving)

    @property
    def dirty(self) -> bool:
        return any(r.dirty for r in self.rows)

    # ------------------------------------------------------------------ keys

    def press(self, key: str, char: str | None = None, mark: str | None = None) -> Step:
        """One key on the grid: ``mark`` is the grade the user's keymap binds the key to (None:
        not a mark key); digits go into indicator cells. Finishing, invalidating and the rater
        group are the screen's."""
        if mark is not None or (len(key) == 1 and key.isdigit()):
            return self.type_key(char or key, mark)
        if key == "backspace":
            return self.back()
        if key in MOVES:
            return self.move(key)
        if key in ("space", "tab") and self.col < len(self.cells) and self.cells[self.col][1]:
            edited = self.commit_buffer()
            self.advance()
            return Step(edited=edited) if edited else MOVED
        return NOT_MINE

    def type_key(self, char: str, mark: str | None = None) -> Step:
        """``mark`` into a mark cell, or a digit ``char`` into an indicator cell."""
        row = self.current
        if row.ballot.status == BallotStatus.INVALID:
            return Step(False, INVALID_LOCKED)
        if self.col >= len(self.cells):
            return Step(False, AT_END, bell=True)
        branch, ind = self.cells[self.col]
        if not ind:
            if mark is None:
                return NOT_MINE
            self.set_value(row, self.col, mark)
            self._touch(row)
            self.advance()
            return Step(edited=row)
        if not char.isdigit():
            return NOT_MINE
        typed = self.buffer + char
        indicator = self.indicators[ind]
        problem = point_problem(float(typed), indicator)
        if problem:
            return Step(False, problem, bell=True)
        self.buffer = typed
        if float(typed) * 10 > indicator.max_points:  # no further digit could fit: done
            edited = self.commit_buffer()
            self.advance()
            return Step(edited=edited)
        return MOVED

    def commit_buffer(self) -> Row | None:
        """The digits typed into the cell become its points; the row, if it changed."""
        edited = None
        if self.buffer and self.col < len(self.cells):
            edited = self.current
            self.set_value(edited, self.col, float(self.buffer))
            self._touch(edited)
        self.buffer = ""
        return edited

    def _touch(self, row: Row) -> None:
        if row.ballot.status == BallotStatus.FINISHED:
            row.dirty = True

    def advance(self) -> None:
        if self.col < len(self.cells):
            self.col += 1
        if self.col == len(self.cells) and self.current.ballot.status != BallotStatus.OPEN:
            self.col = len(self.cells) - 1

    def back(self) -> Step:
        if self.buffer:
            self.buffer = self.buffer[:-1]
            return MOVED
        if self.col > 0:
            self.col -= 1
        row = self.current
        if row.ballot.status == BallotStatus.INVALID:
            return MOVED
        self.set_value(row, self.col, None if self.cells[self.col][1] else BLANK)
        self._touch(row)
        return Step(edited=row)

    def move(self, key: str) -> Step:
        edited = self.commit_buffer()
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
        if self.current.ballot.status != BallotStatus.OPEN:
            self.col = min(self.col, len(self.cells) - 1)
        return Step(edited=edited) if edited else MOVED

    # ------------------------------------------------------------------ finishing, correcting

    def unconfirmed_blanks(self) -> int:
        """Blank cells of the open ballot under the cursor not yet pointed out: Enter first
        says how many (counted as abstentions), the next Enter finishes."""
        row = self.current
        blanks = self.blanks(row)
        if blanks and self.blank_warned != row.ballot.serial:
            self.blank_warned = row.ballot.serial
            return blanks
        return 0

    def submitted(self, row: Row, ballot: Ballot, version: str | None) -> None:
        """``ballot`` (finished, corrected or invalid) handed to the writer for ``row``; an open
        ballot finished opens the next one, in the same rater group, under the cursor."""
        was_open = row.ballot.status == BallotStatus.OPEN
        row.ballot, row.version, row.saving, row.dirty, row.error = ballot, version, True, False, ""
        if was_open:
            self.rows.append(Row(self.new_ballot(ballot.serial + 1, ballot.group)))
        if was_open or self.rows[-1].ballot.status == BallotStatus.OPEN:  # after a correction: back to the open ballot
            self.row = len(self.rows) - 1
            self.col = self.first_empty(self.rows[-1])
            self.buffer = ""

    def failed(self, serial: int, error: str) -> list[int]:
        """A ballot's commit failed: the indices of its rows, now shown with the reason."""
        changed = []
        for index, row in enumerate(self.rows):
            if row.ballot.serial == serial and row.saving:
                row.error = error
                changed.append(index)
        return changed

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if r.error]

    def saved(self, serials: set[int]) -> list[int]:
        """Ballots committed: no longer saving. The indices of the rows that changed."""
        changed = []
        for index, row in enumerate(self.rows):
            if row.ballot.serial in serials and row.saving:
                row.saving, row.error = False, ""
                changed.append(index)
        return changed

    def next_group(self) -> Ballot | None:
        """The open ballot in the next rater group (None where there are none)."""
        if not self.groups:
            return None
        open_row = self.rows[-1]
        current = open_row.ballot.group
        nxt = self.groups[(self.groups.index(current) + 1) % len(self.groups)] if current in self.groups else self.groups[0]
        open_row.ballot = open_row.ballot.model_copy(update={"group": nxt})
        return open_row.ballot


__all__ = ["AT_END", "INVALID_LOCKED", "KeyingSheet", "MOVES", "PASS_NAMES", "Row", "Step", "finish_ballot"]
