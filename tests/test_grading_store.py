"""Grading in the store, without a screen: refusals change nothing; finalise, reopen, finalise again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from schema.kinds import Grade
from schema.records import GradeDecision
from store.archive import Archive
from store.errors import ConflictError
from store.grading import FrozenError, GradeSet, GradingError, finalise, finalise_tags, read_org_year, reopen, save_grades, save_review
from store.snapshot import load
from tests.conftest import git_log

WHEN = datetime(2021, 1, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def grade_set(archive: Archive, org_id: str, finals: dict[int, Grade] | None = None) -> GradeSet:
    snap = load(archive)
    ids = sorted(b.id for b in snap.org_branches(org_id) if snap.scope(b.id).in_scope)
    rows = []
    for n, i in enumerate(ids):
        stored = snap.review(i)
        record = stored.record
        if finals and n in finals:
            record = record.model_copy(update={"grade": GradeDecision(suggested=finals[n], final=finals[n])})
        rows.append((stored, record))
    return GradeSet(snap.orgs[org_id].record, snap.year, rows, {i: snap.branches[i].record.name for i in ids})


def test_over_the_cap_is_refused_and_nothing_changes(demo_archive: Archive):
    head = demo_archive.head()
    logi = grade_set(demo_archive, "logi", {0: Grade.GOOD, 1: Grade.GOOD, 2: Grade.AVERAGE, 3: Grade.FAIRLY_GOOD})
    with pytest.raises(GradingError) as e:
        save_grades(demo_archive, logi, load(demo_archive).campaign)
    assert e.value.problems == ["好 2 个，上限 1 个（30% × 4 = 1.2，向下取整）"]
    assert demo_archive.head() == head and demo_archive.git.run("status", "--porcelain") == ""


def test_finalise_needs_every_grade_and_saved_rows(demo_archive: Archive):
    campaign = load(demo_archive).campaign
    with pytest.raises(GradingError, match="还有 4 个党支部没有最终等次"):
        finalise(demo_archive, grade_set(demo_archive, "logi"), campaign, WHEN)
    unsaved = grade_set(demo_archive, "logi", {0: Grade.GOOD})
    with pytest.raises(GradingError, match="还有未保存的修改"):
        finalise(demo_archive, unsaved, campaign, WHEN)
    assert finalise_tags(demo_archive, "logi", 2020) == []


def test_finalise_reopen_finalise_numbers_the_tags(demo_archive: Archive):
    campaign = load(demo_archive).campaign
    grades = {0: Grade.GOOD, 1: Grade.FAIRLY_GOOD, 2: Grade.AVERAGE, 3: Grade.FAIRLY_GOOD}
    save_grades(demo_archive, grade_set(demo_archive, "logi", grades), campaign)
    finalise(demo_archive, grade_set(demo_archive, "logi"), campaign, WHEN)
    org = load(demo_archive).orgs["logi"].record
    with pytest.raises(GradingError, match="需要说明原因"):
        reopen(demo_archive, org, 2020, "  ", WHEN)
    reopen(demo_archive, org, 2020, "补录督查结果", WHEN)
    finalise(demo_archive, grade_set(demo_archive, "logi"), campaign, WHEN)
    assert finalise_tags(demo_archive, "logi", 2020) == ["finalise/2020/logi/1", "finalise/2020/logi/2"]
    with pytest.raises(GradingError, match="^后勤集团党总支的评定已定档（第2次，2021年1月26日）$"):
        finalise(demo_archive, grade_set(demo_archive, "logi"), campaign, WHEN)
    fin = read_org_year(demo_archive, "logi", 2020).record.grading
    assert fin.tag == "finalise/2020/logi/2" and fin.at == "2021-01-26T09:00:00+08:00"
    assert fin.reopen_reasons == ["2021-01-26T09:00:00+08:00 测试员：补录督查结果"]
    assert [line.split("|")[1] for line in git_log(demo_archive, "-3")] == [
        "定档：后勤集团党总支2020年度评定（好 1、较好 2、一般 1、差 0）",
        "重新打开评定：后勤集团党总支2020年度（补录督查结果）",
        "定档：后勤集团党总支2020年度评定（好 1、较好 2、一般 1、差 0）",
    ]


def test_a_finalise_in_between_turns_a_stale_save_into_a_refusal(demo_archive: Archive):
    """A grade edited from a copy read before someone else finalised is not slipped in."""
    campaign = load(demo_archive).campaign
    save_grades(demo_archive, grade_set(demo_archive, "logi", {0: Grade.GOOD, 1: Grade.FAIRLY_GOOD,
                                                               2: Grade.AVERAGE, 3: Grade.FAIRLY_GOOD}), campaign)
    stale = load(demo_archive).reviews[grade_set(demo_archive, "logi").rows[0][1].branch]
    finalise(Archive.open(demo_archive.root, "另一位"), grade_set(demo_archive, "logi"), campaign, WHEN)
    changed = stale.record.model_copy(update={"grade": stale.record.grade.model_copy(update={"final": Grade.POOR})})
    with pytest.raises(FrozenError, match="后勤集团党总支的评定已定档（第1次，2021年1月26日），不能修改等次"):
        save_review(demo_archive, stale, changed, "测试", org_name="后勤集团党总支")
    # feedback is not frozen: it saves (the review itself did not change), and a second save from
    # the same stale copy is the usual conflict
    tasks = stale.record.model_copy(update={"feedback": stale.record.feedback.model_copy(update={"text": "好"})})
    save_review(demo_archive, stale, tasks, "反馈：测试")
    with pytest.raises(ConflictError):
        save_review(demo_archive, stale, tasks.model_copy(update={"feedback": tasks.feedback.model_copy(update={"text": "再改"})}), "再改")
