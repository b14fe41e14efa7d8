"""The keying grid's rules as data (schema.keying): what each key does to the rows, the cursor
and the typed digits, in tables of cases."""

from __future__ import annotations

import pytest

from schema.ballots import KEYS
from schema.kinds import BallotStatus
from schema.keying import AT_END, INVALID_LOCKED, KeyingSheet, finish_ballot
from schema.records import Ballot, Indicator

FINISHED, INVALID, OPEN = BallotStatus.FINISHED, BallotStatus.INVALID, BallotStatus.OPEN


def grades(n: int = 3, groups=()) -> KeyingSheet:
    sheet = KeyingSheet("o", 2020, 1, [(f"b{c}", "") for c in range(1, n + 1)], groups=list(groups))
    sheet.open([])
    return sheet


def points() -> KeyingSheet:
    indicators = {"i1": Indicator(id="i1", group="甲", name="履职尽责", max_points=20),
                  "i2": Indicator(id="i2", group="乙", name="支部建设", max_points=5)}
    sheet = KeyingSheet("o", 2020, 1, [("b1", "i1"), ("b1", "i2"), ("b2", "i1")], indicators)
    sheet.open([])
    return sheet


def press(sheet: KeyingSheet, keys: str | list[str]):
    """Keys as the default keymap binds them: 1 好, 2 较好, 3 一般, 4 差, 0 弃权, 9 多选."""
    steps = [sheet.press(k, k if len(k) == 1 else None, KEYS.get(k)) for k in keys]
    return steps[-1] if steps else None


def marks(sheet: KeyingSheet, row: int = -1) -> list[str]:
    return [sheet.value(sheet.rows[row], c) for c in range(len(sheet.cells))]


@pytest.mark.parametrize(("keys", "cells", "col"), [
    ("", ["", "", ""], 0),
    ("1", ["好", "", ""], 1),
    ("12", ["好", "较好", ""], 2),
    ("1234", ["好", "较好", "一般"], 3),  # the fourth key: 本票已录完, nothing changes
    ("09", ["弃权", "多选", ""], 2),
    ("5", ["", "", ""], 0),  # not a mark: not the grid's
    ("x", ["", "", ""], 0),
    (["1", "2", "backspace"], ["好", "", ""], 1),  # back one cell and clear it
    (["1", "backspace", "backspace"], ["", "", ""], 0),
    (["1", "2", "3", "left", "left", "4"], ["好", "差", "一般"], 2),
    (["1", "end", "2"], ["好", "", "较好"], 3),
    (["1", "2", "home"], ["好", "较好", ""], 0),
    (["right", "right", "right", "right"], ["", "", ""], 2),  # never past the last column
    (["1", "up", "down"], ["好", "", ""], 1),  # one row only: stays
])
def test_grade_keys(keys, cells, col):
    sheet = grades()
    press(sheet, keys)
    assert (marks(sheet), sheet.col) == (cells, col)


@pytest.mark.parametrize(("key", "handled", "problem", "bell"), [
    ("1", False, AT_END, True),
    ("backspace", True, "", False),
    ("left", True, "", False),
    ("enter", False, "", False),  # the screen's
    ("x", False, "", False),
])
def test_at_the_end_of_the_ballot(key, handled, problem, bell):
    sheet = grades()
    press(sheet, "123")
    assert sheet.at_end
    step = press(sheet, [key])
    assert (step.handled, step.problem, step.bell) == (handled, problem, bell)


@pytest.mark.parametrize(("keys", "values", "col", "buffer", "problem"), [
    ("1", ["", "", ""], 0, "1", ""),  # 1 could become 1x: wait for the next digit
    ("18", ["18", "", ""], 1, "", ""),  # 18 fits 20 and no third digit can: advances
    ("3", ["3", "", ""], 1, "", ""),  # 30 would not fit: 3 at once
    ("187", ["18", "", ""], 1, "", "支部建设最高 5 分，不能填 7"),
    ("35", ["3", "5", ""], 2, "", ""),
    ("25", ["", "", ""], 0, "2", "履职尽责最高 20 分，不能填 25"),  # refused: the 2 waits for a fitting digit
    (["1", "space"], ["1", "", ""], 1, "", ""),  # Space ends the cell
    (["1", "tab"], ["1", "", ""], 1, "", ""),
    (["1", "backspace"], ["", "", ""], 0, "", ""),  # Backspace eats the digit first
    (["1", "right"], ["1", "", ""], 1, "", ""),  # moving keeps what was typed
    (["a"], ["", "", ""], 0, "", ""),
])
def test_indicator_keys(keys, values, col, buffer, problem):
    sheet = points()
    step = press(sheet, keys)
    assert (marks(sheet), sheet.col, sheet.buffer) == (values, col, buffer)
    assert step.problem == problem
    assert step.bell == bool(problem)


@pytest.mark.parametrize(("keys", "edited"), [
    ("1", True), ("5", False), (["left"], False), (["backspace"], True), (["1", "right"], False),
])
def test_a_key_says_when_the_open_ballot_changed(keys, edited):
    """Its draft is written on every change, and only then."""
    sheet = grades()
    assert (press(sheet, keys).edited is not None) is edited


def test_indicator_digits_reach_the_draft_when_the_cell_is_done():
    sheet = points()
    assert sheet.press("1", "1", "好").edited is None  # still typing: a digit in an indicator cell
    assert sheet.press("right").edited is sheet.rows[-1]


def test_finishing_opens_the_next_ballot_in_the_same_group():
    sheet = grades(2, groups=["A票", "B票"])
    assert sheet.rows[-1].ballot.group == "A票"
    sheet.next_group()
    press(sheet, "12")
    row = sheet.current
    done = finish_ballot(row.ballot, ["b1", "b2"], indicators=False)
    sheet.submitted(row, done, "v1")
    assert [r.ballot.serial for r in sheet.rows] == [1, 2]
    assert (sheet.rows[0].saving, sheet.rows[0].version, sheet.rows[0].ballot.status) == (True, "v1", FINISHED)
    assert (sheet.row, sheet.col, sheet.rows[1].ballot.group) == (1, 0, "B票")
    assert sheet.saved({1}) == [0] and not sheet.rows[0].saving


@pytest.mark.parametrize(("groups", "keys", "expected"), [
    ([], 1, None),
    (["A票", "B票"], 1, "B票"),
    (["A票", "B票"], 2, "A票"),
    (["A票", "B票", "C票"], 2, "C票"),
])
def test_next_group_cycles(groups, keys, expected):
    sheet = grades(2, groups)
    for _ in range(keys):
        ballot = sheet.next_group()
    assert (ballot.group if ballot else None) == expected


def test_a_finished_ballot_changed_on_screen_waits_as_a_correction():
    sheet = grades(2)
    sheet.open([(Ballot(org="o", year=2020, entry=1, serial=1, marks={"b1": "好", "b2": "好"}, status=FINISHED), "v1")])
    assert (sheet.row, sheet.col) == (1, 0)
    press(sheet, ["up", "4"])
    first = sheet.rows[0]
    assert first.dirty and sheet.dirty and marks(sheet, 0) == ["差", "好"]
    assert sheet.col == 1  # a finished ballot's cursor never goes past its last cell
    press(sheet, ["2"])
    assert sheet.col == 1
    sheet.submitted(first, first.ballot, "v2")
    assert not first.dirty and len(sheet.rows) == 2  # a correction opens nothing


def test_an_invalid_ballot_takes_no_marks():
    sheet = grades(2)
    sheet.open([(Ballot(org="o", year=2020, entry=1, serial=1, marks={"b1": "好", "b2": ""}, status=INVALID), "v1")])
    press(sheet, ["up"])
    step = press(sheet, ["1"])
    assert (step.handled, step.problem) == (False, INVALID_LOCKED)
    assert sheet.press("backspace").edited is None and marks(sheet, 0) == ["好", ""]


@pytest.mark.parametrize(("draft_serial", "draft_status", "row_marks", "col"), [
    (2, OPEN, ["好", ""], 1),  # the draft of the next ballot: its marks, the cursor after them
    (1, OPEN, ["", ""], 0),  # a draft of a ballot already committed: ignored
    (2, FINISHED, ["", ""], 0),
    (None, None, ["", ""], 0),
])
def test_reopening_takes_the_draft_of_the_next_ballot_only(draft_serial, draft_status, row_marks, col):
    sheet = grades(2, groups=["A票", "B票"])
    committed = [(Ballot(org="o", year=2020, entry=1, serial=1, group="B票", marks={"b1": "好", "b2": "差"}, status=FINISHED), "v1")]
    draft = Ballot(org="o", year=2020, entry=1, serial=draft_serial, marks={"b1": "好"}, status=draft_status) if draft_serial else None
    sheet.open(committed, draft)
    assert (sheet.rows[-1].ballot.serial, marks(sheet), sheet.col, sheet.row) == (2, row_marks, col, 1)
    if draft is None:
        assert sheet.rows[-1].ballot.group == "B票"  # the stack goes on in the last ballot's group


@pytest.mark.parametrize(("keys", "first", "second"), [
    ("", 3, 0),  # three blanks: said once, then Enter finishes
    ("12", 1, 0),
    ("123", 0, 0),
])
def test_blanks_are_pointed_out_once(keys, first, second):
    sheet = grades()
    press(sheet, keys)
    assert (sheet.unconfirmed_blanks(), sheet.unconfirmed_blanks()) == (first, second)


@pytest.mark.parametrize(("reason", "status", "cells"), [
    ("", FINISHED, {"b1": "好", "b2": "", "b3": ""}),  # blanks kept as blanks: they count as abstentions
    ("票面涂改", INVALID, {"b1": "好", "b2": "", "b3": ""}),
])
def test_finish_ballot(reason, status, cells):
    ballot = Ballot(org="o", year=2020, entry=1, serial=4, marks={"b1": "好"})
    done = finish_ballot(ballot, ["b1", "b2", "b3"], indicators=False, invalid_reason=reason)
    assert (done.status, done.reason, done.marks) == (status, reason, cells)
    assert finish_ballot(ballot, ["b1", "b2"], indicators=True).marks == {"b1": "好"}  # indicator ballots keep points only


@pytest.mark.parametrize(("key", "char", "mark", "cells", "handled"), [
    ("1", "1", "好", ["好", "", ""], True),
    ("1", "1", None, ["", "", ""], False),  # the user bound 1 to nothing: not a mark
    ("end", None, "较好", ["较好", "", ""], True),  # a key the user's keymap binds to a mark
    ("q", "q", None, ["", "", ""], False),
])
def test_marks_come_from_the_keymap_not_the_key(key, char, mark, cells, handled):
    sheet = grades()
    assert sheet.press(key, char, mark).handled is handled
    assert marks(sheet) == cells
