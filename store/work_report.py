"""The work report on disk: the Markdown staff edit and its
export as Markdown or Word (refused over the 3000 字 limit)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path


from schema import work_report
from schema.records import OrgYear
from store import layout
from store.archive import Archive, Change, Stored
from store.atomic import atomic_write
from store.errors import StoreError
from store.snapshot import Snapshot
from store.tomlio import blob_version, render

BODY_FONT, HEADING_FONT, SUBHEADING_FONT, TITLE_FONT = "仿宋", "黑体", "楷体", "宋体"


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


def export(text: str, target: Path | str) -> Path:
    """Write ``text`` as .md or .docx; refused with the count when over the limit."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".md", ".docx"):
        raise StoreError(f"工作情况报告只能导出为 .docx 或 .md 文件：{target}")
    over = work_report.over_limit(text)
    if over is not None:
        raise StoreError(
            f"工作情况报告共 {over} 字，超过 {work_report.LIMIT} 字的限制，未导出。请删减 {over - work_report.LIMIT} 字后再导出。"
        )
    data = _normalise(text).encode() if suffix == ".md" else docx_bytes(text)
    atomic_write(target, data)
    return target


def docx_bytes(markdown: str) -> bytes:
    """A Word document in the house style of official papers: 黑体/楷体 headings, 仿宋 body."""
    from docx import Document  # python-docx: imported when a report is exported, not on opening the archive
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _font(doc.styles["Normal"], BODY_FONT, 16)
    _font(doc.styles["Title"], TITLE_FONT, 22, bold=True)
    _font(doc.styles["Heading 1"], HEADING_FONT, 16)
    _font(doc.styles["Heading 2"], SUBHEADING_FONT, 16)
    _font(doc.styles["List Bullet"], BODY_FONT, 16)
    paragraph_lines: list[str] = []

    def flush() -> None:
        if paragraph_lines:
            p = doc.add_paragraph(_inline("".join(paragraph_lines)))
            p.paragraph_format.first_line_indent = Pt(32)
            paragraph_lines.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if not line:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            if level == 1:
                p = doc.add_paragraph(heading.group(2), style="Title")
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                doc.add_heading(heading.group(2), level=level - 1)
        elif re.match(r"^[-*+]\s+", line):
            flush()
            doc.add_paragraph(_inline(re.sub(r"^[-*+]\s+", "", line)), style="List Bullet")
        else:
            paragraph_lines.append(line)
    flush()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _inline(text: str) -> str:
    return text.replace("**", "").replace("__", "")


def _font(style, name: str, size: int, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)
