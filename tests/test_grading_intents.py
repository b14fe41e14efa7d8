"""The grading and follow-up intents on a real archive, without a screen: what they commit
(files, messages), what they refuse, and the snapshot they leave behind."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from schema.clock import Clock
from schema.kinds import Grade, ProblemSource, TaskStatus
from schema.records import Feedback, Interview, Review
from store.archive import Archive
from store.errors import ConflictError, StoreError
from store.grading import GradingError, finalise_tags
from store.service import Service
from tests.conftest import git_log

TODAY = date(2021, 1, 26)


@pytest.fixture
def service(demo_archive: Archive):
    service = Service(demo_archive, Clock(fixed_today=TODAY))
    service.load()
    yield service
    service.close()


SCORES = [95, 85, 70, 50]  # every input of 后勤集团党总支's four branches: suggested 好, 较好, 一般, 差


def graded(service: Service, org: str, finals: dict[int, Grade], reason: str = "") -> list[Review]:
    """The organisation's reviews with inputs (logi's) and the given final grades."""
    sheet = service.grading.worksheet(org)
    out = []
    for n, i in enumerate(sheet.ids):
        r = sheet.edit[i]
        if org == "logi":
            score = SCORES[n]
            r = r.model_copy(update={"components": r.components.model_copy(
                update={"report": score, "rating": score, "daily": score, "inspection": score})})
        if n in finals:
            r = r.model_copy(update={"grade": r.grade.model_copy(update={"final": finals[n], "reason": reason})})
        out.append(r)
    return out


LOGI = {0: Grade.GOOD, 1: Grade.FAIRLY_GOOD, 2: Grade.AVERAGE, 3: Grade.FAIRLY_GOOD}  # one departure (差 → 较好)  # 后勤集团党总支: N = 4, cap 1


# ---------------------------------------------------------------- grading


def test_save_commits_the_changed_reviews_with_their_suggestions_and_updates_the_snapshot(service: Service):
    saved = service.grading.save("logi", graded(service, "logi", LOGI, "测试"))
    assert len(saved) == 4 and all(s.version for s in saved)
    subject = git_log(service.archive, "-1")[0]
    assert subject == "测试员|评定：后勤集团党总支 4 个党支部的等次（好 1、较好 2、一般 1、差 0）"
    assert "等次 （空） → 较好；建议 （空） → 差；理由：测试；述职情况 （空） → 50" in service.archive.git.run("log", "-1", "--format=%b")
    sheet = service.grading.worksheet("logi")
    assert [sheet.edit[i].grade.final for i in sheet.ids] == [LOGI[n] for n in range(4)]
    assert all(sheet.read[i].grade.suggested is not None for i in sheet.ids)  # the rules' suggestion is saved too
    assert not sheet.unsaved() and sheet.dirty_ids() == []
    head = service.archive.head()
    assert service.grading.save("logi", graded(service, "logi", LOGI, "测试")) == saved  # nothing changed: no commit
    assert service.archive.head() == head


@pytest.mark.parametrize("finals, reason, problems", [
    ({0: Grade.GOOD, 1: Grade.GOOD}, "x", ["好 2 个，上限 1 个（30% × 4 = 1.2，向下取整）"]),
    ({0: Grade.POOR}, "", None),  # a departure without a reason: named with the branch
])
def test_save_refuses_a_set_that_breaks_a_rule_and_names_every_problem(service: Service, finals, reason, problems):
    head = service.archive.head()
    with pytest.raises(GradingError) as e:
        service.grading.save("logi", [r for n, r in enumerate(graded(service, "logi", finals, reason)) if n in finals])
    if problems:
        assert e.value.problems == problems
    else:
        assert len(e.value.problems) == 1 and e.value.problems[0].endswith("请填写理由")
    assert service.archive.head() == head


def test_save_from_versions_read_before_someone_else_saved_is_a_conflict(service: Service):
    sheet = service.grading.worksheet("logi")
    service.grading.save("logi", graded(service, "logi", {0: Grade.GOOD}))  # another save in between
    stale = graded(service, "logi", {0: Grade.AVERAGE}, "测试")
    with pytest.raises(ConflictError):
        service.grading.save("logi", stale, sheet.versions)


def test_save_refuses_a_branch_of_another_organisation(service: Service):
    stray = graded(service, "chem", {0: Grade.GOOD})[:1]
    with pytest.raises(GradingError, match="不是后勤集团党总支纳入考核的党支部"):
        service.grading.save("logi", stray)


def test_finalise_and_reopen_use_the_service_clock_and_absorb_the_record(service: Service):
    with pytest.raises(GradingError, match="还有 4 个党支部没有最终等次"):
        service.grading.finalise("logi")
    service.grading.save("logi", graded(service, "logi", LOGI, "测试"))
    org_year = service.grading.finalise("logi")
    assert org_year.record.grading.at.startswith("2021-01-26T")
    assert service.snapshot.org_year("logi") == org_year
    assert finalise_tags(service.archive, "logi", 2020) == ["finalise/2020/logi/1"]
    with pytest.raises(GradingError, match="需要说明原因"):
        service.grading.reopen("logi", "  ")
    reopened = service.grading.reopen("logi", "补录督查结果")
    assert reopened.record.grading.reopen_reasons[0].startswith("2021-01-26T")
    assert not service.grading.worksheet("logi").finalised


# ---------------------------------------------------------------- follow-up


def test_unchanged_follow_up_commits_nothing(service: Service):
    branch = service.grading.branch_ids("chem")[0]
    review = service.snapshot.review(branch).record
    head = service.archive.head()
    assert service.followup.save_feedback(branch, review.feedback) is None
    assert service.followup.save_interview(branch, review.interview) is None
    assert service.followup.set_announcement_scope("chem", "  ") is None  # blank as it is
    assert service.followup.add_task(branch, "   ") is None
    assert service.archive.head() == head


def test_task_edits_say_what_changed(service: Service):
    branch = service.grading.branch_ids("mech")[0]
    name = service.snapshot.branches[branch].record.name
    task = service.followup.add_task(branch, "组织生活记录不规范").stored.record.tasks[-1]
    cases = [
        ("deadline", date(2021, 3, 1), f"整改：{name}「组织生活记录不规范」整改期限 → 2021年3月1日"),
        ("deadline", None, f"整改：{name}「组织生活记录不规范」整改期限 → （空）"),
        ("owner", "王明", f"整改：{name}「组织生活记录不规范」责任人 → 王明"),
        ("source", ProblemSource.INSPECTION, f"整改：{name}「组织生活记录不规范」来源 → 督查"),
        ("status", TaskStatus.IN_PROGRESS, f"整改：{name}「组织生活记录不规范」→ 整改中"),
        ("problem", "组织生活记录不全", f"整改：{name}「组织生活记录不规范」问题 → 组织生活记录不全"),
    ]
    for field, value, message in cases:
        recorded = service.followup.update_task(branch, task.id, field, value)
        assert recorded.message == message and git_log(service.archive, "-1")[0] == f"测试员|{message}"
    assert service.followup.update_task(branch, task.id, "owner", "王明") is None  # as it is: nothing to commit


@pytest.mark.parametrize("field, value, message", [
    ("problem", " ", "问题不能为空"),
    ("status", TaskStatus.SIGNED_OFF, "销号请用销号"),
    ("files", [], "整改任务没有“files”一项"),
])
def test_task_edits_refused(service: Service, field, value, message):
    branch = service.grading.branch_ids("mech")[0]
    task = service.followup.add_task(branch, "测试").stored.record.tasks[-1]
    head = service.archive.head()
    with pytest.raises(StoreError, match=message):
        service.followup.update_task(branch, task.id, field, value)
    assert service.archive.head() == head


def test_sign_off_only_what_is_done_and_undo_it(service: Service):
    branch = service.grading.branch_ids("mech")[0]
    task = service.followup.add_task(branch, "测试").stored.record.tasks[-1]
    with pytest.raises(StoreError, match="只有“已完成”的任务可以销号（现为“未开始”）"):
        service.followup.sign_off(branch, task.id)
    with pytest.raises(StoreError, match="没有整改任务 t99"):
        service.followup.sign_off(branch, "t99")
    service.followup.update_task(branch, task.id, "status", TaskStatus.DONE)
    signed = service.followup.sign_off(branch, task.id).stored.record.tasks[-1]
    assert (signed.status, signed.signed_off, signed.signed_off_by) == (TaskStatus.SIGNED_OFF, TODAY, "测试员")
    with pytest.raises(StoreError, match="该任务已销号"):
        service.followup.update_task(branch, task.id, "status", TaskStatus.IN_PROGRESS)
    undone = service.followup.undo_sign_off(branch, task.id)
    assert undone.stored.record.tasks[-1].status == TaskStatus.DONE
    assert undone.message.startswith("撤销销号：")


def test_quick_task_edits_from_two_threads_both_land(service: Service):
    branch = service.grading.branch_ids("mech")[0]
    before = len(service.snapshot.review(branch).record.tasks)
    threads = [threading.Thread(target=service.followup.add_task, args=(branch, f"问题{n}")) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tasks = service.snapshot.review(branch).record.tasks
    assert len(tasks) == before + 2 and len({t.id for t in tasks}) == len(tasks)


def test_evidence_is_copied_in_by_the_intent(service: Service, tmp_path: Path):
    branch = service.grading.branch_ids("mech")[0]
    task = service.followup.add_task(branch, "测试").stored.record.tasks[-1]
    with pytest.raises(StoreError, match="找不到文件"):
        service.followup.attach_evidence(branch, task.id, tmp_path / "没有.pdf")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF evidence")
    recorded = service.followup.attach_evidence(branch, task.id, scan)
    stored = recorded.stored.record.tasks[-1].files[0]
    assert (service.archive.root / stored.path).read_bytes() == b"%PDF evidence" and stored.added == TODAY
    assert stored.path in service.archive.git.run("show", "--name-only", "--format=", "HEAD")


def test_feedback_interview_and_scope_messages(service: Service):
    branch = service.grading.branch_ids("mech")[0]
    name = service.snapshot.branches[branch].record.name
    assert service.followup.save_feedback(branch, Feedback(text="好")).message == f"反馈：{name}"
    assert service.followup.save_interview(branch, Interview(by="甲")).message == f"约谈：{name}（约谈，约谈人 甲）"
    assert service.followup.set_announcement_scope("mech", " 全院 ").message == "通报范围：机械工程学院党委 → 全院"
    assert service.snapshot.org_year("mech").record.announcement_scope == "全院"
    assert service.followup.set_announcement_scope("mech", "").message == "通报范围：机械工程学院党委 → （空）"


def test_export_writes_three_documents_titled_as_a_draft_until_finalised(service: Service, tmp_path: Path):
    assert service.followup.export_folder() == service.export_folder()  # the one export folder
    paths = service.followup.export("mech", tmp_path / "out")
    assert [p.name for p in paths] == ["2020-mech-反馈.docx", "2020-mech-通报.docx", "2020-mech-通报.xlsx"]
    assert Document(paths[1]).paragraphs[0].text.endswith("（评定未定档，仅供核对）")
    final = service.followup.export("chem", tmp_path / "out")
    assert Document(final[1]).paragraphs[0].text == "关于2020年度党支部书记述职评议考核结果的通报"
