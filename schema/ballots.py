"""One paper ballot: the marks an operator keys and whether the ballot and each item count.

Rules (SPEC §6, practice.md): a blank item is an abstention; an over-marked item (two boxes
ticked) counts as an abstention, or voids the whole ballot where the campaign says so; a
ballot giving every secretary the same grade may be void by the campaign's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from schema.kinds import BallotForm, BallotStatus, Grade
from schema.records import Ballot, Indicator, ScoringSettings

ABSTAIN = "弃权"
OVERMARKED = "多选"
BLANK = ""
GRADES = [g.value for g in Grade]  # 好 较好 一般 差
COUNTED = GRADES + [ABSTAIN]  # the five counts of a tally
MARKS = GRADES + [ABSTAIN, OVERMARKED]

KEYS = {"1": Grade.GOOD.value, "2": Grade.FAIRLY_GOOD.value, "3": Grade.AVERAGE.value, "4": Grade.POOR.value,
        "0": ABSTAIN, "9": OVERMARKED}
SHORT = {"好": "好", "较好": "较好", "一般": "一般", "差": "差", ABSTAIN: "弃", OVERMARKED: "多", BLANK: "·"}


def counted_mark(mark: str) -> str:
    """What an item counts as in a tally: one of ``COUNTED``."""
    return mark if mark in GRADES else ABSTAIN


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str = ""


def judge(ballot: Ballot, columns: list[str], scoring: ScoringSettings, form: BallotForm = BallotForm.GRADES) -> Verdict:
    """Whether a finished ballot counts, by the campaign's rules (a declared-invalid one never does)."""
    if ballot.status == BallotStatus.INVALID:
        return Verdict(False, ballot.reason or "已宣布无效")
    if ballot.status == BallotStatus.OPEN:
        return Verdict(False, "尚未录完")
    if form == BallotForm.INDICATORS:
        return Verdict(True)
    marks = [ballot.marks.get(c, BLANK) for c in columns]
    if scoring.overmarked_voids_ballot and OVERMARKED in marks:
        return Verdict(False, "有多选项，按规则整票无效")
    if all(m == BLANK or m == ABSTAIN for m in marks):
        return Verdict(False, "空白票")
    if scoring.uniform_voids_ballot and len(columns) > 1 and len(set(marks)) == 1 and marks[0] in GRADES:
        return Verdict(False, f"全部评为“{marks[0]}”，按规则无效")
    return Verdict(True)


def point_problem(value: float, indicator: Indicator) -> str | None:
    """Range check of one indicator cell; None when fine."""
    if value < 0:
        return f"{indicator.name}不能为负数"
    if value > indicator.max_points:
        return f"{indicator.name}最高 {indicator.max_points:g} 分，不能填 {value:g}"
    return None


def indicator_columns(columns: list[str], indicators: list[Indicator]) -> list[tuple[str, str]]:
    """The cells of an indicator ballot, in keying order: (branch id, indicator id)."""
    return [(c, i.id) for c in columns for i in indicators]
