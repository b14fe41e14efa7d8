"""A meeting counted on paper: the tally sheet the counters fill in at the meeting, typed in
afterwards (有效票, 无效票 and per secretary 好/较好/一般/差/弃权), checked like keyed ballots
and turned into the same tallies (SPEC §7)."""

from __future__ import annotations

from schema.ballots import COUNTED
from schema.kinds import BallotForm
from schema.reconcile import count_messages, quorum_messages
from schema.records import Meeting, ScoringSettings, Tally
from schema.tally import tally_counts


def paper_blockers(meeting: Meeting, scoring: ScoringSettings) -> list[str]:
    """Why this meeting's results cannot be entered from a paper tally sheet."""
    if meeting.published:
        return ["测评结果已公布"]
    if meeting.frozen is not None:
        return ["已录入测评票：结果按录入的票计算，请用计票核对和公布"]
    out = []
    if not meeting.order:
        out.append("还没有述职人：请先在评议会设置中确定述职顺序")
    if meeting.form == BallotForm.INDICATORS:
        out.append("指标打分式测评须逐张录票，不能只录汇总")
    return out


def sheet_groups(scoring: ScoringSettings) -> list[str]:
    """The tally sheets to enter: one per rater group (counted apart, so they can be weighted),
    or one sheet ("") where the campaign has no rater groups."""
    return [g.name for g in scoring.rater_groups] or [""]


def parse_count(text: str, where: str) -> tuple[int | None, str]:
    """A count typed in a cell: a whole number ≥ 0, blank meaning 0; else the message naming ``where``."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text:
        return 0, ""
    if text.isdigit():
        return int(text), ""
    return None, f"{where}：“{text}”不是票数（应为 0 或正整数）"


def paper_tallies(rows: dict[str, dict[str, dict[str, int]]], scoring: ScoringSettings) -> dict[str, Tally]:
    """Each secretary's tally from their rows of the sheets (branch → group → counts)."""
    return {branch: tally_counts(sheets, scoring) for branch, sheets in rows.items()}


def paper_problems(
    meeting: Meeting, rows: dict[str, dict[str, dict[str, int]]], names: dict[str, str],
    valid: dict[str, int], invalid: int, quorum: float,
) -> tuple[list[str], list[str]]:
    """(rows that do not add up to their sheet's valid ballots, which block publishing; the
    meeting's counts and quorum, which the chair may override with a recorded reason, as for
    keyed ballots). ``valid``: group → valid ballots of that sheet."""
    out = []
    total_valid = sum(valid.values())
    if total_valid == 0:
        out.append("有效票为 0 张")
    for branch, sheets in rows.items():
        for group, counts in sheets.items():
            total = sum(counts.get(g, 0) for g in COUNTED)
            if total != valid.get(group, 0):
                which = f"（{group}）" if group else ""
                out.append(
                    f"{names.get(branch, branch)}{which}：好+较好+一般+差+弃权 = {total} ≠ 有效票 {valid.get(group, 0)} 张"
                    f"（{'多' if total > valid.get(group, 0) else '少'} {abs(total - valid.get(group, 0))}）"
                )
    counts = quorum_messages(meeting.attendance, quorum) + count_messages(meeting.ballots, total_valid, invalid)
    return out, counts


__all__ = ["paper_blockers", "paper_problems", "paper_tallies", "parse_count", "sheet_groups"]
