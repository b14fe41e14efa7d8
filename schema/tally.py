"""Counting: per secretary the marks of the valid ballots, shares and scores (SPEC §7).

Weighted vote score = Σ value(grade) × count ÷ valid ballots (abstentions score nothing but
count in the divisor, as published). Trimmed mean (optional): the mean of the graded
ballots' values after dropping one highest and one lowest when more than 5 raters graded.
Rater-group weights (optional): each group's score weighted by its share, re-normalised
over the groups that returned valid ballots.
"""

from __future__ import annotations

from schema.ballots import COUNTED, GRADES, counted_mark, judge
from schema.kinds import BallotForm
from schema.records import Ballot, FrozenSettings, Indicator, ScoringSettings, Tally


def score_text(value: float | None, missing: str = "—") -> str:
    """A score as every screen and export shows it: two decimals (89.60), so it reads the same everywhere."""
    return missing if value is None else f"{value:.2f}"


def trimmed_mean(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) > 5:
        ordered = ordered[1:-1]
    return sum(ordered) / len(ordered)


def vote_score(counts: dict[str, int], valid: int, values: dict) -> float | None:
    if valid == 0:
        return None
    value = {str(getattr(k, "value", k)): v for k, v in values.items()}
    return sum(value.get(g, 0) * counts.get(g, 0) for g in GRADES) / valid


def valid_ballots(ballots: list[Ballot], frozen: FrozenSettings) -> list[Ballot]:
    return [b for b in ballots if judge(b, frozen.columns, frozen.scoring, frozen.form).valid]


def _counts(ballots: list[Ballot], branch: str) -> dict[str, int]:
    counts = {g: 0 for g in COUNTED}
    for b in ballots:
        counts[counted_mark(b.marks.get(branch, ""))] += 1
    return counts


def _graded_values(ballots: list[Ballot], branch: str, scoring: ScoringSettings) -> list[float]:
    value = {str(getattr(k, "value", k)): v for k, v in scoring.vote_values.items()}
    return [value[b.marks[branch]] for b in ballots if b.marks.get(branch) in GRADES]


def _score(ballots: list[Ballot], branch: str, scoring: ScoringSettings) -> float | None:
    if scoring.trimmed_mean:
        return trimmed_mean(_graded_values(ballots, branch, scoring))
    return vote_score(_counts(ballots, branch), len(ballots), scoring.vote_values)


def tally_grades(ballots: list[Ballot], branch: str, scoring: ScoringSettings) -> Tally:
    """The tally of one secretary over ``ballots`` (already the valid ones)."""
    counts = _counts(ballots, branch)
    valid = len(ballots)
    score = vote_score(counts, valid, scoring.vote_values)
    tally = Tally(counts=counts, valid=valid, score=_round(score), method="加权得票分")
    if valid:
        tally.good_share = _round(counts["好"] / valid, 4)
        tally.good_or_fair_share = _round((counts["好"] + counts["较好"]) / valid, 4)
    if scoring.trimmed_mean:
        tally.trimmed_mean = tally.score = _round(_score(ballots, branch, scoring))
        tally.method = "去掉一个最高一个最低后的平均分（评价人多于 5 人时）"
    if scoring.rater_groups:
        scores = {g.name: _score([b for b in ballots if b.group == g.name], branch, scoring) for g in scoring.rater_groups}
        _weigh(tally, scores, scoring)
    return tally


def _weigh(tally: Tally, scores: dict[str, float | None], scoring: ScoringSettings) -> None:
    """Set the tally's score from each rater group's, weighted by the groups that have one."""
    tally.group_scores = {}
    weighted, weights = 0.0, 0.0
    for group in scoring.rater_groups:
        s = scores.get(group.name)
        if s is None:
            continue
        tally.group_scores[group.name] = _round(s)
        weighted += s * group.weight
        weights += group.weight
    tally.score = _round(weighted / weights) if weights else None
    parts = "、".join(f"{g.name} {g.weight * 100:g}%" for g in scoring.rater_groups)
    tally.method = f"按评价人类别加权（{parts}）"


def tally_indicators(ballots: list[Ballot], branch: str, indicators: list[Indicator], scoring: ScoringSettings) -> Tally:
    valid = len(ballots)
    tally = Tally(valid=valid, method="指标得分平均")
    if not valid:
        return tally
    totals = [sum(b.points.get(branch, {}).get(i.id, 0) for i in indicators) for b in ballots]
    tally.indicator_means = {}
    for i in indicators:
        tally.indicator_means[i.id] = _round(sum(b.points.get(branch, {}).get(i.id, 0) for b in ballots) / valid)
    mean = sum(totals) / valid
    if scoring.trimmed_mean:
        mean = trimmed_mean(totals) or 0.0
        tally.trimmed_mean = _round(mean)
        tally.method = "指标总分去掉一个最高一个最低后的平均（评价人多于 5 人时）"
    tally.indicator_total = _round(mean)
    full = sum(i.max_points for i in indicators)
    tally.score = _round(mean / full * 100) if full else None
    return tally


def tally_meeting(ballots: list[Ballot], frozen: FrozenSettings) -> dict[str, Tally]:
    """Every secretary's tally from one pass's ballots, under the meeting's frozen settings."""
    valid = valid_ballots(ballots, frozen)
    if frozen.form == BallotForm.INDICATORS:
        return {c: tally_indicators(valid, c, frozen.indicators, frozen.scoring) for c in frozen.columns}
    return {c: tally_grades(valid, c, frozen.scoring) for c in frozen.columns}


def score_from_counts(counts: dict[str, int], valid: int, scoring: ScoringSettings) -> float | None:
    """The score a tally's counts give, or None where the counts are not enough (rater groups)."""
    if scoring.rater_groups or valid == 0:
        return None
    if scoring.trimmed_mean:
        value = {str(getattr(k, "value", k)): v for k, v in scoring.vote_values.items()}
        mean = trimmed_mean([value[g] for g in GRADES for _ in range(counts.get(g, 0))])
    else:
        mean = vote_score(counts, valid, scoring.vote_values)
    return _round(mean)


def tally_counts(sheets: dict[str, dict[str, int]], scoring: ScoringSettings) -> Tally:
    """One secretary's tally from counts made on paper: rater group → 好/较好/一般/差/弃权 →
    ballots (one sheet under "" where the campaign has no rater groups)."""
    counts = {g: sum(sheet.get(g, 0) for sheet in sheets.values()) for g in COUNTED}
    valid = sum(counts.values())
    plain = scoring.model_copy(update={"rater_groups": []})
    tally = Tally(counts=counts, valid=valid, score=score_from_counts(counts, valid, plain), method="加权得票分")
    if valid:
        tally.good_share = _round(counts["好"] / valid, 4)
        tally.good_or_fair_share = _round((counts["好"] + counts["较好"]) / valid, 4)
    if scoring.trimmed_mean:
        tally.trimmed_mean = tally.score
        tally.method = "去掉一个最高一个最低后的平均分（评价人多于 5 人时）"
    if scoring.rater_groups:
        scores = {}
        for group in scoring.rater_groups:
            sheet = sheets.get(group.name, {})
            scores[group.name] = score_from_counts(sheet, sum(sheet.get(g, 0) for g in COUNTED), plain)
        _weigh(tally, scores, scoring)
        tally.group_counts = {group.name: {g: sheets.get(group.name, {}).get(g, 0) for g in COUNTED}
                              for group in scoring.rater_groups}  # what verify recounts the weighted score from
    tally.method += "（纸质计票汇总）"
    return tally


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)
