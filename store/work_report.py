"""The work report on disk: the Markdown staff edit and its
export as Markdown or Word (refused over the 3000 字 limit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schema import work_report
from schema.records import OrgYear
from store import layout
from store.archive import Archive, Change, Stored
from store.atomic import atomic_write
from store.errors import StoreError
from store.official_docx import Paper, Signature
from store.snapshot import Snapshot
from store.tomlio import blob_version, render


def saved_text(archive: Archive, org_year: OrgYear) -> tuple[str | None, str | None]:
    """The saved report text and its version, or (None, None) when none is saved yet."""
    rel = org_year.work_report
    if not rel:
        return None, None
    data, version = archive.read_bytes(rel)
    if data is None:
        return None, None
    try:
        return data.decode("utf-8"), version
    except UnicodeDecodeError as e:
        raise StoreError(f"{rel} 不是 UTF-8 编码，请另存为 UTF-8") from e


def file_of(org_year: OrgYear) -> str:
    """Where the organisation's work report is (or will be) kept."""
    return org_year.work_report or layout.work_report_path(org_year.org, org_year.year)


@dataclass(frozen=True)
class WorkReportSaved:
    text: str
    version: str  # the saved text's version: the base of the next save
    org_year: Stored[OrgYear]


def save(archive: Archive, snap: Snapshot, org_id: str, text: str, base: str | None, note: str = "修改") -> WorkReportSaved:
    """Commit the report text (and point the org-year record at it). ``base``: the version the
    editor started from (None for a first save). Saving over the limit is allowed; exporting is not."""
    stored = snap.org_year(org_id)
    org = snap.orgs[org_id].record
    rel = file_of(stored.record)
    data = _normalise(text).encode()
    changes = [Change(rel, data, base)]
    record = stored.record
    if record.work_report != rel:
        record = record.model_copy(update={"work_report": rel})
        previous, _ = archive.read_bytes(stored.path) if stored.version else (None, None)
        toml = render(record, previous.decode() if previous else None).encode()
        changes.append(Change(stored.path, toml, stored.version))
        stored = Stored(record, stored.path, blob_version(toml))
    n = work_report.count(text)
    archive.commit(changes, f"工作情况报告：{org.name} {note}（{n} 字）")
    return WorkReportSaved(_normalise(text), blob_version(data), stored)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip() + "\n"


def export(text: str, target: Path | str, official: bool = True, signature: Signature | None = None) -> Path:
    """Write ``text`` as .md or .docx (in 公文 format unless ``official`` is off, ending with
    ``signature``); refused with the count when over the limit."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".md", ".docx"):
        raise StoreError(f"工作情况报告只能导出为 .docx 或 .md 文件：{target}")
    over = work_report.over_limit(text)
    if over is not None:
        raise StoreError(
            f"工作情况报告共 {over} 字，超过 {work_report.LIMIT} 字的限制，未导出。请删减 {over - work_report.LIMIT} 字后再导出。"
        )
    data = _normalise(text).encode() if suffix == ".md" else docx_bytes(text, official, signature)
    atomic_write(target, data)
    return target


def signature(snap: Snapshot, org_id: str, on: date | None) -> Signature:
    """The block that ends the report: the organisation and the day it is exported."""
    return Signature(snap.orgs[org_id].record.name, on)


def docx_bytes(markdown: str, official: bool = True, signature: Signature | None = None) -> bytes:
    """The report as a Word document: ``#`` the title, ``##`` first-level headings, ``###``
    second-level ones; the organisation and the date at the end."""
    paper = Paper(official)
    paper.markdown(markdown, top=2)
    if signature is not None:
        paper.signature(signature)
    return paper.to_bytes()
