"""Pure meeting rules: ballot validity, tallies and scores, reconciliation, double-entry compare."""

from __future__ import annotations

import pytest

from schema.ballots import judge
from schema.kinds import BallotForm, BallotStatus
from schema.reconcile import Mismatch, compare, count_messages, quorum_messages, tally_messages
from schema.records import (
    Attendance,
    Ballot,
    BallotCounts,
    FrozenSettings,
    Indicator,
    RaterGroup,
    ScoringSettings,
    Tally,
)
from schema.tally import tally_grades, tally_indicators, tally_meeting, trimmed_mean, vote_score

COLS = ["b1", "b2", "b3"]


def ballot(serial: int, *marks: str, status=BallotStatus.FINISHED, group: str = "", entry: int = 1, reason: str = "") -> Ballot:
    return Ballot(org="o", year=2020, entry=entry, serial=serial, group=group, status=status, reason=reason,
                  marks=dict(zip(COLS, marks)))


@pytest.mark.parametrize(
    "marks, status, settings, valid, reason",
    [
        (("好", "较好", "一般"), BallotStatus.FINISHED, {}, True, ""),
        (("好", "", "差"), BallotStatus.FINISHED, {}, True, ""),  # a blank item is an abstention
        (("", "", ""), BallotStatus.FINISHED, {}, False, "空白票"),
        (("弃权", "", "弃权"), BallotStatus.FINISHED, {}, False, "空白票"),
        (("好", "多选", "差"), BallotStatus.FINISHED, {}, True, ""),  # over-marked item: abstention by default
        (("好", "多选", "差"), BallotStatus.FINISHED, {"overmarked_voids_ballot": True}, False, "有多选项，按规则整票无效"),
        (("好", "好", "好"), BallotStatus.FINISHED, {}, True, ""),
        (("好", "好", "好"), BallotStatus.FINISHED, {"uniform_voids_ballot": True}, False, "全部评为“好”，按规则无效"),
        (("好", "好", "好"), BallotStatus.INVALID, {}, False, "票面破损"),
        (("好", "好", "好"), BallotStatus.OPEN, {}, False, "尚未录完"),
    ],
)
def test_ballot_validity(marks, status, settings, valid, reason):
    b = ballot(1, *marks, status=status, reason="票面破损" if status == BallotStatus.INVALID else "")
    verdict = judge(b, COLS, ScoringSettings(**settings))
    assert (verdict.valid, verdict.reason) == (valid, reason)


@pytest.mark.parametrize(
    "values, expected",
    [([], None), ([80], 80), ([100, 80, 60, 40, 100], 76), ([100, 100, 80, 60, 40, 100], 85), ([40, 100, 100, 100, 100, 100, 100], 100)],
)
def test_trimmed_mean_drops_extremes_only_above_five_raters(values, expected):
    assert trimmed_mean(values) == expected


@pytest.mark.parametrize(
    "counts, valid, score",
    [
        ({"好": 10}, 10, 100),
        ({"好": 5, "较好": 3, "一般": 1, "差": 1}, 10, (500 + 240 + 60 + 40) / 10),
        ({"好": 4, "弃权": 1}, 5, 80),  # abstentions count in the divisor, as published
        ({}, 0, None),
    ],
)
def test_weighted_vote_score(counts, valid, score):
    assert vote_score(counts, valid, ScoringSettings().vote_values) == score


def test_tally_counts_shares_and_score():
    ballots = [ballot(1, "好", "较好", ""), ballot(2, "好", "一般", "多选"), ballot(3, "较好", "差", "好"),
               ballot(4, "好", "好", "弃权")]
    t = tally_grades(ballots, "b1", ScoringSettings())
    assert t.counts == {"好": 3, "较好": 1, "一般": 0, "差": 0, "弃权": 0}
    assert (t.valid, t.score, t.good_share, t.good_or_fair_share) == (4, 95.0, 0.75, 1.0)
    t3 = tally_grades(ballots, "b3", ScoringSettings())
    assert t3.counts == {"好": 1, "较好": 0, "一般": 0, "差": 0, "弃权": 3}  # blank, over-marked, abstain
    assert t3.score == 25.0


def test_trimmed_mean_setting_scores_by_trimmed_mean():
    marks = ["好", "好", "较好", "一般", "差", "好"]
    ballots = [ballot(n, m, "好", "好") for n, m in enumerate(marks, start=1)]
    t = tally_grades(ballots, "b1", ScoringSettings(trimmed_mean=True))
    assert t.trimmed_mean == t.score == pytest.approx((100 + 100 + 80 + 60) / 4)
    assert "去掉一个最高一个最低" in t.method


def test_rater_group_weights():
    scoring = ScoringSettings(rater_groups=[RaterGroup(name="A票", weight=0.6), RaterGroup(name="B票", weight=0.4)])
    ballots = [ballot(1, "好", "好", "好", group="A票"), ballot(2, "较好", "好", "好", group="A票"),
               ballot(3, "一般", "好", "好", group="B票")]
    t = tally_grades(ballots, "b1", scoring)
    assert t.group_scores == {"A票": 90.0, "B票": 60.0}
    assert t.score == pytest.approx(0.6 * 90 + 0.4 * 60)
    only_a = tally_grades(ballots[:2], "b1", scoring)  # a group without ballots drops out, weights re-normalised
    assert only_a.score == 90.0


def test_indicator_totals():
    inds = [Indicator(id="i1", group="履职尽责", name="履职", max_points=20), Indicator(id="i2", group="支部建设", name="建设", max_points=30)]
    ballots = [Ballot(org="o", year=2020, entry=1, serial=n, status=BallotStatus.FINISHED, points={"b1": {"i1": a, "i2": b}})
               for n, (a, b) in enumerate([(20, 30), (10, 20), (15, 25)], start=1)]
    t = tally_indicators(ballots, "b1", inds, ScoringSettings())
    assert t.indicator_means == {"i1": 15.0, "i2": 25.0}
    assert t.indicator_total == 40.0 and t.score == 80.0


def test_tally_meeting_counts_only_valid_ballots():
    frozen = FrozenSettings(at="2021-01-12T16:00:00+08:00", form=BallotForm.GRADES, columns=COLS, scoring=ScoringSettings())
    ballots = [ballot(1, "好", "好", "差"), ballot(2, "", "", ""), ballot(3, "差", "好", "好", status=BallotStatus.INVALID)]
    tallies = tally_meeting(ballots, frozen)
    assert tallies["b1"].valid == 1 and tallies["b1"].counts["好"] == 1


@pytest.mark.parametrize(
    "attendance, expected",
    [
        ([("委员", 7, 7), ("党支部书记", 12, 12)], []),
        ([("委员", 10, 5), ("党员干部", 10, 5)], ["出席人数不足：应到 20 人，实到 10 人，须至少 11 人（超过 50%），差 1 人"]),
        ([("委员", 7, 1), ("党支部书记", 12, 2)], ["出席人数不足：应到 19 人，实到 3 人，须至少 10 人（超过 50%），差 7 人"]),
        ([("委员", 7, 8), ("党支部书记", 12, 12)], ["委员实到 8 人，多于应到 7 人"]),
        ([], ["未填写应到人数，无法判断是否达到法定人数"]),
    ],
)
def test_quorum(attendance, expected):
    assert quorum_messages([Attendance(group=g, due=d, present=p) for g, d, p in attendance]) == expected


@pytest.mark.parametrize(
    "issued, collected, not_returned, valid, invalid, expected",
    [
        (40, 38, 2, 37, 1, []),
        (40, 38, 1, 37, 1, ["发出 40 张 ≠ 收回 38 张 + 未收回 1 张（少 1 张）"]),
        (40, 38, 2, 36, 1, ["收回 38 张 ≠ 有效 36 张 + 无效 1 张（已录入票少 1 张）"]),
        (40, 38, 2, 38, 1, ["收回 38 张 ≠ 有效 38 张 + 无效 1 张（已录入票多 1 张）"]),
        (40, 42, 0, 42, 0, ["收回票数 42 多于发出票数 40（多 2 张），本轮测评无效"]),
        (0, 0, 0, 0, 0, ["未填写发出票数"]),
    ],
)
def test_count_reconciliation_says_which_count_is_off_and_by_how_much(issued, collected, not_returned, valid, invalid, expected):
    counts = BallotCounts(issued=issued, collected=collected, not_returned=not_returned)
    assert count_messages(counts, valid, invalid) == expected


def test_per_secretary_sums_must_equal_valid_ballots():
    tallies = {"b1": Tally(counts={"好": 5, "较好": 3, "一般": 1, "差": 0, "弃权": 1}, valid=10),
               "b2": Tally(counts={"好": 5, "较好": 3, "一般": 0, "差": 0, "弃权": 0}, valid=10)}
    assert tally_messages(tallies, {"b2": "王晓明"}, 10) == ["王晓明：好+较好+一般+差+弃权 = 8 ≠ 有效票 10 张（少 2）"]


def test_double_entry_compare_lists_every_mismatching_cell():
    first = {1: ballot(1, "好", "好", "差"), 2: ballot(2, "较好", "一般", "好"), 3: ballot(3, "好", "好", "好")}
    second = {1: ballot(1, "好", "好", "差", entry=2), 2: ballot(2, "较好", "较好", "", entry=2),
              4: ballot(4, "好", "好", "好", entry=2)}
    assert compare(first, second) == [
        Mismatch(2, "b2", "一般", "较好"),
        Mismatch(2, "b3", "好", ""),
        Mismatch(3, "", "有", "缺"),
        Mismatch(4, "", "缺", "有"),
    ]
    invalid = {1: ballot(1, "好", "好", "差", status=BallotStatus.INVALID, entry=2)}
    assert compare({1: first[1]}, invalid) == [Mismatch(1, "状态", "", "无效")]
