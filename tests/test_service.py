"""The store service: the one door. Its snapshot cannot be changed in place, intents return a
new one, another user's commit is noticed, and the freeze holds whoever commits."""

from __future__ import annotations

from datetime import date

import pytest

from schema.clock import Clock
from schema.kinds import Grade
from store.archive import Archive
from store.errors import FrozenError
from store.service import Service
from tests.conftest import git_log


def test_the_snapshot_is_read_only(demo_archive: Archive):
    service = Service(demo_archive)
    snap = service.load()
    with pytest.raises(TypeError):
        snap.reviews["b0001"] = snap.reviews["b0001"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        snap.settings = snap.settings  # type: ignore[misc]
    assert snap.meetings["chem"].record.published and snap.org_years["chem"].record.grading.finalised


def test_an_intent_returns_a_new_snapshot_and_leaves_the_old(demo_archive: Archive):
    service = Service(demo_archive)
    before = service.load()
    stored = before.branches["b0060"]
    saved, new = service.records.save(stored, stored.record.model_copy(update={"members": 99}), "修改党支部：测试")
    assert saved.snapshot is service.snapshot is not before
    assert saved.snapshot.branches["b0060"].record.members == 99 and before.branches["b0060"].record.members != 99
    assert git_log(demo_archive, "-1") == ["测试员|修改党支部：测试"]
    assert not service.changed_elsewhere()  # its own commit is not someone else's


def test_another_users_commit_is_noticed(demo_archive: Archive):
    service = Service(demo_archive)
    service.load()
    other = Archive.open(demo_archive.root, "另一位")
    stored = other.read(type(service.snapshot.branches["b0060"].record), service.snapshot.branches["b0060"].path)
    other.save(stored, stored.record.model_copy(update={"members": 7}), "另一位的修改")
    assert service.changed_elsewhere()
    assert service.load().branches["b0060"].record.members == 7 and not service.changed_elsewhere()


def test_a_commit_in_between_is_noticed_even_under_our_own(demo_archive: Archive):
    """Someone commits, then we commit on top: our HEAD is ours, but their change is not in our snapshot."""
    service = Service(demo_archive)
    snap = service.load()
    other = Archive.open(demo_archive.root, "另一位")
    theirs = other.read(type(snap.branches["b0061"].record), snap.branches["b0061"].path)
    other.save(theirs, theirs.record.model_copy(update={"members": 3}), "另一位的修改")
    ours = snap.branches["b0060"]
    service.records.save(ours, ours.record.model_copy(update={"members": 4}), "我的修改")
    assert service.changed_elsewhere()


def test_the_freeze_holds_through_the_service(demo_archive: Archive):
    service = Service(demo_archive)
    snap = service.load()
    review = snap.reviews["b0001"]  # chem: finalised in the demo
    regraded = review.record.model_copy(update={"grade": review.record.grade.model_copy(update={"final": Grade.POOR})})
    head = demo_archive.head()
    with pytest.raises(FrozenError, match="已定档.*不能修改等次.*orgs/chem/2020/reviews/b0001.toml"):
        service.records.save(review, regraded, "改等次")
    assert demo_archive.head() == head and demo_archive.git.run("status", "--porcelain") == ""
    assert service.snapshot.reviews["b0001"] is review  # nothing absorbed
    fed_back = review.record.model_copy(update={"feedback": review.record.feedback.model_copy(update={"text": "继续保持"})})
    service.records.save(review, fed_back, "反馈")  # feedback is not frozen
    assert service.snapshot.reviews["b0001"].record.feedback.text == "继续保持"


def test_the_clock_takes_the_archive_zone_and_a_fixed_day(demo_archive: Archive):
    service = Service(demo_archive, Clock(fixed_today=date(2021, 1, 20)))
    service.load()
    assert service.clock.tz == "Asia/Shanghai" and service.clock.today() == date(2021, 1, 20)
    assert service.clock.now().date() == date(2021, 1, 20) and service.clock.now().utcoffset().total_seconds() == 8 * 3600
    with pytest.raises(ValueError, match="SHUPING_TODAY"):
        Clock.from_env({"SHUPING_TODAY": "1月20日"})
