"""The meeting record of one organisation, and the multi-record changes the meeting makes:
set-up (meeting + each branch's mode), freezing at the first ballot, publishing the tallies."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from schema.kinds import BallotForm, BallotStatus, MeetingStage
from schema.reconcile import GROUPS, compare, count_messages, quorum_messages, tally_messages
from schema.records import Ballot, Campaign, FrozenSettings, Meeting, Review, Tally
from schema.tally import tally_meeting, valid_ballots
from store import layout
from store.archive import Archive, Change, Stored
from store.ballots import load_ballots
from store.tomlio import blob_version, render



def load_meeting(archive: Archive, org: str, year: int) -> Stored[Meeting]:
    path = layout.meeting_path(org, year)
    if (archive.root / path).exists():
        return archive.read(Meeting, path)
    return Stored(Meeting(org=org, year=year), path, None)


def record_change(stored: Stored, record, archive: Archive) -> tuple[Change, Stored]:
    """A change writing ``record`` over ``stored`` (keeping the file's comments), and what it stores."""
    previous, _ = archive.read_bytes(stored.path) if stored.version else (None, None)
    data = render(record, previous.decode("utf-8") if previous else None).encode()
    return Change(stored.path, data, stored.version), Stored(record, stored.path, blob_version(data))


def draw_lots(order: list[str], seed: int | None = None) -> tuple[list[str], int]:
    """A speaking order drawn by lot; the seed is recorded so anyone can redraw it."""
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**6)
    drawn = sorted(order)
    random.Random(seed).shuffle(drawn)
    return drawn, seed


def freeze(meeting: Meeting, campaign: Campaign, now: datetime) -> FrozenSettings:
    """The settings the meeting rates with from its first ballot on (``now``: from the clock)."""
    return FrozenSettings(
        at=now.isoformat(timespec="seconds"),
        form=meeting.form,
        columns=list(meeting.order),
        scoring=campaign.scoring.model_copy(deep=True),
        indicators=[i.model_copy() for i in campaign.indicators] if meeting.form == BallotForm.INDICATORS else [],
    )


def counted_ballots(archive: Archive, meeting: Meeting) -> tuple[list[Ballot], list[str]]:
    """The ballots that count (pass 1, verified against pass 2 when double entry is on), and
    why any do not."""
    first = {s: b.record for s, b in load_ballots(archive, meeting.org, meeting.year, 1).items()}
    problems: list[str] = []
    if meeting.double_entry:
        second = {s: b.record for s, b in load_ballots(archive, meeting.org, meeting.year, 2).items()}
        done1 = {s: b for s, b in first.items() if b.status != BallotStatus.OPEN}
        done2 = {s: b for s, b in second.items() if b.status != BallotStatus.OPEN}
        mismatches = compare(done1, done2)
        if mismatches:
            serials = sorted({m.serial for m in mismatches})
            problems.append(f"双录不一致：{len(mismatches)} 处（第 {'、'.join(map(str, serials[:10]))} 号票），请在核对界面逐一确认")
    done = [b for b in first.values() if b.status != BallotStatus.OPEN]
    return done, problems


@dataclass
class Count:
    tallies: dict[str, Tally] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # every reason publishing should be refused
    valid: int = 0
    invalid: int = 0


def reconcile(archive: Archive, meeting: Meeting, names: dict[str, str]) -> Count:
    """The tallies of the counted ballots and whether everything balances."""
    if meeting.frozen is None:
        return Count(problems=["还没有录入任何测评票"])
    ballots, problems = counted_ballots(archive, meeting)
    valid = len(valid_ballots(ballots, meeting.frozen))
    invalid = len(ballots) - valid
    tallies = tally_meeting(ballots, meeting.frozen)
    problems += quorum_messages(meeting.attendance, meeting.frozen.scoring.quorum)
    problems += count_messages(meeting.ballots, valid, invalid)
    problems += tally_messages(tallies, names, valid)
    return Count(tallies, problems, valid, invalid)


def publish_changes(
    archive: Archive, stored: Stored[Meeting], reviews: dict[str, Stored[Review]], tallies: dict[str, Tally],
    valid: int, invalid: int, now: datetime, override: str = "",
) -> tuple[list[Change], Stored[Meeting], list[Stored[Review]]]:
    """Write each secretary's tally to their review and mark the meeting published, as one change."""
    changes, saved_reviews = [], []
    for branch, tally in tallies.items():
        review = reviews[branch]
        change, saved_review = record_change(review, review.record.model_copy(update={"tally": tally}), archive)
        changes.append(change)
        saved_reviews.append(saved_review)
    counts = stored.record.ballots.model_copy(update={"valid": valid, "invalid": invalid})
    meeting = stored.record.model_copy(update={
        "published": True, "stage": MeetingStage.PUBLISHED, "ballots": counts,
        "override_reason": override, "published_at": now.isoformat(timespec="seconds"),
    })
    change, saved = record_change(stored, meeting, archive)
    return [change, *changes], saved, saved_reviews
