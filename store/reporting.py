"""What reporting up reads besides the snapshot: each organisation's meeting and org-year
record for the current campaign, and the statistics and checklist computed from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.problems import Problem
from schema.records import Branch, Meeting, OrgYear, Review
from schema.scope import scope_of
from schema.stats import OrgStats, StatsTable, org_stats, table_of
from store import layout
from store.archive import Archive, Stored
from store.errors import StoreError
from store.snapshot import Snapshot


@dataclass
class Reporting:
    snap: Snapshot
    meetings: dict[str, Meeting] = field(default_factory=dict)  # org id → meeting, if one is recorded
    org_years: dict[str, Stored[OrgYear]] = field(default_factory=dict)  # every org, fresh when not saved yet
    problems: list[Problem] = field(default_factory=list)
    by_org: dict[str, list[Branch]] = field(default_factory=dict)  # org id → its branches, by id

    def branches(self, org_id: str) -> list[Branch]:
        return self.by_org.get(org_id, [])

    def in_scope_reviews(self, org_id: str) -> list[tuple[Branch, Review]]:
        snap = self.snap
        org = snap.orgs[org_id].record
        out = []
        for branch in self.branches(org_id):
            stored = snap.reviews.get(branch.id)
            if stored and scope_of(branch, org, snap.campaign, stored.record.scope_exception).in_scope:
                out.append((branch, stored.record))
        return out

    def org_year(self, org_id: str) -> Stored[OrgYear]:
        return self.org_years[org_id]

    def stats(self, org_id: str) -> OrgStats:
        snap = self.snap
        branches = self.branches(org_id)
        reviews = {b.id: snap.reviews[b.id].record for b in branches if b.id in snap.reviews}
        return org_stats(snap.orgs[org_id].record, branches, reviews, snap.campaign, self.meetings.get(org_id))

    def table(self, org_id: str | None = None) -> StatsTable:
        orgs = [o for o in self.snap.sorted_orgs() if org_id is None or o.id == org_id]
        return table_of(self.snap.settings.university, self.snap.campaign, [self.stats(o.id) for o in orgs])


def load_reporting(archive: Archive, snap: Snapshot) -> Reporting:
    """Read every organisation's meeting and org-year record; broken files go to ``problems``."""
    out = Reporting(snap)
    year = snap.year
    for stored in sorted(snap.branches.values(), key=lambda b: b.record.id):
        out.by_org.setdefault(stored.record.org, []).append(stored.record)
    for org_id in snap.orgs:
        meeting_rel = layout.meeting_path(org_id, year)
        if archive.path(meeting_rel).exists():
            stored, problems = archive.try_read(Meeting, meeting_rel)
            out.problems += problems
            if stored:
                out.meetings[org_id] = stored.record
        rel = layout.org_year_path(org_id, year)
        stored = None
        if archive.path(rel).exists():
            stored, problems = archive.try_read(OrgYear, rel)
            out.problems += problems
        out.org_years[org_id] = stored or Stored(OrgYear(org=org_id, year=year), rel, None)
    return out


def require_org(snap: Snapshot, org_id: str | None) -> None:
    if org_id is not None and org_id not in snap.orgs:
        raise StoreError(f"没有 id 为 “{org_id}” 的二级党组织。可用 `shuping scope --json` 查看全部 id。")


def refuse_if_broken(reporting: Reporting, org_id: str | None = None) -> None:
    """Figures drawn from a record that could not be read would be wrong: say where, export nothing."""
    bad = [p for p in reporting.problems if org_id is None or layout.org_of(p.file) == org_id]
    if bad:
        raise StoreError("以下记录有错误，修正后才能导出：\n" + "\n".join(str(p) for p in bad))
