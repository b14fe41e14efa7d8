"""Submitting to the organisation department: the stamped scan stored with its SHA-256, and
each organisation's checklist of what is due."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from schema import work_report
from schema.records import Submission
from schema.submission import Checklist, checklist
from store import attachments
from store.archive import Archive, Change
from store.errors import StoreError, os_reason
from store.reporting import Reporting
from store.tomlio import render
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


def attach_scan(archive: Archive, reporting: Reporting, org_id: str, source: Path | str, today: date) -> Submission:
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
    snap = reporting.snap
    attachment, change = attachments.prepare(archive, org_id, snap.year, source, today)
    stored = reporting.org_year(org_id)
    submission = Submission(submitted=today, scan=attachment)
    record = stored.record.model_copy(update={"submission": submission})
    previous, _ = archive.read_bytes(stored.path)
    org_change = Change(stored.path, render(record, previous.decode() if previous else None).encode(), stored.version)
    org = snap.orgs[org_id].record
    archive.commit(
        [change, org_change],
        f"报送：{org.name} 上传盖章扫描件 {attachment.name}",
        f"SHA-256: {attachment.sha256}",
    )
    return submission


def checklists(archive: Archive, reporting: Reporting, today: date) -> dict[str, Checklist]:
    snap = reporting.snap
    out = {}
    for org in snap.sorted_orgs():
        text, _ = saved_text(archive, reporting, org.id)
        words = work_report.count(text) if text is not None else None
        out[org.id] = checklist(
            reporting.org_year(org.id).record, reporting.stats(org.id), words, snap.campaign.report_deadline, today
        )
    return out
