"""Grading and rectification rules as tables of cases."""

from __future__ import annotations

from datetime import date

import pytest

from schema.grading import (
    Entry,
    FinalRow,
    band,
    cap_for,
    check_finalise,
    check_grades,
    composite,
    frozen_changes,
    good_cap,
    grade_score,
    inputs_of,
    suggest,
)
from schema.kinds import Grade, Rounding, TaskStatus
from schema.records import Components, GradeDecision, GradingSettings, Quota, Review, ScoringSettings, Tally, Task
from schema.rectification import is_overdue, next_status, progress, sign_off

G, FG, A, P = Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR
WEIGHTS = GradingSettings().weights  # 述职 20, 测评 50, 日常 15, 督查 15


@pytest.mark.parametrize(
    "n, rounding, cap, explanation",
    [
        (1, Rounding.FLOOR, 0, "30% × 1 = 0.3，向下取整"),
        (3, Rounding.FLOOR, 0, "30% × 3 = 0.9，向下取整"),
        (7, Rounding.FLOOR, 2, "30% × 7 = 2.1，向下取整"),
        (10, Rounding.FLOOR, 3, "30% × 10 = 3"),
        (31, Rounding.FLOOR, 9, "30% × 31 = 9.3，向下取整"),
        (0, Rounding.FLOOR, 0, "30% × 0 = 0"),
        (3, Rounding.ROUND, 1, "30% × 3 = 0.9，四舍五入"),
        (5, Rounding.ROUND, 2, "30% × 5 = 1.5，四舍五入"),
        (7, Rounding.ROUND, 2, "30% × 7 = 2.1，四舍五入"),
        (1, Rounding.CEIL, 1, "30% × 1 = 0.3，向上取整"),
        (10, Rounding.CEIL, 3, "30% × 10 = 3"),
        (31, Rounding.CEIL, 10, "30% × 31 = 9.3，向上取整"),
    ],
)
def test_good_cap(n, rounding, cap, explanation):
    assert good_cap(n, 0.30, rounding) == cap
    result = cap_for(n, Quota(good_max=0.30, rounding=rounding))
    assert (result.cap, result.explanation) == (cap, explanation)


def test_over_cap_message_has_the_numbers():
    assert cap_for(7, Quota()).over_message(3) == "好 3 个，上限 2 个（30% × 7 = 2.1，向下取整）"


@pytest.mark.parametrize(
    "inputs, expected",
    [
        ({"report": 90, "rating": 90, "daily": 90, "inspection": 90}, 90.0),
        ({"report": 80, "rating": 90, "daily": 70, "inspection": 100}, 86.5),
        # missing inputs: weights re-normalised over those present, not counted as 0
        ({"report": 80, "rating": 90, "daily": None, "inspection": None}, 87.14),
        ({"rating": 77.7}, 77.7),
        ({"report": None, "rating": None, "daily": None, "inspection": None}, None),
        ({}, None),
        # two decimals, half up
        ({"report": 100, "rating": 0, "daily": 0, "inspection": 0.5}, 20.08),
    ],
)
def test_composite(inputs, expected):
    assert composite(inputs, WEIGHTS) == expected


def test_zero_weight_input_is_ignored():
    assert composite({"report": 50, "rating": 90}, {"report": 0, "rating": 100}) == 90.0


@pytest.mark.parametrize(
    "score, grade",
    [(100, G), (90, G), (89.99, FG), (75, FG), (74.99, A), (60, A), (59.99, P), (0, P), (None, None)],
)
def test_bands(score, grade):
    assert band(score, GradingSettings().bands) == grade


@pytest.mark.parametrize(
    "text, value",
    [("88", 88.0), (" 92.5 ", 92.5), ("好", 100), ("较好", 80), ("一般", 60), ("差", 40), ("0", 0.0), ("100", 100.0)],
)
def test_grade_score_accepts_numbers_and_grades(text, value):
    assert grade_score(text, ScoringSettings()) == value


@pytest.mark.parametrize("text", ["101", "-1", "优秀", ""])
def test_grade_score_refuses(text):
    with pytest.raises(ValueError):
        grade_score(text, ScoringSettings())


def test_rating_comes_from_the_published_tally_before_the_hand_entered_value():
    r = Review(branch="b", org="o", year=2020, components=Components(rating=70))
    assert inputs_of(r)["rating"] == 70
    r = r.model_copy(update={"tally": Tally(counts={"好": 3}, valid=3, score=100)})
    assert inputs_of(r)["rating"] == 100


def entry(branch: str, score: float | None, rating: float | None = None, share: float | None = None) -> Entry:
    # one input only, so composite == score; the rating key is tested through the share and a second input
    inputs = {"inspection": score} if rating is None else {"inspection": score, "rating": rating}
    return Entry(branch, inputs, good_share=share)


def only_inspection() -> GradingSettings:
    return GradingSettings(weights={"report": 0, "rating": 0, "daily": 0, "inspection": 100})


def run(entries, n=None, **settings):
    result = suggest(entries, only_inspection().model_copy(update=settings), Quota(), n)
    return [(s.branch, s.rank, s.suggested.value if s.suggested else None) for s in result]


# each case: scores of branches a, b, c … (N = their count); expected (branch, rank, suggestion) in rank order
SUGGESTIONS = [
    ("N=1, 好 band but cap 0", [95], [("a", 1, "较好")]),
    ("N=1, 一般", [65], [("a", 1, "一般")]),
    ("N=3, cap 0", [95, 91, 50], [("a", 1, "较好"), ("b", 2, "较好"), ("c", 3, "差")]),
    ("N=7, cap 2, three in band", [95, 93, 91, 80, 70, 60, 59],
     [("a", 1, "好"), ("b", 2, "好"), ("c", 3, "较好"), ("d", 4, "较好"), ("e", 5, "一般"), ("f", 6, "一般"), ("g", 7, "差")]),
    ("N=7, cap 2, one in band", [95, 80, 80, 80, 80, 80, 80],
     [("a", 1, "好")] + [(x, 2, "较好") for x in "bcdefg"]),
    ("N=10, cap 3, exactly 3 in band", [99, 98, 97, 89, 88, 87, 86, 85, 84, 83],
     [("a", 1, "好"), ("b", 2, "好"), ("c", 3, "好")] + [(x, 4 + i, "较好") for i, x in enumerate("defghij")]),
    ("N=7, tie straddles the cap: both tied demoted", [95, 92, 92, 80, 80, 70, 50],
     [("a", 1, "好"), ("b", 2, "较好"), ("c", 2, "较好"), ("d", 4, "较好"), ("e", 4, "较好"), ("f", 6, "一般"), ("g", 7, "差")]),
    ("N=7, tie inside the cap is fine", [95, 95, 91, 80, 80, 70, 50],
     [("a", 1, "好"), ("b", 1, "好"), ("c", 3, "较好"), ("d", 4, "较好"), ("e", 4, "较好"), ("f", 6, "一般"), ("g", 7, "差")]),
    ("N=7, tie of three at the top, cap 2: all demoted", [92, 92, 92, 80, 80, 70, 50],
     [("a", 1, "较好"), ("b", 1, "较好"), ("c", 1, "较好"), ("d", 4, "较好"), ("e", 4, "较好"), ("f", 6, "一般"), ("g", 7, "差")]),
    ("missing input: no rank, no suggestion, listed last", [None, 80, 95],
     [("c", 1, "较好"), ("b", 2, "较好"), ("a", None, None)]),
]


@pytest.mark.parametrize("scores, expected", [c[1:] for c in SUGGESTIONS], ids=[c[0] for c in SUGGESTIONS])
def test_suggestions(scores, expected):
    entries = [entry(chr(ord("a") + i), s) for i, s in enumerate(scores)]
    assert run(entries) == expected


def test_n31_fills_nine_by_rank():
    scores = [99 - i * 0.5 for i in range(31)]  # 99 … 84: twenty in the 好 band
    result = run([entry(f"b{i:02d}", s) for i, s in enumerate(scores)])
    assert [s for _, _, s in result].count("好") == 9
    assert [b for b, _, s in result if s == "好"] == [f"b{i:02d}" for i in range(9)]


def test_tie_break_by_rating_then_good_share_resolves_the_boundary():
    # same composite 92 for b, c, d; 测评 decides b vs (c, d); the 好 share decides c vs d
    settings = GradingSettings(weights={"report": 0, "rating": 0, "daily": 0, "inspection": 100})
    entries = [
        Entry("a", {"inspection": 96, "rating": 90}, good_share=0.9),
        Entry("b", {"inspection": 92, "rating": 95}, good_share=0.5),
        Entry("c", {"inspection": 92, "rating": 90}, good_share=0.8),
        Entry("d", {"inspection": 92, "rating": 90}, good_share=0.7),
        Entry("e", {"inspection": 70}), Entry("f", {"inspection": 70}), Entry("g", {"inspection": 70}),
    ]
    result = suggest(entries, settings, Quota())
    assert [(s.branch, s.rank, s.suggested.value) for s in result][:4] == [
        ("a", 1, "好"), ("b", 2, "好"), ("c", 3, "较好"), ("d", 4, "较好")
    ]
    # with the rating key only, c and d stay tied but the cap (2) is above them: no effect
    only = suggest(entries, settings.model_copy(update={"tie_break": ["composite", "rating"]}), Quota())
    assert [(s.branch, s.rank) for s in only][:4] == [("a", 1), ("b", 2), ("c", 3), ("d", 3)]
    # composite alone: b, c, d tied across the cap → all three 较好, only a is 好
    comp = suggest(entries, settings.model_copy(update={"tie_break": ["composite"]}), Quota())
    assert [(s.branch, s.suggested.value, s.note) for s in comp][:4] == [
        ("a", "好", ""), ("b", "较好", "名额边界并列，无法区分"), ("c", "较好", "名额边界并列，无法区分"),
        ("d", "较好", "名额边界并列，无法区分"),
    ]
    # "id" as the last key always breaks the tie
    by_id = suggest(entries, settings.model_copy(update={"tie_break": ["composite", "id"]}), Quota())
    assert [s.suggested.value for s in by_id][:4] == ["好", "好", "较好", "较好"]


def test_n_counts_branches_without_inputs():
    # three scored, N = 7 in scope → cap 2
    assert [s for _, _, s in run([entry("a", 95), entry("b", 94), entry("c", 93)], n=7)] == ["好", "好", "较好"]


def rows(*triples) -> list[FinalRow]:
    return [FinalRow(f"b{i}", f"支部{i}", s, f, r) for i, (s, f, r) in enumerate(triples)]


@pytest.mark.parametrize(
    "n, triples, messages",
    [
        (7, [(G, G, ""), (G, G, ""), (FG, G, "群众公认")] + [(FG, FG, "")] * 4,
         ["好 3 个，上限 2 个（30% × 7 = 2.1，向下取整）"]),
        (7, [(G, G, ""), (FG, G, "")] + [(FG, FG, "")] * 5,
         ["支部1：最终等次“好”与建议“较好”不同，请填写理由"]),
        (7, [(G, G, ""), (G, FG, "让出名额")] + [(A, A, "")] * 5, []),
        (1, [(FG, G, "理由")], ["好 1 个，上限 0 个（30% × 1 = 0.3，向下取整）"]),
        (3, [(FG, FG, ""), (A, P, ""), (P, A, "有改进")],
         ["支部1：最终等次“差”与建议“一般”不同，请填写理由"]),
        (10, [(G, G, "")] * 3 + [(FG, None, "")] * 7, []),
    ],
)
def test_check_grades(n, triples, messages):
    assert [p.message for p in check_grades(rows(*triples), cap_for(n, Quota()))] == messages


def test_finalise_needs_every_grade():
    problems = check_finalise(rows((G, G, ""), (FG, None, "")), cap_for(7, Quota()))
    assert [p.message for p in problems] == ["还有 1 个党支部没有最终等次：支部1"]


@pytest.mark.parametrize(
    "change, parts",
    [
        ({"components": Components(daily=80)}, ["评定输入"]),
        ({"grade": GradeDecision(final=G)}, ["等次"]),
        ({"tally": Tally(valid=3)}, ["测评结果（会议计票）"]),
        ({"grade": GradeDecision(final=G), "components": Components(report=1)}, ["评定输入", "等次"]),
        ({"tasks": [Task(id="t1", problem="x")]}, []),
    ],
)
def test_frozen_changes(change, parts):
    old = Review(branch="b", org="o", year=2020)
    assert frozen_changes(old, old.model_copy(update=change)) == parts


# ---------------------------------------------------------------- rectification

TODAY = date(2021, 1, 25)


@pytest.mark.parametrize(
    "deadline, status, overdue",
    [
        (date(2021, 1, 24), TaskStatus.NOT_STARTED, True),
        (date(2021, 1, 24), TaskStatus.IN_PROGRESS, True),
        (date(2021, 1, 24), TaskStatus.DONE, False),
        (date(2021, 1, 24), TaskStatus.SIGNED_OFF, False),
        (date(2021, 1, 25), TaskStatus.IN_PROGRESS, False),
        (None, TaskStatus.IN_PROGRESS, False),
    ],
)
def test_overdue(deadline, status, overdue):
    assert is_overdue(Task(id="t", problem="p", deadline=deadline, status=status), TODAY) is overdue


def tasks(**counts) -> list[Task]:
    status = {"ns": TaskStatus.NOT_STARTED, "ip": TaskStatus.IN_PROGRESS, "done": TaskStatus.DONE, "so": TaskStatus.SIGNED_OFF}
    return [Task(id=f"{k}{i}", problem="p", status=status[k]) for k, n in counts.items() for i in range(n)]


@pytest.mark.parametrize(
    "counts, text, rate",
    [
        ({"done": 19, "ip": 6}, "25 项，已完成 19 项，整改中 6 项，76%", 76),
        ({"done": 7, "so": 12, "ip": 6}, "25 项，已完成 19 项（已销号 12 项），整改中 6 项，76%", 76),
        ({"ns": 1, "ip": 1, "done": 1}, "3 项，已完成 1 项，整改中 1 项，未开始 1 项，33%", 33),
        ({"done": 1, "ip": 1}, "2 项，已完成 1 项，整改中 1 项，50%", 50),
        ({"so": 2}, "2 项，已完成 2 项（已销号 2 项），整改中 0 项，100%", 100),
        ({}, "0 项", None),
    ],
)
def test_progress(counts, text, rate):
    p = progress(tasks(**counts), TODAY)
    assert (p.text, p.rate) == (text, rate)


def test_status_cycle_and_sign_off():
    t = Task(id="t", problem="p")
    assert next_status(t.status) == TaskStatus.IN_PROGRESS
    assert next_status(TaskStatus.DONE) == TaskStatus.NOT_STARTED
    with pytest.raises(ValueError, match="只有“已完成”的任务可以销号"):
        sign_off(t, TODAY, "组织员")
    done = sign_off(t.model_copy(update={"status": TaskStatus.DONE}), TODAY, "组织员")
    assert (done.status, done.signed_off, done.signed_off_by) == (TaskStatus.SIGNED_OFF, TODAY, "组织员")
    with pytest.raises(ValueError, match="已销号"):
        next_status(done.status)


@pytest.mark.parametrize("grade, tasks, expected, unexpected", [
    (Grade.FAIRLY_GOOD, [], "希望继续保持", "上述问题"),
    (Grade.FAIRLY_GOOD, ["党费未按月收缴"], "希望针对上述问题认真整改", "希望继续保持"),
    (Grade.AVERAGE, [], "请对照考核情况查找问题", "上述问题"),
    (Grade.POOR, ["支委未配齐"], "请针对上述问题制定整改方案", "查找问题"),
])
def test_feedback_draft_mentions_problems_only_when_there_are_some(grade, tasks, expected, unexpected):
    from schema.followup import draft_feedback
    from schema.kinds import BranchKind, OrgKind
    from schema.records import Branch, Org

    org = Org(id="o", name="测试学院党委", kind=OrgKind.COMMITTEE)
    branch = Branch(id="b1", org="o", name="测试第一党支部", kind=BranchKind.STAFF, founded=date(2010, 1, 1),
                    secretary="张三")
    review = Review(branch="b1", org="o", year=2020, grade=GradeDecision(final=grade),
                    tasks=[Task(id=f"t{n}", problem=p) for n, p in enumerate(tasks)])
    text = draft_feedback(branch, org, review, 2020)
    assert expected in text and unexpected not in text, text
