"""报送 (F8): what each organisation sends up to the organisation department — the
statistics table (附件2), the work report and the stamped scan of both — read from the
snapshot: the figures, each organisation's checklist and progress, and storing the scan.

Named for the act (报送, sending up) so that it does not read like F4's 述职报告 (``store.reports``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schema import work_report as rules
from schema.problems import Problem
from schema.progress import OrgProgress, org_progress
from schema.records import Branch, Meeting, Review, Submission
from schema.scope import scope_of
from schema.stats import OrgStats, StatsTable, org_stats, table_of
from schema.submission import Checklist, checklist
from store import attachments, layout
from store.archive import Archive, Change, Stored
from store.errors import StoreError, os_reason
from store.snapshot import Snapshot
from store.tomlio import blob_version, render
from store.work_report import saved_text

# what a stamped scan may be, told apart by its first bytes, not its name
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
}


# ---------------------------------------------------------------- figures from the snapshot


def branches_by_org(snap: Snapshot) -> dict[str, list[Branch]]:
    """Every organisation's branches, by id (one pass over the branches, not one per organisation)."""
    out: dict[str, list[Branch]] = {}
    for stored in sorted(snap.branches.values(), key=lambda b: b.record.id):
        out.setdefault(stored.record.org, []).append(stored.record)
    return out


def meeting_of(snap: Snapshot, org_id: str) -> Meeting | None:
    stored = snap.meetings.get(org_id)
    return stored.record if stored else None


def in_scope_reviews(snap: Snapshot, org_id: str, branches: list[Branch] | None = None) -> list[tuple[Branch, Review]]:
    """The organisation's branches in scope that have a review, by branch id."""
    org = snap.orgs[org_id].record
    out = []
    for branch in branches if branches is not None else branches_by_org(snap).get(org_id, []):
        stored = snap.reviews.get(branch.id)
        if stored and scope_of(branch, org, snap.campaign, stored.record.scope_exception).in_scope:
            out.append((branch, stored.record))
    return out


def stats(snap: Snapshot, org_id: str, branches: list[Branch] | None = None) -> OrgStats:
    """One organisation's 附件2 figures (``branches``: its branches, when already gathered)."""
    if branches is None:
        branches = branches_by_org(snap).get(org_id, [])
    reviews = {b.id: snap.reviews[b.id].record for b in branches if b.id in snap.reviews}
    return org_stats(snap.orgs[org_id].record, branches, reviews, snap.campaign, meeting_of(snap, org_id))


def statistics(snap: Snapshot, org_id: str | None = None) -> StatsTable:
    """附件2: one organisation's row, or every organisation's and the university's total."""
    by_org = branches_by_org(snap)
    orgs = [o for o in snap.sorted_orgs() if org_id is None or o.id == org_id]
    return table_of(snap.settings.university, snap.campaign, [stats(snap, o.id, by_org.get(o.id, [])) for o in orgs])


def draft(snap: Snapshot, org_id: str) -> str:
    """The work report drafted from the records."""
    branches = branches_by_org(snap).get(org_id, [])
    results = [rules.BranchResult(b, r) for b, r in in_scope_reviews(snap, org_id, branches)]
    return rules.draft(snap.orgs[org_id].record, snap.campaign, stats(snap, org_id, branches), results,
                       meeting_of(snap, org_id), snap.settings.university,
                       snap.org_year(org_id).record.announcement_scope)


def work_report_text(archive: Archive, snap: Snapshot, org_id: str) -> str:
    """The saved work report, else a fresh draft."""
    text, _ = saved_text(archive, snap.org_year(org_id).record)
    return text if text is not None else draft(snap, org_id)


def require_org(snap: Snapshot, org_id: str | None) -> None:
    if org_id is not None and org_id not in snap.orgs:
        raise StoreError(f"没有 id 为 “{org_id}” 的二级党组织。可用 `shuping scope --json` 查看全部 id。")


def broken(snap: Snapshot, org_id: str | None = None) -> list[Problem]:
    """The meeting and organisation-year records the figures come from that could not be read."""
    return [p for p in snap.problems if layout.kind_of(p.file) in ("meeting", "org_year")
            and (org_id is None or layout.org_of(p.file) == org_id)]


def refuse_if_broken(snap: Snapshot, org_id: str | None = None) -> None:
    """Figures drawn from a record that could not be read would be wrong: say where, export nothing."""
    bad = broken(snap, org_id)
    if bad:
        raise StoreError("以下记录有错误，修正后才能导出：\n" + "\n".join(str(p) for p in bad))


# ---------------------------------------------------------------- what is due, how far each has come


def checklists(archive: Archive, snap: Snapshot, today: date) -> dict[str, Checklist]:
    """Every organisation's checklist (reads each saved work report to count its 字)."""
    by_org = branches_by_org(snap)
    out = {}
    for org in snap.sorted_orgs():
        org_year = snap.org_year(org.id).record
        text, _ = saved_text(archive, org_year)
        words = rules.count(text) if text is not None else None
        out[org.id] = checklist(org_year, stats(snap, org.id, by_org.get(org.id, [])), words,
                                snap.campaign.report_deadline, today)
    return out


def progress(archive: Archive, snap: Snapshot, today: date) -> list[OrgProgress]:
    """Every organisation's progress through the year, for the department's dashboard."""
    by_org = branches_by_org(snap)
    lists = checklists(archive, snap, today)
    out = []
    for order, org in enumerate(snap.sorted_orgs()):
        branches = by_org.get(org.id, [])
        reviews = [review for _, review in in_scope_reviews(snap, org.id, branches)]
        out.append(org_progress(stats(snap, org.id, branches), order, reviews, meeting_of(snap, org.id),
                                snap.org_year(org.id).record, lists[org.id], today))
    return out


# ---------------------------------------------------------------- the stamped scan


@dataclass(frozen=True)
class ScanStored:
    submission: Submission
    org_year: Stored  # the organisation-year record that now says so


def attach_scan(archive: Archive, snap: Snapshot, org_id: str, source: Path | str, today: date) -> ScanStored:
    """Store the stamped scan and mark the organisation's materials submitted, in one commit."""
    source = Path(source)
    suffix = source.suffix.lower()
    if suffix not in SIGNATURES:
        raise StoreError(f"盖章扫描件应为 PDF 或图片（{'、'.join(SIGNATURES)}）：{source.name}")
    try:
        with source.open("rb") as f:
            head = f.read(8)
    except FileNotFoundError as e:
        raise StoreError(f"找不到文件：{source}") from e
    except OSError as e:
        raise StoreError(f"无法读取 {source}：{os_reason(e)}") from e
    if not head.startswith(SIGNATURES[suffix]):
        raise StoreError(f"{source.name} 的内容不是 {suffix[1:].upper()} 文件，请检查是否选错了文件。")
    attachment, change = attachments.prepare(archive, org_id, snap.year, source, today)
    stored = snap.org_year(org_id)
    submission = Submission(submitted=today, scan=attachment)
    record = stored.record.model_copy(update={"submission": submission})
    previous, _ = archive.read_bytes(stored.path) if stored.version else (None, None)
    data = render(record, previous.decode() if previous else None).encode()
    org = snap.orgs[org_id].record
    archive.commit(
        [change, Change(stored.path, data, stored.version)],
        f"报送：{org.name} 上传盖章扫描件 {attachment.name}",
        f"SHA-256: {attachment.sha256}",
    )
    return ScanStored(submission, Stored(record, stored.path, blob_version(data)))


__all__ = [
    "SIGNATURES", "ScanStored", "attach_scan", "branches_by_org", "broken", "checklists", "draft", "in_scope_reviews",
    "meeting_of", "progress", "refuse_if_broken", "require_org", "statistics", "stats", "work_report_text",
]
