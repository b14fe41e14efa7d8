"""verify's recomputations: tallies from the ballots, each meeting's counts, and the grading
(quota, suggestions, finalisation) from the reviews. The rules are schema/recompute.py; this
reads the files and names each finding's file."""

from __future__ import annotations

from typing import Iterable

from schema.problems import RecordError
from schema.records import Meeting, OrgYear, Review
from schema.recompute import (
    finalisation_differences,
    grading_differences,
    meeting_differences,
    paper_tally_differences,
    tally_differences,
    tally_without_meeting,
)
from schema.tally import tally_meeting, valid_ballots
from store import layout
from store.archive import Stored
from store.errors import StoreError
from store.meeting import counted_ballots
from store.verify import Context, Finding, check

TALLIES = "测评结果重算"
MEETINGS = "评议会记录"
GRADING = "评定重算"


def _reviews(ctx: Context, org: str, year: int) -> dict[str, Stored[Review]]:
    if year == ctx.snapshot.year:
        return dict(ctx.reviews_by_org.get(org, {}))
    return {s.record.branch: s for s in ctx.records(Review, f"{layout.org_year_dir(org, year)}/reviews/*.toml")}


def _meetings(ctx: Context) -> list[Stored[Meeting]]:
    return list(ctx.records(Meeting, "orgs/*/*/meeting.toml"))


def _quorum(ctx: Context, meeting: Meeting) -> float:
    if meeting.frozen:
        return meeting.frozen.scoring.quorum
    campaign = ctx.snapshot.campaigns.get(meeting.year)
    return campaign.record.scoring.quorum if campaign else 0.5


def unreadable_ballots(name: str, meeting: str, error: RecordError) -> Iterable[Finding]:
    """A ballot that cannot be read: named as a finding, its meeting left unchecked (the others go on)."""
    for p in error.problems:
        yield Finding(name, f"{p.file}:{p.line}" if p.line else p.file, f"测评票无法读取，评议会（{meeting}）未能重算：{p.message}")


@check(TALLIES)
def tallies_match_the_ballots(ctx: Context) -> Iterable[Finding]:
    """Every published tally equals the one recounted from the ballots (or, for a paper-counted
    meeting, agrees with the meeting's valid ballots and its own counts)."""
    for stored in _meetings(ctx):
        m = stored.record
        if not m.published:
            continue
        reviews = _reviews(ctx, m.org, m.year)
        if m.frozen is None:  # counted on paper: nothing keyed to recount
            campaign = ctx.snapshot.campaigns.get(m.year)
            for branch in m.order:
                review = reviews.get(branch)
                path = review.path if review else layout.review_path(m.org, m.year, branch)
                if review is None or review.record.tally is None:
                    yield Finding(TALLIES, path, f"[tally] 评议会（{stored.path}）已公布，但没有测评结果。")
                elif campaign:
                    for message in paper_tally_differences(review.record.tally, m.ballots.valid, campaign.record.scoring):
                        yield Finding(TALLIES, path, message)
            continue
        try:
            ballots, _ = counted_ballots(ctx.archive, m)
        except RecordError as e:
            yield from unreadable_ballots(TALLIES, stored.path, e)
            continue
        for branch, computed in tally_meeting(ballots, m.frozen).items():
            review = reviews.get(branch)
            path = review.path if review else layout.review_path(m.org, m.year, branch)
            for message in tally_differences(review.record.tally if review else None, computed):
                yield Finding(TALLIES, path, message)


@check(MEETINGS)
def meetings_match_their_ballots(ctx: Context) -> Iterable[Finding]:
    """Each meeting's counts against its ballots; every tally belongs to a published meeting that rated it."""
    rated: dict[tuple[str, int], tuple[str, Meeting]] = {}
    for stored in _meetings(ctx):
        m = stored.record
        rated[(m.org, m.year)] = (stored.path, m)
        valid = invalid = None
        if m.published and m.frozen is not None:
            try:
                ballots, problems = counted_ballots(ctx.archive, m)
            except RecordError as e:
                yield from unreadable_ballots(MEETINGS, stored.path, e)
                continue
            valid = len(valid_ballots(ballots, m.frozen))
            invalid = len(ballots) - valid
            if not m.override_reason.strip():
                for problem in problems:
                    yield Finding(MEETINGS, stored.path, f"[ballots] 已公布但{problem}。")
        for message in meeting_differences(m, _quorum(ctx, m), valid, invalid):
            yield Finding(MEETINGS, stored.path, message)
    for review in sorted(ctx.snapshot.reviews.values(), key=lambda s: s.path):
        r = review.record
        if r.tally is None:
            continue
        path, meeting = rated.get((r.org, r.year), (None, None))
        if meeting is None or not meeting.published:
            yield Finding(MEETINGS, review.path, tally_without_meeting(meeting))
        elif r.branch not in (meeting.frozen.columns if meeting.frozen else meeting.order):
            yield Finding(MEETINGS, review.path, f"[tally] 有测评结果，但评议会（{path}）没有评议这个党支部。")


@check(GRADING)
def grading_matches_its_inputs(ctx: Context) -> Iterable[Finding]:
    """The current campaign's grades: the quota, the suggestions recomputed, finalisations intact."""
    snap = ctx.snapshot
    campaign = snap.campaign
    for org in snap.sorted_orgs():
        ids = sorted(b.id for b in snap.org_branches(org.id) if snap.scope(b.id).in_scope)
        reviews = [snap.review(i).record for i in ids]
        names = {i: snap.branches[i].record.name for i in ids}
        folder = f"{layout.org_year_dir(org.id, snap.year)}/reviews/"
        if any(r.grade.suggested or r.grade.final for r in reviews):
            for branch, message in grading_differences(reviews, names, campaign.grading, campaign.quota):
                yield Finding(GRADING, snap.review(branch).path if branch else folder, message)
        org_year, _ = ctx.archive.try_read(OrgYear, layout.org_year_path(org.id, snap.year))
        final = org_year.record.grading if org_year else None
        if final and final.finalised:
            for message in finalisation_differences(reviews, names, _tag_subject(ctx, final.tag)):
                yield Finding(GRADING, org_year.path, message)


def _tag_subject(ctx: Context, tag: str) -> str:
    if not tag:
        return ""
    try:
        return ctx.archive.git.run("for-each-ref", "--format=%(contents:subject)", f"refs/tags/{tag.removeprefix('refs/tags/')}")
    except StoreError:
        return ""  # a missing tag is the 定稿未被改写 check's
