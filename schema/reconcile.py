"""Before results: do the counts balance, was there a quorum, do the two keyings agree?

Each check returns messages that say which count is off and by how much; an empty list
means it balances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from schema.ballots import COUNTED
from schema.kinds import BallotStatus
from schema.records import Attendance, Ballot, BallotCounts, Meeting, Tally


GROUPS = ["委员", "党支部书记", "党员干部", "师生党员代表"]  # who attends a meeting, counted apart for the quorum


def quorum_messages(attendance: list[Attendance], quorum: float = 0.5) -> list[str]:
    """More than ``quorum`` of those due must be present (default: more than half)."""
    due = sum(a.due for a in attendance)
    present = sum(a.present for a in attendance)
    if due == 0:
        return ["未填写应到人数，无法判断是否达到法定人数"]
    out = [f"{a.group}实到 {a.present} 人，多于应到 {a.due} 人" for a in attendance if a.present > a.due]
    needed = math.floor(due * quorum) + 1  # strictly more than the share
    if present < needed:
        out.append(f"出席人数不足：应到 {due} 人，实到 {present} 人，须至少 {needed} 人（超过 {quorum * 100:g}%），差 {needed - present} 人")
    return out


def count_messages(counts: BallotCounts, valid: int, invalid: int) -> list[str]:
    """issued = collected + not returned; collected = valid + invalid; never more back than issued."""
    out = []
    if counts.issued == 0:
        out.append("未填写发出票数")
    if counts.collected > counts.issued:
        out.append(f"收回票数 {counts.collected} 多于发出票数 {counts.issued}（多 {counts.collected - counts.issued} 张），本轮测评无效")
    diff = counts.collected + counts.not_returned - counts.issued
    if diff and counts.collected <= counts.issued:
        out.append(
            f"发出 {counts.issued} 张 ≠ 收回 {counts.collected} 张 + 未收回 {counts.not_returned} 张"
            f"（{'多' if diff > 0 else '少'} {abs(diff)} 张）"
        )
    keyed = valid + invalid
    if keyed != counts.collected:
        out.append(
            f"收回 {counts.collected} 张 ≠ 有效 {valid} 张 + 无效 {invalid} 张"
            f"（已录入票{'多' if keyed > counts.collected else '少'} {abs(keyed - counts.collected)} 张）"
        )
    return out


def tally_messages(tallies: dict[str, Tally], names: dict[str, str], valid: int) -> list[str]:
    """For every secretary 好 + 较好 + 一般 + 差 + 弃权 = valid ballots."""
    out = []
    for branch, tally in tallies.items():
        if not tally.counts:  # indicator form: every valid ballot scores every secretary
            if tally.valid != valid:
                out.append(f"{names.get(branch, branch)}：计入 {tally.valid} 张 ≠ 有效票 {valid} 张")
            continue
        total = sum(tally.counts.get(g, 0) for g in COUNTED)
        if total != valid:
            out.append(
                f"{names.get(branch, branch)}：好+较好+一般+差+弃权 = {total} ≠ 有效票 {valid} 张"
                f"（{'多' if total > valid else '少'} {abs(total - valid)}）"
            )
    return out


WHOLE = {"状态": "整张票是否有效", "票组": "评价人类别"}  # differences of the whole ballot, not of a cell


@dataclass(frozen=True)
class Mismatch:
    serial: int
    column: str  # branch id, "branch/indicator" for indicator cells, "" for the whole ballot
    first: str
    second: str


def mismatch_label(column: str, names: dict[str, str], meeting: Meeting) -> str:
    """What a difference's column is, for people: the secretary (and the indicator), or what
    of the whole ballot; "" for a ballot keyed in one pass only."""
    if column in WHOLE:
        return WHOLE[column]
    branch, _, indicator = column.partition("/")
    name = names.get(branch, branch)
    if indicator:
        found = next((i for i in (meeting.frozen.indicators if meeting.frozen else []) if i.id == indicator), None)
        return f"{name} · {found.name if found else indicator}"
    return name


def _cells(b: Ballot) -> dict[str, str]:
    cells = {k: v for k, v in b.marks.items()}
    for branch, points in b.points.items():
        for ind, v in points.items():
            cells[f"{branch}/{ind}"] = f"{v:g}"
    cells["状态"] = b.status.value if b.status != BallotStatus.FINISHED else ""
    if b.group:
        cells["票组"] = b.group
    return cells


def compare(first: dict[int, Ballot], second: dict[int, Ballot]) -> list[Mismatch]:
    """Every cell where the blind second keying differs from the first, ballot by ballot."""
    out: list[Mismatch] = []
    for serial in sorted(set(first) | set(second)):
        a, b = first.get(serial), second.get(serial)
        if a is None or b is None:
            out.append(Mismatch(serial, "", "有" if a else "缺", "有" if b else "缺"))
            continue
        ca, cb = _cells(a), _cells(b)
        for key in sorted(set(ca) | set(cb), key=lambda k: (k in ("状态", "票组"), k)):
            if ca.get(key, "") != cb.get(key, ""):
                out.append(Mismatch(serial, key, ca.get(key, ""), cb.get(key, "")))
    return out
