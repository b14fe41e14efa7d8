"""述职报告 on disk: the Markdown beside the review, saved with it in one commit; Word,
Markdown and text files in; .docx and Markdown out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from schema.records import Branch, Campaign, Review
from schema.report import (
    Block,
    Imported,
    LastYearItem,
    ReportAction,
    WorkflowError,
    assemble,
    editable,
    last_year_items,
    parse_report,
    report_words,
    text_subject,
    transition,
    transition_subject,
)
from store import layout
from store.archive import Archive, Change, Stored
from store.errors import StoreError, os_reason
from store.tomlio import blob_version, render

if TYPE_CHECKING:
    from store.snapshot import Snapshot

IMPORTABLE = (".docx", ".md", ".markdown", ".txt")


@dataclass(frozen=True)
class ReportDoc:
    """A report's Markdown as read: ``version`` is None when the file is not there yet."""

    path: str
    text: str
    version: str | None


def report_file(review: Review) -> str:
    return review.report.file or layout.report_path(review.org, review.year, review.branch)


def history_pathspec(review: Review) -> str:
    """A git pathspec for the branch's records of that year: the review and its report text."""
    return f":(glob){layout.org_year_dir(review.org, review.year)}/*/{review.branch}.*"


def read(archive: Archive, review: Review) -> ReportDoc:
    rel = report_file(review)
    data, version = archive.read_bytes(rel)
    if data is None:
        return ReportDoc(rel, "", None)
    try:
        return ReportDoc(rel, data.decode("utf-8"), version)
    except UnicodeDecodeError as e:
        raise StoreError(f"{rel} 不是 UTF-8 编码，请另存为 UTF-8") from e


def save(
    archive: Archive,
    stored: Stored[Review],
    review: Review,
    doc: ReportDoc,
    text: str | None,
    message: str,
    body: str = "",
) -> tuple[Stored[Review], ReportDoc]:
    """Write the review and (when ``text`` is given) the report text as one commit.

    Both are checked against the versions read, so a concurrent edit of either is a conflict."""
    changes = []
    if text is not None:
        if not text.endswith("\n"):
            text += "\n"
        part = review.report.model_copy(update={"file": doc.path, "words": report_words(text)})
        review = review.model_copy(update={"report": part})
        data = text.encode()
        if doc.version is None or data != doc.text.encode():
            changes.append(Change(doc.path, data, doc.version))
        doc = ReportDoc(doc.path, text, blob_version(data))
    previous, _ = archive.read_bytes(stored.path) if stored.version else (None, None)
    toml = render(review, previous.decode("utf-8") if previous else None).encode()
    changes.insert(0, Change(stored.path, toml, stored.version))
    archive.commit(changes, message, body)
    return Stored(review, stored.path, blob_version(toml)), doc


def save_text(
    archive: Archive, stored: Stored[Review], doc: ReportDoc, text: str, branch: Branch
) -> tuple[Stored[Review], ReportDoc]:
    if not editable(stored.record.report.status):
        raise StoreError(f"述职报告当前为“{stored.record.report.status.value}”，不能修改。")
    return save(archive, stored, stored.record, doc, text, text_subject(branch.name, text))


def move(
    archive: Archive,
    stored: Stored[Review],
    doc: ReportDoc,
    action: ReportAction,
    branch: Branch,
    at: datetime,
    note: str = "",
    section: int = 0,
    text: str | None = None,
) -> tuple[Stored[Review], ReportDoc]:
    """One workflow step, committed with the operator as author (and, on submit, the text)."""
    words = report_words(text if text is not None else doc.text)
    try:
        part = transition(
            stored.record.report, action, archive.operator.name, at.isoformat(timespec="seconds"),
            note, section, words,
        )
    except WorkflowError as e:
        raise StoreError(str(e)) from e
    if text is not None and not editable(stored.record.report.status):
        text = None
    review = stored.record.model_copy(update={"report": part})
    body = note.strip() if action in (ReportAction.RETURN, ReportAction.REOPEN) else ""
    return save(archive, stored, review, doc, text, transition_subject(action, branch.name, note), body)


# ---------------------------------------------------------------- last year


def previous_review(archive: Archive, campaign: Campaign, review: Review) -> Review | None:
    """This branch's review in the previous campaign, when that campaign's files exist."""
    year = campaign.previous or campaign.year - 1
    if not (archive.root / layout.campaign_path(year)).exists():
        return None
    stored, _ = archive.try_read(Review, layout.review_path(review.org, year, review.branch))
    return stored.record if stored else None


def last_year(archive: Archive, campaign: Campaign, review: Review) -> list[LastYearItem]:
    return last_year_items(review, previous_review(archive, campaign, review))


# ---------------------------------------------------------------- import


def read_import(source: Path | str, titles: list[str]) -> Imported:
    """A report file turned into the report's Markdown, with notices about what moved where.

    Unsupported or unreadable files raise StoreError with a message saying which and why."""
    source = Path(source)
    suffix = source.suffix.lower()
    if suffix == ".doc":
        raise StoreError(f"不支持旧版 Word 格式（{source.name}）：请在 Word 中“另存为” .docx 后再导入。未做任何修改。")
    if suffix not in IMPORTABLE:
        raise StoreError(
            f"不支持的文件类型“{suffix or '无扩展名'}”（{source.name}）：只能导入 .docx、.md 或 .txt 文件。未做任何修改。"
        )
    if not source.is_file():
        raise StoreError(f"找不到文件：{source}")
    if suffix == ".docx":
        blocks, notices = _docx_blocks(source)
    else:
        blocks, notices = _text_blocks(source, markdown=suffix != ".txt"), []
    if not any(b.text.strip() for b in blocks):
        raise StoreError(f"{source.name} 中没有文字内容。未做任何修改。")
    imported = assemble(blocks, titles)
    imported.notices[:0] = notices
    return imported


def _docx_blocks(source: Path) -> tuple[list[Block], list[str]]:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from lxml.etree import LxmlError

    from store.zipcheck import check_office_file

    check_office_file(source, "docx")  # a zip bomb, a password, not a document: refused before parsing
    try:
        document = docx.Document(str(source))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError) as e:
        raise StoreError(f"无法读取 Word 文件 {source.name}：文件已损坏或不是 .docx 格式。未做任何修改。") from e
    # paragraph.style resolves the default style anew for every paragraph (slow on long
    # files): map the style ids once and read each paragraph's id from its XML
    names = {style.style_id: style.name for style in document.styles}
    blocks = []
    for paragraph in document.paragraphs:
        ppr = paragraph._p.pPr
        style = names.get(ppr.style, "") if ppr is not None and ppr.style else ""
        m = re.match(r"^(?:heading|标题)\s*(\d)$", style, re.IGNORECASE)
        level = int(m.group(1)) if m else (1 if style == "Title" else 0)
        blocks.append(Block(paragraph.text, level))
    notices = []
    if document.tables:
        notices.append(f"{source.name} 中有 {len(document.tables)} 个表格未导入，请在编辑器中用文字补充。")
    return blocks, notices


def _text_blocks(source: Path, markdown: bool) -> list[Block]:
    data = source.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise StoreError(f"无法识别 {source.name} 的文字编码：请另存为 UTF-8。未做任何修改。")
    blocks = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("\n".join(paragraph)))
            paragraph.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        heading = re.match(r"^(#{1,6})\s+(.*)$", line) if markdown else None
        if heading:
            flush()
            blocks.append(Block(heading.group(2), len(heading.group(1))))
        elif not line.strip():
            flush()
        elif not markdown:
            flush()  # in a .txt file each line is a paragraph
            blocks.append(Block(line.strip()))
        else:
            paragraph.append(line.rstrip())
    flush()
    return blocks


def import_file(
    archive: Archive, stored: Stored[Review], branch: Branch, titles: list[str], source: Path | str
) -> tuple[Stored[Review], ReportDoc, list[str]]:
    """Replace the report's text with an imported file: one commit; nothing changes on error."""
    if not editable(stored.record.report.status):
        raise StoreError(f"述职报告当前为“{stored.record.report.status.value}”，不能导入；已审定或已归档的报告须先重新打开。")
    imported = read_import(source, titles)
    doc = read(archive, stored.record)
    message = f"导入述职报告：{branch.name}（{Path(source).name}，字数 {report_words(imported.text)}）"
    saved, doc = save(archive, stored, stored.record, doc, imported.text, message, "\n".join(imported.notices))
    return saved, doc, imported.notices


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportItem:
    branch: Branch
    org_name: str
    year: int
    text: str


def export_items(archive: Archive, snap: Snapshot, branch_ids: list[str]) -> list[ExportItem]:
    """The written reports of ``branch_ids`` (in that order) ready to export; unwritten ones are left out."""
    items = []
    for branch_id in branch_ids:
        doc = read(archive, snap.review(branch_id).record)
        if doc.text.strip():
            branch = snap.branches[branch_id].record
            items.append(ExportItem(branch, snap.orgs[branch.org].record.name, snap.year, doc.text))
    return items


def title_of(item: ExportItem) -> str:
    return f"{item.branch.name}党支部书记{item.year}年度述职报告".replace("党支部党支部", "党支部")


def byline_of(item: ExportItem) -> str:
    return f"{item.org_name} · {item.branch.name} · 支部书记：{item.branch.secretary or '（未填）'} · {item.year}年度"


def export_markdown(items: list[ExportItem], titles: list[str]) -> str:
    parts = []
    for item in items:
        parts.append(f"# {title_of(item)}\n\n{byline_of(item)}\n\n{_normalised(item.text, titles).strip()}\n")
    return "\n\n".join(parts)


def export_docx(items: list[ExportItem], titles: list[str], target: Path | str) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    document = docx.Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = document.styles[style_name]
        style.font.name = "宋体" if style_name == "Normal" else "黑体"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), style.font.name)
    for n, item in enumerate(items):
        if n:
            document.add_page_break()
        document.add_heading(title_of(item), level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.add_paragraph(byline_of(item)).alignment = WD_ALIGN_PARAGRAPH.CENTER
        _markdown_into(document, _normalised(item.text, titles))
    _save_file(lambda path: document.save(str(path)), Path(target))


def _normalised(text: str, titles: list[str]) -> str:
    """The report with its sections in the campaign's order and headings."""
    return parse_report(text, titles).render(titles)


def _markdown_into(document, text: str) -> None:
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            document.add_paragraph("".join(line.strip() for line in paragraph))
            paragraph.clear()

    for line in text.splitlines():
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        bullet = re.match(r"^\s*[-*]\s+(.*)$", line)
        if heading:
            flush()
            document.add_heading(heading.group(2).strip(), level=min(len(heading.group(1)), 3))
        elif bullet:
            flush()
            document.add_paragraph(bullet.group(1).strip(), style="List Bullet")
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()


def write_markdown(items: list[ExportItem], titles: list[str], target: Path | str) -> None:
    data = export_markdown(items, titles).encode()
    _save_file(lambda path: path.write_bytes(data), Path(target))


def _save_file(write, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
    except OSError as e:
        raise StoreError(f"无法写入 {target}：{os_reason(e)}") from e


def export(items: list[ExportItem], titles: list[str], target: Path | str) -> None:
    """Write ``items`` as .docx or Markdown, chosen by the target's extension."""
    suffix = Path(target).suffix.lower()
    if suffix == ".docx":
        export_docx(items, titles, target)
    elif suffix in (".md", ".markdown"):
        write_markdown(items, titles, target)
    else:
        raise StoreError(f"不支持导出为“{suffix or '无扩展名'}”：输出文件请以 .docx 或 .md 结尾。")
