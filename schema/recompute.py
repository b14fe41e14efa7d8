"""What `shuping verify` recomputes from the raw records, compared with what is stored.

Pure functions: each takes records (and figures recomputed from them) and returns the
differences as Chinese messages, each starting with the ``[key]`` it is about. The store
reads the files and names them (store/verify_recompute.py).

* A keyed meeting's tallies are recounted from its ballots (schema/tally.py) and must equal
  each review's stored tally; its valid/invalid counts must equal the ballots'.
* A paper-counted meeting (published without keyed ballots) has no ballots to recount: each
  tally must have the meeting's valid ballots, and its score must follow from its counts
  where the scoring needs nothing the counts lack (no rater-group weights).
* Grading: at most the cap of 好 among the final grades; every stored suggestion equals the
  one recomputed from the inputs with the campaign's weights, bands and quota; a departing
  final grade has a reason; a finalised organisation has every grade, and its grades are
  distributed as its finalisation recorded.
"""

from __future__ import annotations

import re

from schema.ballots import COUNTED, GRADES
from schema.grading import GRADES as GRADE_ORDER
from schema.grading import Entry, cap_for, distribution, distribution_text, needs_reason, suggest
from schema.kinds import Grade
from schema.reconcile import count_messages, quorum_messages
from schema.records import GradingSettings, Meeting, Quota, Review, ScoringSettings, Tally
from schema.tally import score_from_counts, tally_counts

TOLERANCE = 0.005  # stored figures are rounded to two decimals


def _num(x: float | None) -> str:
    return "（空）" if x is None else f"{x:g}"


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is not b
    return abs(a - b) > TOLERANCE


# ---------------------------------------------------------------- tallies


def tally_differences(stored: Tally | None, computed: Tally) -> list[str]:
    """Every figure of ``stored`` that differs from the tally recounted from the ballots.
    (Shares are checked against the counts by verify's 测评票数 check.)"""
    if stored is None:
        return [f"[tally] 没有测评结果，按测评票应有（有效票 {computed.valid} 张）。"]
    out = []
    if stored.valid != computed.valid:
        out.append(f"[tally.valid] 记录为 {stored.valid} 张，按测评票重算为 {computed.valid} 张。")
    for grade in [*COUNTED, *sorted(set(stored.counts) - set(COUNTED))]:
        a, b = stored.counts.get(grade, 0), computed.counts.get(grade, 0)
        if a != b:
            out.append(f"[tally.counts.{grade}] 记录为 {a} 票，按测评票重算为 {b} 票。")
    for key in ("score", "trimmed_mean", "indicator_total"):
        a, b = getattr(stored, key), getattr(computed, key)
        if _differs(a, b):
            out.append(f"[tally.{key}] 记录为 {_num(a)}，按测评票重算为 {_num(b)}。")
    for key in ("group_scores", "indicator_means"):
        a, b = getattr(stored, key) or {}, getattr(computed, key) or {}
        for name in sorted(set(a) | set(b)):
            if _differs(a.get(name), b.get(name)):
                out.append(f"[tally.{key}.{name}] 记录为 {_num(a.get(name))}，按测评票重算为 {_num(b.get(name))}。")
    return out


def paper_tally_differences(tally: Tally, valid: int, scoring: ScoringSettings) -> list[str]:
    """A tally of a paper-counted meeting against the meeting's valid ballots and its own counts
    (per rater group where the groups were counted apart)."""
    out = []
    if tally.valid != valid:
        out.append(f"[tally.valid] 记录为 {tally.valid} 张，评议会记录的有效票为 {valid} 张。")
    if tally.group_counts and scoring.rater_groups:
        summed = {g: sum(c.get(g, 0) for c in tally.group_counts.values()) for g in COUNTED}
        if {g: tally.counts.get(g, 0) for g in COUNTED} != summed:
            out.append(f"[tally.counts] 与各评价人类别票数之和不符（应为 {summed}）。")
        recounted = tally_counts(tally.group_counts, scoring)
        if _differs(tally.score, recounted.score):
            out.append(f"[tally.score] 记录为 {_num(tally.score)}，按各类别票数加权应为 {_num(recounted.score)}。")
    elif tally.counts:
        score = score_from_counts(tally.counts, tally.valid, scoring)
        if score is not None and _differs(tally.score, score):
            out.append(f"[tally.score] 记录为 {_num(tally.score)}，按各等次票数应为 {_num(score)}。")
    return out


# ---------------------------------------------------------------- meetings


def meeting_differences(meeting: Meeting, quorum: float, valid: int | None = None, invalid: int | None = None) -> list[str]:
    """The meeting's own counts; ``valid``/``invalid`` are the ballots' where they were keyed.
    (收回 = 有效 + 无效 and 收回 ≤ 发出 are verify's 会议票数 check.)"""
    out = []
    for key, stored, counted in (("valid", meeting.ballots.valid, valid), ("invalid", meeting.ballots.invalid, invalid)):
        if counted is not None and stored != counted:
            out.append(f"[ballots.{key}] 记录为 {stored} 张，按测评票重算为 {counted} 张。")
    if meeting.published and not meeting.override_reason.strip():  # an override explains what did not balance
        b = meeting.ballots
        problems = quorum_messages(meeting.attendance, quorum)
        problems += [m for m in count_messages(b, b.valid, b.invalid) if "≠ 有效" not in m and "多于发出" not in m]
        out += [f"[{'attendance' if '到' in m else 'ballots'}] 已公布但不平衡：{m}。" for m in problems]
    return out


def tally_without_meeting(meeting: Meeting | None) -> str:
    if meeting is None:
        return "[tally] 有测评结果，但本组织没有评议会记录。"
    return f"[tally] 有测评结果，但评议会（阶段：{meeting.stage.value}）尚未公布结果。"


# ---------------------------------------------------------------- grading

_DISTRIBUTION = re.compile(r"好 (\d+)、较好 (\d+)、一般 (\d+)、差 (\d+)")


def parse_distribution(text: str) -> dict[Grade, int] | None:
    """``…（好 2、较好 10、一般 0、差 0）`` → the counts, as ``distribution_text`` writes them."""
    found = _DISTRIBUTION.search(text)
    return None if found is None else dict(zip(GRADE_ORDER, map(int, found.groups())))


def grading_differences(
    reviews: list[Review], names: dict[str, str], settings: GradingSettings, quota: Quota
) -> list[tuple[str | None, str]]:
    """(branch or None for the whole organisation, message) for one organisation's in-scope reviews."""
    out: list[tuple[str | None, str]] = []
    cap = cap_for(len(reviews), quota)
    good = sorted(names.get(r.branch, r.branch) for r in reviews if r.grade.final == Grade.GOOD)
    if len(good) > cap.cap:
        out.append((None, f"[grade.final] {cap.over_message(len(good))}：{'、'.join(good)}。"))
    stored = {r.branch: r.grade.suggested for r in reviews}
    if any(stored.values()):
        for s in suggest([Entry.of(r) for r in reviews], settings, quota, n=len(reviews)):
            was = stored[s.branch]
            if was is not None and was != s.suggested:
                why = f"综合得分 {_num(s.composite)}，第 {s.rank} 名" if s.rank else "没有评定输入"
                why += f"，{s.note}" if s.note else ""
                shown = s.suggested.value if s.suggested else "（无）"
                out.append((s.branch, f"[grade.suggested] 记录为“{was.value}”，按评定输入和权重重算应为“{shown}”（{why}）。"))
    for r in reviews:
        g = r.grade
        if needs_reason(g.suggested, g.final, g.reason):
            out.append((r.branch, f"[grade.reason] 最终等次“{g.final.value}”与建议“{g.suggested.value}”不同，但没有理由。"))
    return out


def finalisation_differences(reviews: list[Review], names: dict[str, str], recorded: str) -> list[str]:
    """A finalised organisation: every grade given, distributed as the finalisation recorded (``recorded``:
    the finalisation's message, e.g. its tag's subject)."""
    out = []
    missing = [names.get(r.branch, r.branch) for r in reviews if r.grade.final is None]
    if missing:
        out.append(f"[grade.final] 已定档，但 {len(missing)} 个党支部没有最终等次：{'、'.join(missing)}。")
    then = parse_distribution(recorded)
    now = distribution([r.grade.final for r in reviews])
    if then is not None and then != now:
        out.append(f"[grade.final] 定档时为（{distribution_text(then)}），现为（{distribution_text(now)}）。")
    return out


__all__ = [
    "finalisation_differences", "grading_differences", "meeting_differences", "paper_tally_differences",
    "parse_distribution", "score_from_counts", "tally_differences", "tally_without_meeting",
]
