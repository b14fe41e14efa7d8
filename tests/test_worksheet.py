"""The grading worksheet (schema/worksheet.py) without a screen: tables of cases."""

from __future__ import annotations

from datetime import date

import pytest

from schema.kinds import BranchKind, Grade, OrgKind
from schema.records import Branch, Campaign, Components, Finalisation, GradeDecision, Org, Review, Tally
from schema.worksheet import DEPARTS, MISSING_REASON, GradingWorksheet, Notice, Prompt, short_name

ORG = Org(id="chem", name="化学学院党委", kind=OrgKind.COMMITTEE)
CAMPAIGN = Campaign(year=2020, notice_date=date(2020, 11, 1), report_deadline=date(2020, 12, 1),
                    completion_deadline=date(2021, 1, 31))
FINALISED = Finalisation(finalised=True, at="2021-01-21T16:30:00+08:00", by="测试员", tag="finalise/2020/chem/1")
NUMBERS = "一二三四五六七八九十"


def bid(n: int) -> str:
    return f"b{n}"


def review(n: int, score: float | None, final: Grade | None = None, reason: str = "", suggested: Grade | None = None,
           tally: float | None = None) -> Review:
    components = Components() if score is None else Components(report=score, rating=score, daily=score, inspection=score)
    return Review(branch=bid(n), org="chem", year=2020, components=components,
                  grade=GradeDecision(suggested=suggested, final=final, reason=reason),
                  tally=None if tally is None else Tally(counts={"好": 10}, valid=10, score=tally))


def sheet(*reviews: Review, finalisation: Finalisation = Finalisation(), versions: dict | None = None) -> GradingWorksheet:
    branches = {r.branch: Branch(id=r.branch, org="chem", name=f"化学学院教工第{NUMBERS[int(r.branch[1:]) - 1]}党支部",
                                 kind=BranchKind.STAFF, founded=date(2010, 1, 1), secretary=f"书记{r.branch}")
                for r in reviews}
    return GradingWorksheet(ORG, 2020, CAMPAIGN, branches, {r.branch: r for r in reviews},
                            versions if versions is not None else {r.branch: f"v-{r.branch}" for r in reviews}, finalisation)


def scored(*scores: float | None, **kw) -> GradingWorksheet:
    return sheet(*(review(n, s) for n, s in enumerate(scores, 1)), **kw)


# ---------------------------------------------------------------- ranking and suggestions


@pytest.mark.parametrize("scores, ranks, suggested", [
    # N = 6: 30% × 6 = 1.8 → one 好; the band's other 好 are suggested 较好 (↓)
    ((95, 93, 91, 80, 70, 50), ["1", "2", "3", "4", "5", "6"], ["好", "较好↓", "较好↓", "较好", "一般", "差"]),
    # N = 4, cap 1, two tied at the top: neither is picked, both 较好
    ((95, 95, 80, 70), ["1", "1", "3", "4"], ["较好↓", "较好↓", "较好", "一般"]),
    # no inputs at all: no composite, no rank, no suggestion, listed last
    ((None, 92, 61), ["1", "2", "—"], ["较好↓", "一般", "—"]),
    # N = 10: three 好 fit
    ((99, 98, 97, 96, 89, 88, 87, 86, 85, 84), [str(n) for n in range(1, 11)], ["好", "好", "好", "较好↓"] + ["较好"] * 6),
])
def test_rank_and_suggestion_under_the_cap(scores, ranks, suggested):
    rows = scored(*scores).rows()
    assert [r.rank for r in rows] == ranks
    assert [r.suggested for r in rows] == suggested


def test_suggestions_go_into_the_rows_unless_finalised():
    assert [r.grade.suggested for r in scored(95, 70, 65, 60).reviews()] == [Grade.GOOD, Grade.AVERAGE, Grade.AVERAGE, Grade.AVERAGE]
    frozen = sheet(review(1, 95, Grade.FAIRLY_GOOD, suggested=Grade.FAIRLY_GOOD), finalisation=FINALISED)
    assert frozen.reviews()[0].grade.suggested == Grade.FAIRLY_GOOD  # as saved when it was finalised


@pytest.mark.parametrize("tally, rating, shown", [
    (None, 88, "88.00*"),  # keyed by hand
    (91.5, 88, "91.50"),  # the published tally wins
    (None, None, "—"),
])
def test_the_rating_column_says_where_the_score_came_from(tally, rating, shown):
    r = Review(branch="b1", org="chem", year=2020, components=Components(rating=rating),
               tally=None if tally is None else Tally(valid=10, score=tally))
    assert sheet(r).rows()[0].rating == shown


# ---------------------------------------------------------------- editing


@pytest.mark.parametrize("reason, grade, notice, flag", [
    ("", Grade.GOOD, None, ""),  # as suggested
    ("", Grade.FAIRLY_GOOD, Notice("与建议不同，请按 r 填写理由。", "warning"), MISSING_REASON),
    ("名额让出", Grade.FAIRLY_GOOD, None, DEPARTS),
    ("", None, None, ""),  # cleared
])
def test_set_final(reason, grade, notice, flag):
    s = sheet(review(1, 95, reason=reason), review(2, 70), review(3, 65), review(4, 60))  # N = 4: one 好
    assert s.set_final("b1", grade) == notice
    row = s.rows()[0]
    assert (row.final, row.flag) == (grade.value if grade else "·", flag)
    assert s.dirty_ids() == (["b1"] if grade else [])


@pytest.mark.parametrize("column, expected", [
    ("final", Notice("按 1 好、2 较好、3 一般、4 差 设定最终等次，0 清除。")),
    ("composite", Notice("这一列由计算得出；可修改的是述职、测评、日常、督查和理由。")),
    ("name", Notice("这一列由计算得出；可修改的是述职、测评、日常、督查和理由。")),
    ("report", Prompt("b1", "report", "述职情况", "述职情况（0–100 或 好/较好/一般/差，空为未填）", "80")),
    ("reason", Prompt("b1", "reason", "理由", "理由", "")),
])
def test_what_enter_on_a_cell_does(column, expected):
    assert scored(80).edit_cell("b1", column) == expected


def test_a_rating_from_the_meeting_is_not_edited_here():
    notice = sheet(review(1, 80, tally=90)).edit_cell("b1", "rating")
    assert isinstance(notice, Notice) and "来自评议会公布的计票结果" in notice.text and notice.severity == "warning"


@pytest.mark.parametrize("text, value, error", [
    ("85", 85, None),
    ("好", 100, None),  # a grade word, at the campaign's vote value
    ("较好", 80, None),
    ("", None, None),  # not filled in
    ("120", 80, "述职情况：分数应在 0–100 之间，现为 120"),
    ("优秀", 80, "述职情况：“优秀”不是 0–100 的分数，也不是等次（好、较好、一般、差）"),
])
def test_answering_an_input(text, value, error):
    s = scored(80)
    prompt = s.edit_cell("b1", "report")
    notice = s.answer(prompt, text)
    assert (notice.text if notice else None) == error
    assert s.edit["b1"].components.report == value


def test_a_changed_input_moves_the_suggestion_and_counts_as_unsaved():
    s = scored(95, 70)
    s.answer(s.edit_cell("b2", "report"), "0")
    assert s.edit["b2"].grade.suggested == Grade.POOR  # (0 + 70 × 3) / 4 = 52.5
    assert s.dirty_ids() == ["b2"] and s.unsaved()


def test_accept_fills_only_what_is_open():
    s = sheet(review(1, 95), review(2, 80, Grade.AVERAGE, "测试"), review(3, 50), review(4, 65))
    s.accept()
    assert [r.grade.final for r in s.reviews()] == [Grade.GOOD, Grade.AVERAGE, Grade.POOR, Grade.AVERAGE]


@pytest.mark.parametrize("action", [
    lambda s: s.set_final("b1", Grade.POOR),
    lambda s: s.accept(),
    lambda s: s.edit_cell("b1", "report"),
    lambda s: s.reason_prompt("b1"),
])
def test_finalised_refuses_every_edit_and_says_how_to_reopen(action):
    s = sheet(review(1, 95, Grade.GOOD, suggested=Grade.GOOD), review(2, None), finalisation=FINALISED)
    notice = action(s)
    assert notice.severity == "error" and notice.title == "已定档"
    assert notice.text.startswith("化学学院党委的评定已定档（第1次，2021年1月21日），不能修改")
    assert "按 o 重新打开评定" in notice.text and s.message == notice.text
    assert s.dirty_ids() == [] and s.reviews()[1].grade.final is None


# ---------------------------------------------------------------- what the screen says


@pytest.mark.parametrize("finals, parts", [
    ({}, [("建议 好 1、较好 2、一般 1、差 0 → 最终 好 0、较好 0、一般 0、差 0", ""), (" · 未定 4", "")]),
    ({1: Grade.GOOD, 2: Grade.GOOD, 3: Grade.FAIRLY_GOOD, 4: Grade.AVERAGE},
     [("建议 好 1、较好 2、一般 1、差 0 → 最终 好 2、较好 1、一般 1、差 0", ""),
      (" · 好 2 个，上限 1 个（30% × 4 = 1.2，向下取整）", "error"), (" · 未保存 4 处（Ctrl+S）", "warning")]),
])
def test_the_summary_line(finals, parts):
    s = scored(95, 93, 80, 70)
    for n, grade in finals.items():
        s.set_final(bid(n), grade)
    assert s.summary() == parts


def test_header_and_detail():
    s = sheet(review(1, 95), Review(branch="b2", org="chem", year=2020, components=Components(report=80, rating=70)),
              finalisation=FINALISED)
    assert s.header() == ("化学学院党委 · 纳入 2 个 · “好”不超过 0 个（30% × 2 = 0.6，向下取整）", "已定档（第1次，2021年1月21日）")
    assert s.detail("b2") == "化学学院教工第二党支部（书记b2） · 测评：手工录入* · 缺日常了解、督查检查（按其余权重折算）"
    assert s.detail("b1").endswith("建议由“好”改为“较好”：超出“好”的名额")


@pytest.mark.parametrize("branch, org, short", [
    ("化学与材料学院教工第一党支部", "化学与材料学院党委", "教工第一党支部"),
    ("图书馆第一党支部", "图书馆党总支", "第一党支部"),
    ("机关第二党支部", "机关党工委", "第二党支部"),
    ("离退休党支部", "化学学院党委", "离退休党支部"),  # another prefix: as it is
    ("化学学院", "化学学院党委", "化学学院"),  # nothing would be left
])
def test_short_name(branch, org, short):
    assert short_name(branch, org) == short


def test_calibration_and_departures():
    s = scored(95, 93, 70, 65)  # suggested 好, 较好↓, 一般, 一般
    s.set_final("b1", Grade.FAIRLY_GOOD)
    s.set_final("b2", Grade.GOOD)
    s.answer(s.reason_prompt("b2"), "  表现突出 ")
    assert s.edit["b2"].grade.reason == "表现突出"
    assert s.calibration() == [("好", 1, 1, 0, ""), ("较好", 1, 1, 0, ""), ("一般", 2, 0, 0, "-2"), ("差", 0, 0, 0, ""),
                               ("未定", "", 2, 4, "")]
    assert s.departures() == ["化学学院教工第一党支部：建议 好 → 最终 较好（缺理由）",
                              "化学学院教工第二党支部：建议 较好 → 最终 好（表现突出）"]


# ---------------------------------------------------------------- saving, finalising, leaving


@pytest.mark.parametrize("versions, edit, expected", [
    ({"b1": "v"}, False, Notice("没有修改。")),
    ({"b1": None}, False, None),  # no review file yet: saving writes it
    ({"b1": "v"}, True, None),
])
def test_save_check(versions, edit, expected):
    s = sheet(review(1, 80, suggested=Grade.FAIRLY_GOOD), versions=versions)
    if edit:
        s.set_final("b1", Grade.FAIRLY_GOOD)
    assert s.save_check() == expected


def test_a_new_suggestion_is_unsaved_though_nothing_was_edited():
    s = sheet(review(1, 80, suggested=Grade.GOOD))  # saved under other rules
    assert s.dirty_ids() == [] and s.unsaved()
    assert s.finalise_question() == Notice("未定档：还有未保存的修改，请先按 Ctrl+S 保存", "error", "未保存", 12)


def test_finalise_and_reopen_questions():
    done = sheet(review(1, 80, Grade.FAIRLY_GOOD, suggested=Grade.FAIRLY_GOOD), review(2, 70, Grade.AVERAGE, suggested=Grade.AVERAGE))
    assert done.finalise_question() == ("化学学院党委：好 0、较好 1、一般 1、差 0。\n"
                                        "定档后，全部评定输入、计票结果和等次都将冻结（提交并打 git 标签）；重新打开需说明原因。")
    assert done.reopen_question() == Notice("评定没有定档，可以直接修改。")
    frozen = sheet(review(1, 95, Grade.GOOD, suggested=Grade.GOOD), finalisation=FINALISED)
    assert frozen.finalise_question() == Notice("已经定档。如需修改，按 o 重新打开并说明原因。")
    assert frozen.reopen_question() == "化学学院党委：重新打开后可修改评定输入和等次，原因会写入记录和历史。"


def test_leaving_and_discarding_unsaved_edits():
    s = scored(95, 70)
    assert s.leave() is None and s.discard() is None
    s.set_final("b1", Grade.GOOD)
    assert "有未保存的修改" in s.leave().text and s.message.startswith("有未保存的修改")
    first = s.discard()
    assert first.severity == "warning" and first.text.startswith("有 1 处未保存的修改：再按一次 Esc 放弃")
    assert s.dirty_ids() == ["b1"]
    assert s.discard() == Notice("已放弃未保存的修改。")
    assert s.dirty_ids() == [] and s.message == "" and s.leave() is None


def test_an_edit_between_two_escapes_disarms_the_discard():
    s = scored(95, 70)
    s.set_final("b1", Grade.GOOD)
    s.discard()
    s.set_final("b2", Grade.AVERAGE)
    assert s.discard().severity == "warning" and s.dirty_ids() == ["b1", "b2"]


# ---------------------------------------------------------------- the archive changes underneath


def test_absorb_cases():
    s = scored(95, 70, 60)
    s.set_final("b1", Grade.GOOD)  # edited here, not saved
    s.set_final("b2", Grade.AVERAGE)  # edited here, then saved (below)
    saved_b2 = s.edit["b2"]
    elsewhere_b1 = review(1, 95, Grade.FAIRLY_GOOD, "他人", suggested=Grade.GOOD)
    elsewhere_b3 = review(3, 60, Grade.AVERAGE, suggested=Grade.AVERAGE)
    fresh = sheet(elsewhere_b1, saved_b2, elsewhere_b3, versions={"b1": "w1", "b2": "w2", "b3": "w3"},
                  finalisation=FINALISED)
    assert s.absorb(fresh) is s
    assert s.edit["b1"].grade.final == Grade.GOOD and s.read["b1"] == review(1, 95)  # my edit stays; a save will conflict
    assert s.read["b2"] == saved_b2 and s.versions["b2"] == "w2"  # saved: no longer dirty
    assert s.edit["b3"] == elsewhere_b3 and s.versions["b3"] == "w3"  # nobody edited it here: follows the archive
    assert s.dirty_ids() == ["b1"] and s.finalised


@pytest.mark.parametrize("dirty, expect_fresh", [(False, True), (True, False)])
def test_absorb_when_the_scope_changed(dirty, expect_fresh):
    s = scored(95, 70)
    if dirty:
        s.set_final("b1", Grade.GOOD)
    fresh = scored(95, 70, 65)
    assert (s.absorb(fresh) is fresh) == expect_fresh
