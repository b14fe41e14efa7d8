"""Every organisation's progress for the organisation department's dashboard."""

from __future__ import annotations

from datetime import date

from schema.progress import OrgProgress, org_progress
from store.archive import Archive
from store.reporting import Reporting
from store.submission import checklists


def progress(archive: Archive, reporting: Reporting, today: date) -> list[OrgProgress]:
    lists = checklists(archive, reporting, today)
    out = []
    for order, org in enumerate(reporting.snap.sorted_orgs()):
        reviews = [review for _, review in reporting.in_scope_reviews(org.id)]
        out.append(org_progress(
            reporting.stats(org.id), order, reviews, reporting.meetings.get(org.id),
            reporting.org_year(org.id).record, lists[org.id], today,
        ))
    return out
