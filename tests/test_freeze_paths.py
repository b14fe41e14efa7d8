"""A finalised organisation stays frozen whichever way a change comes in.

On the demo archive chem's 2020 grading is finalised (store/demo/grading.py). Every intent and
every lower path that would change its grades, tallies, inputs or scope is refused with the
finalisation named, and HEAD does not move; what finalising does not freeze (feedback, 约谈,
通报 scope, rectification) still saves on the same reviews; reopening lifts the freeze.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from schema.clock import Clock
from schema.kinds import Grade, TaskStatus
from schema.records import Ballot, Branch, Feedback, Interview, Review, ScopeException, Tally
from schema.roster import COLUMNS
from store.archive import Archive
from store.ballots import ballot_change
from store.errors import FrozenError, StoreError
from store.grading import GradingError
from store.meeting import publish_changes
from store.roster import import_roster
from store.service import Service
from store.writer import Job
from tests.conftest import git_log

TODAY = date(2021, 1, 25)
FROZEN = "化学与材料学院党委的评定已定档（第{n}次，{day}），不能修改"
FIRST = {"n": 1, "day": "2021年1月21日"}


@pytest.fixture
def service(demo_archive: Archive):
    service = Service(demo_archive, Clock(fixed_today=TODAY))
    service.load()
    yield service
    service.close()


@contextmanager
def refused(archive: Archive, what: str = "", error: type[StoreError] = FrozenError, finalised: dict = FIRST):
    """The block is refused with ``error`` naming the freeze (and ``what``); nothing is committed or left on disk."""
    head = archive.head()
    with pytest.raises(error) as e:
        yield
    if error is FrozenError:
        assert str(e.value).startswith(FROZEN.format(**finalised)) and what in str(e.value), str(e.value)
        assert "按 o 重新打开评定" in str(e.value)
    assert archive.head() == head
    assert archive.git.run("status", "--porcelain") == ""


def chem_review(service: Service, n: int = 0):
    ids = service.grading.branch_ids("chem")
    return service.snapshot.review(ids[n])


def with_grade(review: Review, final: Grade, reason: str = "测试") -> Review:
    return review.model_copy(update={"grade": review.grade.model_copy(update={"final": final, "reason": reason})})


# ---------------------------------------------------------------- grades, inputs, tallies, scope on the review

CHANGES = {
    "等次": lambda r: with_grade(r, Grade.AVERAGE),
    "评定输入": lambda r: r.model_copy(update={"components": r.components.model_copy(update={"daily": 12})}),
    "测评结果（会议计票）": lambda r: r.model_copy(update={"tally": Tally(counts={"好": 1}, valid=1, score=100)}),
    "范围例外": lambda r: r.model_copy(update={"scope_exception": ScopeException(in_scope=False, reason="测试")}),
}


def test_the_grading_intent_is_refused(service: Service):
    stored = chem_review(service)
    with refused(service.archive, "等次"):
        service.grading.save("chem", [with_grade(stored.record, Grade.AVERAGE)])
    with refused(service.archive, error=GradingError):
        service.grading.finalise("chem")  # finalised already: not a second time


@pytest.mark.parametrize("part", list(CHANGES))
def test_a_record_save_of_a_frozen_part_is_refused(service: Service, part: str):
    stored = chem_review(service, 3)
    with refused(service.archive, part):
        service.records.save(stored, CHANGES[part](stored.record), "测试")
    assert service.snapshot.review(stored.record.branch) is stored  # the snapshot did not take it either


@pytest.mark.parametrize("part", list(CHANGES))
def test_the_archive_itself_refuses(service: Service, part: str):
    archive, stored = service.archive, chem_review(service, 5)
    with refused(archive, part):
        archive.save(stored, CHANGES[part](stored.record), "测试")
    change, _ = service.change(stored, CHANGES[part](stored.record))
    with refused(archive, part):
        archive.commit([change], "测试")
    feedback, _ = service.change(stored, stored.record.model_copy(update={"feedback": Feedback(text="改")}))
    with refused(archive, part):  # one frozen change refuses the whole commit
        archive.commit([feedback, change], "测试")


def test_the_finalisation_record_changes_only_by_reopening(service: Service):
    stored = service.snapshot.org_year("chem")
    grading = stored.record.grading.model_copy(update={"finalised": False})
    with refused(service.archive, "定档记录"):
        service.records.save(stored, stored.record.model_copy(update={"grading": grading}), "测试：撤销定档")


# ---------------------------------------------------------------- scope: roster and branch records


def roster_rows(service: Service) -> list[list]:
    snap = service.snapshot
    rows = []
    for stored in sorted(snap.branches.values(), key=lambda s: s.record.id):
        b = stored.record
        org = snap.orgs[b.org].record
        rows.append([org.name, org.kind.value, b.name, b.kind.value, b.founded, b.secretary, b.members, b.code,
                     b.last_election, b.committee_size])
    return rows


def write_roster(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "名册"
    book.active.append([c.header for c in COLUMNS])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_roster_adding_a_branch_to_the_frozen_scope_is_refused(service: Service, tmp_path: Path):
    rows = roster_rows(service)
    rows.append(["化学与材料学院党委", "二级党委", "化学与材料学院博士后党支部", "教工", "2019-03-01", "吴敏", 9, None, None, 3])
    with refused(service.archive, "述职范围"):
        import_roster(service.archive, write_roster(tmp_path / "名册.xlsx", rows), today=TODAY)
    # founded after the notice: not in the 2020 scope, so it is not frozen
    rows[-1][4] = "2021-01-10"
    plan = import_roster(service.archive, write_roster(tmp_path / "名册2.xlsx", rows), today=TODAY)
    assert plan.summary() == "新增 1 个党支部"


@pytest.mark.parametrize("update", [
    {"dissolved": date(2020, 10, 1)},  # dissolved before the notice: out of the 2020 scope
    {"founded": date(2021, 1, 10)},  # founded after it: out too
])
def test_a_branch_record_moving_out_of_scope_is_refused(service: Service, update: dict):
    stored = service.snapshot.branches[service.grading.branch_ids("chem")[0]]
    with refused(service.archive, "述职范围"):
        service.records.save(stored, stored.record.model_copy(update=update), "测试：改党支部")
    # what leaves the scope as it is still saves
    saved, _ = service.records.save(stored, stored.record.model_copy(update={"secretary": "新书记"}), "测试：换书记")
    assert saved.commit and isinstance(service.snapshot.branches[stored.record.id].record, Branch)


# ---------------------------------------------------------------- the meeting, ballots, publishing


def test_the_rated_order_of_the_meeting_is_refused(service: Service):
    stored = service.snapshot.meeting("chem")
    assert stored.version and stored.record.published
    with refused(service.archive, "述职名单"):
        service.records.save(stored, stored.record.model_copy(update={"order": list(reversed(stored.record.order))}), "测试")
    with refused(service.archive, "测评结果的公布"):
        service.records.save(stored, stored.record.model_copy(update={"published": False}), "测试")


def test_a_ballot_commit_is_refused_through_the_writer_and_directly(service: Service):
    ids = service.grading.branch_ids("chem")
    ballot = Ballot(org="chem", year=2020, entry=1, serial=999, marks={i: "好" for i in ids})
    change, _ = ballot_change(ballot, None)
    results = []
    with refused(service.archive, "测评票"):
        service.writer.submit(Job([change], "测评票：测试", done=lambda sha, error: results.append((sha, error))))
        assert service.flush(30)
        raise results[0][1]
    assert results[0][0] is None
    with refused(service.archive, "测评票"):
        service.archive.commit([change], "测评票：测试")


def test_publishing_the_tallies_again_is_refused(service: Service):
    snap = service.snapshot
    ids = service.grading.branch_ids("chem")
    reviews = {i: snap.review(i) for i in ids}
    tallies = {i: Tally(counts={"好": 30}, valid=30, score=100) for i in ids}
    changes, _, _ = publish_changes(service.archive, snap.meeting("chem"), reviews, tallies, 30, 0,
                                    now=service.clock.now())
    with refused(service.archive):
        service.archive.commit(changes, "公布测评结果：测试")


# ---------------------------------------------------------------- what is not frozen, and reopening


def test_followup_still_saves_on_the_frozen_reviews(service: Service, tmp_path: Path):
    archive = service.archive
    branch = service.grading.branch_ids("chem")[1]
    name = service.snapshot.branches[branch].record.name
    service.followup.save_feedback(branch, Feedback(text="继续保持", delivered=date(2021, 1, 26)))
    service.followup.save_interview(branch, Interview(held=date(2021, 1, 26), by="书记", deadline=date(2021, 3, 31)))
    service.followup.set_announcement_scope("chem", "学院全体党员")
    added = service.followup.add_task(branch, "党费未按月收缴")
    task = added.stored.record.tasks[-1]
    service.followup.update_task(branch, task.id, "status", TaskStatus.DONE)
    service.followup.sign_off(branch, task.id)
    evidence = tmp_path / "佐证.pdf"
    evidence.write_bytes(b"%PDF scan")
    service.followup.attach_evidence(branch, task.id, evidence)
    assert [line.split("|")[1] for line in git_log(archive, "-7")] == [
        f"整改佐证：{name}「党费未按月收缴」附加 佐证.pdf",
        f"销号：{name}「党费未按月收缴」（化学与材料学院党委确认）",
        f"整改：{name}「党费未按月收缴」→ 已完成",
        f"整改任务：{name} 新增「党费未按月收缴」",
        "通报范围：化学与材料学院党委 → 学院全体党员",
        f"约谈：{name}（2021年1月26日约谈，约谈人 书记，整改期限 2021年3月31日）",
        f"反馈：{name}，2021年1月26日已反馈",
    ]
    review = service.snapshot.review(branch).record
    assert review.tasks[-1].status == TaskStatus.SIGNED_OFF and review.tasks[-1].deadline == date(2021, 3, 31)
    assert service.snapshot.org_year("chem").record.grading.finalised  # still frozen


def test_reopen_then_save_goes_through_and_finalise_again_tags_anew(service: Service):
    stored = chem_review(service)
    service.grading.reopen("chem", "更正录入错误")
    assert not service.snapshot.org_year("chem").record.grading.finalised
    changed = with_grade(stored.record, Grade.AVERAGE, "更正")
    saved = service.grading.save("chem", [changed])
    assert [s.record.grade.final for s in saved if s.record.branch == stored.record.branch] == [Grade.AVERAGE]
    name = service.snapshot.branches[stored.record.branch].record.name
    assert git_log(service.archive, "-2") == [f"测试员|评定：{name} → 一般",
                                              "测试员|重新打开评定：化学与材料学院党委2020年度（更正录入错误）"]
    service.grading.finalise("chem")
    assert service.snapshot.org_year("chem").record.grading.tag == "finalise/2020/chem/2"
    with refused(service.archive, "等次", finalised={"n": 2, "day": "2021年1月25日"}):
        service.grading.save("chem", [with_grade(changed, Grade.FAIRLY_GOOD)])
