"""The meeting's intents on the store service, without a screen: ballots finished through the one
writer (the first freezing the meeting), corrections, the double-entry check, stage moves
queued in order, reconciling and publishing (keyed and on paper), and what the intents refuse."""

from __future__ import annotations

import threading

import pytest

from schema.kinds import BallotStatus, MeetingStage
from schema.records import Ballot, Finalisation, OrgYear, Review
from store import layout
from store.ballots import load_ballots, load_draft
from store.meeting import load_meeting
from store.service import FrozenError, Service, StoreError
from tests.meeting_archive import meeting_archive


class Done:
    """A ``done(sha, error)`` callback that remembers what came back."""

    def __init__(self):
        self.calls: list[tuple[str | None, StoreError | None]] = []
        self.event = threading.Event()

    def __call__(self, sha, error):
        self.calls.append((sha, error))
        self.event.set()


def service_for(tmp_path, **kwargs) -> Service:
    service = Service(meeting_archive(tmp_path / "a", **kwargs))
    service.load()
    return service


def key(service: Service, serial: int, marks: dict[str, str], entry: int = 1, done=None):
    ballot = Ballot(org="o", year=2020, entry=entry, serial=serial, marks=marks)
    return service.ballots.finish(ballot, done=done)


def subjects(service: Service, n: int) -> list[str]:
    return [c.subject for c in service.history(limit=n)]


def test_first_ballot_freezes_the_meeting_in_its_own_commit(tmp_path):
    service = service_for(tmp_path, secretaries=3, double_entry=False)
    done = Done()
    stored = key(service, 1, {"b01": "好"}, done=done)
    assert stored.record.status == BallotStatus.FINISHED
    assert stored.record.marks == {"b01": "好", "b02": "", "b03": ""}  # blanks kept: counted as abstentions
    assert service.snapshot.meeting("o").record.frozen is not None  # at once, before the commit
    key(service, 2, {"b01": "差", "b02": "差", "b03": "差"})
    service.flush()
    assert done.calls and done.calls[0][1] is None
    assert subjects(service, 2) == ["录入测评票：测试学院党委 第 2 号（第一遍录入）", "录入测评票：测试学院党委 第 1 号（第一遍录入）"]
    first = service.history(limit=2)[1]
    assert "首张票录入，评议会测评设置自此冻结。" in first.body
    files = service.archive.git.run("show", "--format=", "--name-only", "HEAD~1").split()
    assert files == [layout.ballot_path("o", 2020, 1, 1), layout.meeting_path("o", 2020)]
    meeting = load_meeting(service.archive, "o", 2020).record
    assert meeting.stage == MeetingStage.RATING and meeting.frozen.columns == ["b01", "b02", "b03"]


def test_draft_then_finish_leaves_no_draft(tmp_path):
    service = service_for(tmp_path, secretaries=2)
    open_ballot = Ballot(org="o", year=2020, entry=1, serial=1, marks={"b01": "好"})
    service.ballots.draft(open_ballot)
    service.flush()
    assert service.ballots.load("o", 1).draft == open_ballot
    service.ballots.finish(open_ballot)
    service.flush()
    loaded = service.ballots.load("o", 1)
    assert loaded.draft is None and list(loaded.committed) == [1]


def test_correct_and_invalidate_commit_with_their_reasons(tmp_path):
    service = service_for(tmp_path, secretaries=2, double_entry=False)
    first = key(service, 1, {"b01": "好", "b02": "好"})
    fixed = service.ballots.correct(first.record.model_copy(update={"marks": {"b01": "差", "b02": "好"}}), first.version, "看错行")
    service.ballots.invalidate(fixed.record, fixed.version, "票面涂改")
    open_one = Ballot(org="o", year=2020, entry=1, serial=2, marks={"b01": "好"})
    invalid = service.ballots.invalidate(open_one, None, "空白票")  # an open ballot is finished as invalid
    service.flush()
    assert invalid.record.status == BallotStatus.INVALID
    assert subjects(service, 3) == ["录入无效票：测试学院党委 第 2 号（第一遍录入）",
                                    "宣布测评票无效：测试学院党委 第 1 号（第一遍录入）",
                                    "更正测评票：测试学院党委 第 1 号（第一遍录入）"]
    ballot = load_ballots(service.archive, "o", 2020, 1)[1].record
    assert (ballot.status, ballot.reason, ballot.corrections, ballot.marks["b01"]) == (BallotStatus.INVALID, "票面涂改", ["看错行"], "差")


def test_a_ballot_of_a_finalised_organisation_is_refused_in_the_commit_path(tmp_path):
    service = service_for(tmp_path, secretaries=2)
    org_year = service.snapshot.org_year("o")
    service.save(org_year, OrgYear(org="o", year=2020, grading=Finalisation(finalised=True, at="2021-01-20", by="测试员")),
                 "评定定稿：测试学院党委")
    done = Done()
    key(service, 1, {"b01": "好", "b02": "好"}, done=done)
    service.flush()
    sha, error = done.calls[0]
    assert sha is None and isinstance(error, FrozenError)
    assert load_ballots(service.archive, "o", 2020, 1) == {}
    assert service.snapshot.meeting("o").record.frozen is None  # the snapshot is the record on disk again
    assert service.archive.git.run("status", "--porcelain") == ""


def test_stage_moves_are_queued_in_order_and_shown_at_once(tmp_path):
    service = service_for(tmp_path, secretaries=2)
    meeting = service.snapshot.meeting("o").record
    service.meeting.save("o", meeting.model_copy(update={"stage": MeetingStage.SIGN_IN}), "评议会进入签到环节：测试学院党委")
    assert service.snapshot.meeting("o").record.stage == MeetingStage.SIGN_IN
    meeting = service.snapshot.meeting("o").record
    service.meeting.save("o", meeting.model_copy(update={"stage": MeetingStage.REPORTS}), "评议会进入述职环节：测试学院党委")
    assert service.meeting.save_comment("b01", "讲得实在") is not None
    assert service.meeting.save_comment("b01", "讲得实在") is None  # already so: nothing to save
    service.flush()
    assert subjects(service, 3) == ["点评：测试学院第1党支部", "评议会进入述职环节：测试学院党委", "评议会进入签到环节：测试学院党委"]
    assert load_meeting(service.archive, "o", 2020).record.stage == MeetingStage.REPORTS


def test_a_failed_queued_save_puts_the_record_on_disk_back(tmp_path):
    service = service_for(tmp_path, secretaries=2)
    stored = service.snapshot.meeting("o")
    service.archive.save(stored, stored.record.model_copy(update={"place": "别处"}), "另一人改了地点")  # behind the snapshot's back
    done = Done()
    service.meeting.save("o", stored.record.model_copy(update={"stage": MeetingStage.SIGN_IN}), "评议会进入签到环节：测试学院党委", done=done)
    service.flush()
    assert isinstance(done.calls[0][1], StoreError)
    assert service.snapshot.meeting("o").record.place == "别处"


def test_setup_saves_the_meeting_and_the_modes_in_one_commit(tmp_path):
    from schema.kinds import ReportMode
    from schema.records import MeetingPart

    service = service_for(tmp_path, secretaries=3)
    meeting = service.snapshot.meeting("o").record
    order = ["b02", "b01", "b03"]
    modes = {"b02": MeetingPart(mode=ReportMode.WRITTEN, mode_reason="出国访学")}
    message = service.meeting.setup("o", meeting.model_copy(update={"order": order}), modes)
    assert message == "评议会设置：测试学院党委"
    head = service.history(limit=1)[0]
    assert head.subject == message and head.body.startswith("述职方式：测试学院第2党支部 书面\n")
    review = service.archive.read(Review, layout.review_path("o", 2020, "b02")).record
    assert (review.meeting.mode, review.meeting.order) == (ReportMode.WRITTEN, 1)
    assert service.snapshot.reviews["b02"].record.meeting.mode_reason == "出国访学"
    assert service.meeting.setup("o", service.snapshot.meeting("o").record, modes) == ""  # nothing changed


def test_publish_twice_is_refused_by_the_intent(tmp_path):
    service = service_for(tmp_path, secretaries=2, ballots=3, double_entry=False)
    with pytest.raises(StoreError, match="还没有录入任何测评票"):
        service.meeting.publish("o")
    key(service, 1, {"b01": "好", "b02": "较好"})
    key(service, 2, {"b01": "好", "b02": "一般"})
    result = service.meeting.reconcile("o")
    assert not result.published and (result.count.valid, result.count.invalid) == (2, 0)
    with pytest.raises(StoreError, match="公布须填写原因"):  # 3 collected, 2 keyed: the counts are off
        service.meeting.publish("o")
    published = service.meeting.publish("o", "一张票遗失，经主持人确认")
    assert published.record.published and service.snapshot.meeting("o").record.published
    assert service.snapshot.reviews["b01"].record.tally.counts["好"] == 2
    head = service.history(limit=1)[0]
    assert head.subject == "公布测评结果：测试学院党委（有效票 2 张）"
    assert "核对未通过仍公布，原因：一张票遗失，经主持人确认" in head.body
    assert service.meeting.reconcile("o").published
    with pytest.raises(StoreError, match="结果已公布"):
        service.meeting.publish("o", "再公布一次")
    assert service.history(limit=1)[0].subject == head.subject


def test_paper_tally_published_once_and_only_when_the_rows_add_up(tmp_path):
    service = service_for(tmp_path, secretaries=2, ballots=10, double_entry=False)
    sheets = {"b01": {"": {"好": 7, "较好": 3}}, "b02": {"": {"好": 5, "较好": 4}}}
    with pytest.raises(StoreError, match="计票单有 1 处不对"):
        service.meeting.publish_tally("o", sheets, {"": 10}, 0)
    sheets["b02"][""]["一般"] = 1
    service.meeting.publish_tally("o", sheets, {"": 10}, 0)
    assert service.history(limit=1)[0].subject == "公布测评结果：测试学院党委（纸质计票，有效票 10 张）"
    assert service.archive.read(Review, layout.review_path("o", 2020, "b01")).record.tally.score == 94.0
    with pytest.raises(StoreError, match="结果已公布"):
        service.meeting.publish_tally("o", sheets, {"": 10}, 0)


def test_paper_tally_refused_once_ballots_are_keyed(tmp_path):
    service = service_for(tmp_path, secretaries=2, ballots=10, double_entry=False)
    key(service, 1, {"b01": "好", "b02": "好"})
    with pytest.raises(StoreError, match="已录入测评票"):
        service.meeting.publish_tally("o", {"b01": {"": {"好": 10}}, "b02": {"": {"好": 10}}}, {"": 10}, 0)


def test_compare_and_resolve_both_passes(tmp_path):
    service = service_for(tmp_path, secretaries=2)
    key(service, 1, {"b01": "好", "b02": "好"}, entry=1)
    key(service, 1, {"b01": "好", "b02": "差"}, entry=2)
    comparison = service.ballots.compare("o")
    [m] = comparison.mismatches
    assert (m.serial, m.column, m.first, m.second) == (1, "b02", "好", "差")
    done = Done()
    service.ballots.resolve(comparison, m, "较好", "核对纸质票", done=done)
    service.flush()
    assert done.calls[0][1] is None
    assert service.ballots.compare("o").mismatches == []
    assert service.history(limit=1)[0].subject == "双录核对：测试学院党委 第 1 号 李静 → 较好"
    for entry in (1, 2):
        ballot = load_ballots(service.archive, "o", 2020, entry)[1].record
        assert ballot.marks["b02"] == "较好" and ballot.corrections == ["双录核对：核对纸质票"]
    assert service.ballots.count("o") == (1, 1)
    assert load_draft(service.archive, "o", 2020, 1) is None
