"""Grading (F6): save an organisation's grades, finalise, reopen.

The rules are in ``schema.grading`` and the worksheet in ``schema.worksheet``; the commits
(and their messages) in ``store.grading``; the freeze in the commit path."""

from __future__ import annotations

from typing import Iterable, Mapping

from schema.records import Org, OrgYear, Review
from schema.worksheet import GradingWorksheet
from store.archive import Stored
from store.errors import StoreError
from store.grading import GradeSet, GradingError, finalise, reopen, save_grades
from store.intents.base import Intents
from store.snapshot import Snapshot


def in_scope(snap: Snapshot, org_id: str) -> list[str]:
    """The organisation's branches in the campaign's scope, by id."""
    return sorted(b.id for b in snap.org_branches(org_id) if snap.scope(b.id).in_scope)


class GradingIntents(Intents):
    def orgs(self, snapshot: Snapshot | None = None) -> list[Org]:
        """Organisations with at least one branch in scope (a 直属党支部 has none), in order."""
        snap = snapshot or self.snapshot
        return [org for org in snap.sorted_orgs() if any(snap.scope(b.id).in_scope for b in snap.org_branches(org.id))]

    def branch_ids(self, org_id: str, snapshot: Snapshot | None = None) -> list[str]:
        return in_scope(snapshot or self.snapshot, org_id)

    def worksheet(self, org_id: str, snapshot: Snapshot | None = None) -> GradingWorksheet:
        """The organisation's worksheet as saved in ``snapshot`` (default: the service's)."""
        snap = snapshot or self.snapshot
        if org_id not in snap.orgs:
            raise StoreError(f"没有 id 为 “{org_id}” 的二级党组织")
        ids = in_scope(snap, org_id)
        reviews = {i: snap.review(i) for i in ids}
        return GradingWorksheet(
            snap.orgs[org_id].record, snap.year, snap.campaign,
            {i: snap.branches[i].record for i in ids},
            {i: s.record for i, s in reviews.items()},
            {i: s.version for i, s in reviews.items()},
            snap.org_year(org_id).record.grading,
        )

    def _grade_set(self, sheet: GradingWorksheet) -> GradeSet:
        snap = self.snapshot
        rows = []
        for i in sheet.ids:
            stored = snap.review(i)
            rows.append((Stored(sheet.read[i], stored.path, sheet.versions[i]), sheet.edit[i]))
        return GradeSet(sheet.org, sheet.year, rows, {i: sheet.name(i) for i in sheet.ids})

    def save(self, org_id: str, rows: Iterable[Review], versions: Mapping[str, str | None] | None = None) -> list[Stored[Review]]:
        """Save the organisation's grades and inputs as one commit (only the reviews that changed).

        ``rows``: the edited reviews (others stay as saved); their suggestions are recomputed.
        ``versions``: the versions the rows were edited from (a worksheet's), so that a review
        changed meanwhile is a conflict; default: the snapshot's. Raises ``GradingError`` with
        every problem (the cap, missing reasons) and saves nothing."""
        sheet = self.worksheet(org_id)
        if versions is not None:
            for i in sheet.ids:
                if i in versions and versions[i] != sheet.versions[i]:
                    sheet.versions[i] = versions[i]
        strays = []
        for review in rows:
            if review.branch not in sheet.edit:
                strays.append(f"{review.branch} 不是{sheet.org.name}纳入考核的党支部")
            else:
                sheet.edit[review.branch] = review
        if strays:
            raise GradingError(strays)
        sheet.recompute()
        saved = save_grades(self.archive, self._grade_set(sheet), self.snapshot.campaign)
        self.service.absorb(*saved)
        return saved

    def finalise(self, org_id: str) -> Stored[OrgYear]:
        """Freeze the organisation's grading as saved: one commit of its org-year record and a git tag.

        Refused (``GradingError``) while a grade is missing, over the cap, without its reason,
        or not saved (a review not on file, a suggestion the rules now give differently)."""
        sheet = self.worksheet(org_id)
        saved = finalise(self.archive, self._grade_set(sheet), self.snapshot.campaign, self.clock.now())
        self.service.absorb(saved)
        return saved

    def reopen(self, org_id: str, reason: str) -> Stored[OrgYear]:
        """Lift the freeze; the reason (required) goes on the record and into the commit."""
        snap = self.snapshot
        saved = reopen(self.archive, snap.orgs[org_id].record, snap.year, reason, self.clock.now())
        self.service.absorb(saved)
        return saved


__all__ = ["GradingError", "GradingIntents", "in_scope"]
