"""述职报告 on disk: the Markdown beside the review, saved with it in one commit; Word,
Markdown and text files in; .docx and Markdown out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from schema.records import Branch, Campaign, ReportSettings, Review
from schema.report import (
    LastYearItem,
    ReportAction,
    WorkflowError,
    editable,
    last_year_items,
    parse_report,
    report_words,
    text_subject,
    transition,
    transition_subject,
)
from schema.report_import import Imported, MappingError, Para, assemble
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
    extra: list[Change] | None = None,
) -> tuple[Stored[Review], ReportDoc]:
    """Write the review and (when ``text`` is given) the report text as one commit, with
    ``extra`` files (an import's images).

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
    archive.commit(changes + list(extra or []), message, body)
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


class UncertainMapping(StoreError):
    """The importer is not sure which heading is which section: nothing was written. The
    caller shows ``imported.mapping_lines`` and imports again with a mapping or confirmed."""

    def __init__(self, imported: Imported, titles: list[str]):
        self.imported = imported
        lines = "\n".join(["导入映射（不确定，未导入）："] + [f"  {line}" for line in imported.mapping_lines(titles)]
                          + [f"  原因：{doubt}" for doubt in imported.doubts])
        super().__init__(lines)


@dataclass
class ImportFile:
    """What an import reads: the report's Markdown and the images it links to (path → bytes)."""

    imported: Imported
    images: dict[str, bytes]


def read_import(source: Path | str, settings: ReportSettings, mapping: dict[str, int] | None = None,
                images_dir: str = "") -> Imported:
    """A report file turned into the report's Markdown, with notices about what moved where.

    Unsupported or unreadable files raise StoreError with a message saying which and why."""
    return _read(Path(source), settings, mapping, images_dir).imported


def _read(source: Path, settings: ReportSettings, mapping: dict[str, int] | None, images_dir: str) -> ImportFile:
    suffix = source.suffix.lower()
    if suffix == ".doc":
        raise StoreError(f"不支持旧版 Word 格式（{source.name}）：请在 Word 中“另存为” .docx 后再导入。未做任何修改。")
    if suffix not in IMPORTABLE:
        raise StoreError(
            f"不支持的文件类型“{suffix or '无扩展名'}”（{source.name}）：只能导入 .docx、.md 或 .txt 文件。未做任何修改。"
        )
    if not source.is_file():
        raise StoreError(f"找不到文件：{source}")
    images: dict[str, bytes] = {}
    notices: list[str] = []
    if suffix == ".docx":
        paras = _docx_paras(source, images, images_dir, notices)
        if images:
            notices.append(f"{len(images)} 张图片已存为附件并在正文中链接。")
    else:
        paras = _text_paras(source, markdown=suffix != ".txt")
    if not any(p.text.strip() for p in paras):
        raise StoreError(f"{source.name} 中没有文字内容。未做任何修改。")
    try:
        imported = assemble(paras, settings, mapping)
    except MappingError as e:
        raise StoreError(f"{e} 未做任何修改。") from e
    imported.notices[:0] = notices
    return ImportFile(imported, images)


def _docx_paras(source: Path, images: dict[str, bytes], images_dir: str, notices: list[str]) -> list[Para]:
    """The document's paragraphs and tables in order; images are collected into ``images``
    (named by their SHA-256 under ``images_dir``) and linked in the text; ``notices`` get
    what the text leaves out or merges (notes, comments, headers, revisions, text boxes)."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

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
    bold_styles = {style.style_id for style in document.styles if getattr(style, "font", None) and style.font.bold}
    outlines = {style.style_id: _outline(style.element.pPr, qn) for style in document.styles}
    numbers = ListNumbers(document, qn)
    paras: list[Para] = []
    for element in _body_elements(document.element.body, qn):
        if element.tag == qn("w:tbl"):
            paras.append(Para(_table_markdown(element), markdown=True))
            paras.extend(_images(document, element, images, images_dir, qn))
            continue
        ppr = element.pPr
        style_id = ppr.style if ppr is not None and ppr.style else ""
        prefix = numbers.prefix(ppr, style_id)
        style = names.get(style_id, "")
        m = re.match(r"^(?:heading|标题)\s*(\d)$", style, re.IGNORECASE)
        level = int(m.group(1)) if m else (1 if style == "Title" else 0)
        level = level or _outline(ppr, qn) or outlines.get(style_id, 0)
        runs = [r for r in element.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]
        bold = bool(runs) and all(_run_bold(r, qn, bold_styles) or style_id in bold_styles for r in runs)
        text = _text(element)
        paras.append(Para(prefix + text if text.strip() else text, level, bold))
        paras.extend(_images(document, element, images, images_dir, qn))
    notices.extend(_left_out(document, qn))
    if numbers.used:
        notices.append(f"{numbers.used} 段 Word 自动编号已按显示的编号写入文字。")
    return paras


# the text a reader sees: not a text box's fallback copy (the same box again, for old Word),
# not text moved away from here (tracked, shown struck through)
_SEEN_TEXT = ".//w:t[not(ancestor::mc:Fallback) and not(ancestor::w:moveFrom)]"
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
       "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}


@cache
def _xpath(expression: str):
    from lxml import etree

    return etree.XPath(expression, namespaces=_NS)


def _text(element) -> str:
    return "".join(t.text or "" for t in _xpath(_SEEN_TEXT)(element))


def _left_out(document, qn) -> list[str]:
    """Notices for what a report's text does not take from the document: notes, comments,
    page headers and footers; and for what it took in a way the reader should check."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    body = document.element.body
    notices = []

    def count(tag: str) -> int:
        return sum(1 for _ in body.iter(qn(tag)))

    for tag, what in (("w:footnoteReference", "脚注"), ("w:endnoteReference", "尾注")):
        if n := count(tag):
            notices.append(f"{what} {n} 条未导入：请将其内容写入正文。")
    if n := count("w:commentRangeStart") or count("w:commentReference"):
        notices.append(f"批注 {n} 条未导入：批注不属于报告正文，请确认其意见已在正文中处理。")
    margins = []
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER):
            continue
        from lxml import etree

        text = _text(etree.fromstring(rel.target_part.blob)).strip()
        if text and text not in margins:
            margins.append(text)
    if margins:
        notices.append("页眉或页脚中的文字未导入：" + " / ".join(margins))
    if any(count(tag) for tag in ("w:ins", "w:del", "w:moveFrom", "w:moveTo")):
        notices.append("文档含修订记录：已按接受全部修订后的文字导入（插入的文字保留，删除的文字不导入），请核对。")
    if boxes := count("w:txbxContent") - len(_xpath(".//mc:Fallback//w:txbxContent")(body)):
        notices.append(f"{boxes} 个文本框中的文字已并入所在段落，请在编辑器中核对位置。")
    return notices


def _int(value: str | None, default: int) -> int:
    """A number attribute of the numbering part; a hand-edited file may hold anything."""
    return int(value) if value and value.isdigit() else default


def _cn_number(n: int) -> str:
    digits = "一二三四五六七八九"
    if n < 10:
        return digits[n - 1] if n > 0 else "〇"
    tens, ones = divmod(n, 10)
    if n < 100:
        return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[ones - 1] if ones else "")
    return str(n)


class ListNumbers:
    """The numbers Word shows before paragraphs in an automatic list (``w:numPr`` on the
    paragraph or its style), which are not in the paragraph's text."""

    FORMATS = {"decimal": str, "chineseCounting": _cn_number, "chineseCountingThousand": _cn_number,
               "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
               "upperLetter": lambda n: chr(64 + (n - 1) % 26 + 1), "lowerLetter": lambda n: chr(96 + (n - 1) % 26 + 1)}

    def __init__(self, document, qn):
        self.qn = qn
        self.used = 0
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → level → (format, text, start)
        self.style_num = {}  # style id → its numPr element
        self.counters: dict[str, dict[int, int]] = {}  # list → level → the last number shown
        self.counted_as: dict[str, str] = {}  # numId → the list it counts in
        for style in document.styles:
            ppr = style.element.pPr
            if ppr is not None and ppr.find(qn("w:numPr")) is not None:
                self.style_num[style.style_id] = ppr.find(qn("w:numPr"))
        if not self.style_num and not _xpath(".//w:numPr")(document.element.body):
            return
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {a.get(qn("w:abstractNumId")): self._levels(a) for a in numbering.iter(qn("w:abstractNum"))}
        for num in numbering.iter(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            abstract_id = ref.get(qn("w:val")) if ref is not None else None
            num_id = num.get(qn("w:numId"))
            levels = dict(abstract.get(abstract_id, {}))
            # lists of one definition count on together in Word; "restart numbering" is a
            # list of its own with a start override
            self.counted_as[num_id] = f"a{abstract_id}"
            for override in num.iter(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                if start is not None and ilvl in levels:
                    levels[ilvl] = (*levels[ilvl][:2], _int(start.get(qn("w:val")), 1))
                    self.counted_as[num_id] = f"n{num_id}"
            self.levels[num_id] = levels

    def _levels(self, abstract) -> dict[int, tuple[str, str, int]]:
        qn = self.qn
        out = {}
        for lvl in abstract.iter(qn("w:lvl")):
            values = [lvl.find(qn(tag)) for tag in ("w:numFmt", "w:lvlText", "w:start")]
            fmt, text, start = (v.get(qn("w:val")) if v is not None else None for v in values)
            out[_int(lvl.get(qn("w:ilvl")), 0)] = (fmt or "decimal", text or "", _int(start, 1))
        return out

    def prefix(self, ppr, style_id: str) -> str:
        """The number shown before this paragraph ("" when none), counting it."""
        qn = self.qn
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_pr = num_pr if num_pr is not None else self.style_num.get(style_id)
        if num_pr is None:
            return ""
        num_id, ilvl = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        num_id = num_id.get(qn("w:val")) if num_id is not None else None
        level = _int(ilvl.get(qn("w:val")), 0) if ilvl is not None else 0
        levels = self.levels.get(num_id)
        if not levels or level not in levels:
            return ""
        counters = self.counters.setdefault(self.counted_as[num_id], {})
        counters[level] = counters.get(level, levels[level][2] - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        fmt, text, _ = levels[level]
        if fmt not in self.FORMATS:
            return ""  # bullets and formats a heading is not numbered with

        def shown(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            value = counters.get(k, levels.get(k, ("decimal", "", 1))[2])
            form = self.FORMATS.get(levels.get(k, (fmt,))[0], str)
            return form(value)

        self.used += 1
        return re.sub(r"%(\d)", shown, text)


def _images(document, element, images: dict[str, bytes], images_dir: str, qn) -> list[Para]:
    """The pictures in a paragraph or table, collected into ``images`` and linked one paragraph each."""
    links = []
    for blip in element.iter(qn("a:blip")):
        part = document.part.related_parts.get(blip.get(qn("r:embed")))
        if part is None:
            continue
        data = part.blob
        name = f"{hashlib.sha256(data).hexdigest()[:16]}{Path(str(part.partname)).suffix.lower() or '.png'}"
        images[name] = data
        links.append(Para(f"![图片{len(images)}]({images_dir}{name})", markdown=True))
    return links


def _body_elements(body, qn):
    """The body's paragraphs and tables in order, including those inside content controls."""
    for element in body.iterchildren():
        if element.tag in (qn("w:p"), qn("w:tbl")):
            yield element
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_elements(content, qn)


def _outline(ppr, qn) -> int:
    """A paragraph's (or style's) outline level as a heading level, 0 for body text."""
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    value = outline.get(qn("w:val")) if outline is not None else None
    return int(value) + 1 if value and value.isdigit() and int(value) < 9 else 0


def _run_bold(run, qn, bold_styles: set[str]) -> bool:
    rpr = run.find(qn("w:rPr"))
    if rpr is None:
        return False
    b = rpr.find(qn("w:b"))
    if b is not None:
        return b.get(qn("w:val")) not in ("0", "false")
    style = rpr.find(qn("w:rStyle"))
    return style is not None and style.get(qn("w:val")) in bold_styles


def _table_markdown(table) -> str:
    from docx.oxml.ns import qn

    rows = []
    for tr in table.iter(qn("w:tr")):
        cells = []
        for tc in tr.iter(qn("w:tc")):
            text = " ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))
            cells.append(text.strip().replace("|", "\\|") or " ")
        rows.append(cells)
    if not rows:
        return "| |\n| --- |"
    width = max(len(r) for r in rows)
    rows = [r + [" "] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _text_paras(source: Path, markdown: bool) -> list[Para]:
    data = source.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise StoreError(f"无法识别 {source.name} 的文字编码：请另存为 UTF-8。未做任何修改。")
    paras: list[Para] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = "\n".join(paragraph)
            table_or_image = all(line.lstrip().startswith(("|", "![")) for line in paragraph)
            paras.append(Para(joined, markdown=table_or_image or len(paragraph) > 1))
            paragraph.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        heading = re.match(r"^(#{1,6})\s+(.*)$", line) if markdown else None
        if heading:
            flush()
            paras.append(Para(heading.group(2), len(heading.group(1))))
        elif not line.strip():
            flush()
        elif not markdown:
            paras.append(Para(line.strip()))  # in a .txt file each line is a paragraph
        else:
            bold = re.match(r"^\*\*(.+)\*\*$", line.strip())
            if bold and not paragraph:
                paras.append(Para(bold.group(1), bold=True))
            else:
                paragraph.append(line.rstrip())
    flush()
    return paras


def import_file(
    archive: Archive, stored: Stored[Review], branch: Branch, settings: ReportSettings, source: Path | str,
    mapping: dict[str, int] | None = None, confirmed: bool = False,
) -> tuple[Stored[Review], ReportDoc, list[str]]:
    """Replace the report's text with an imported file, its images stored as attachments: one
    commit; nothing changes on error. An uncertain mapping raises UncertainMapping unless the
    user gave ``mapping`` or ``confirmed`` the one shown."""
    if not editable(stored.record.report.status):
        raise StoreError(f"述职报告当前为“{stored.record.report.status.value}”，不能导入；已审定或已归档的报告须先重新打开。")
    review = stored.record
    read_file = _read(Path(source), settings, mapping, "../attachments/")
    imported = read_file.imported
    if not imported.certain and not mapping and not confirmed:
        raise UncertainMapping(imported, settings.sections)
    doc = read(archive, review)
    extra = []
    for name, data in read_file.images.items():
        rel = layout.attachment_path(review.org, review.year, Path(name).stem, Path(name).suffix)
        existing, version = archive.read_bytes(rel)
        if existing != data:
            extra.append(Change(rel, data, version))
    message = f"导入述职报告：{branch.name}（{Path(source).name}，字数 {report_words(imported.text)}）"
    notices = imported.notices + [f"导入映射：{line}" for line in imported.mapping_lines(settings.sections)]
    saved, doc = save(archive, stored, review, doc, imported.text, message, "\n".join(notices), extra)
    return saved, doc, imported.notices


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportItem:
    branch: Branch
    org_name: str
    year: int
    text: str
    folder: Path | None = None  # the report file's folder, which its image links start from


def export_items(archive: Archive, snap: Snapshot, branch_ids: list[str]) -> list[ExportItem]:
    """The written reports of ``branch_ids`` (in that order) ready to export; unwritten ones are left out."""
    items = []
    for branch_id in branch_ids:
        doc = read(archive, snap.review(branch_id).record)
        if doc.text.strip():
            branch = snap.branches[branch_id].record
            items.append(ExportItem(branch, snap.orgs[branch.org].record.name, snap.year, doc.text,
                                    (archive.root / doc.path).parent))
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


def export_docx(items: list[ExportItem], titles: list[str], target: Path | str, official: bool = True) -> None:
    """One report a page on: its title (Heading 1, shaped as a 公文 title), the byline, the
    sections (Heading 2, the first level) and their sub-headings."""
    from store.official_docx import Paper

    paper = Paper(official, title="Heading 1", heading1="Heading 2", heading2="Heading 3", heading3="Heading 4")
    for n, item in enumerate(items):
        if n:
            paper.page_break()
        paper.title(title_of(item))
        paper.paragraph(byline_of(item), centre=True)
        _markdown_with_pictures(paper, _normalised(item.text, titles), item.folder)
    paper.save(Path(target))


_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\(([^)\s]+)\)$")


def _markdown_with_pictures(paper, text: str, folder: Path | None) -> None:
    """The report's Markdown, each line that is only an image link (an attachment, as
    import writes them) embedded as the picture, at most the text column wide. A link to a
    missing or unreadable file, or to one outside the attachments folder, stays as its text."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.image.exceptions import UnrecognizedImageError
    from docx.shared import Pt

    lines: list[str] = []
    for line in text.splitlines() + [""]:
        m = _IMAGE_LINE.match(line.strip())
        picture = (folder / m.group(1)).resolve() if m and folder is not None else None
        if picture is not None and not picture.is_relative_to((folder.parent / "attachments").resolve()):
            picture = None  # a hand-edited link never embeds a file from outside the attachments
        if picture is None or not picture.is_file():
            lines.append(line)
            continue
        paper.markdown("\n".join(lines), top=2)
        lines.clear()
        paragraph = paper.doc.add_paragraph()
        try:
            shape = paragraph.add_run().add_picture(str(picture))
        except (UnrecognizedImageError, OSError, ValueError):
            paragraph.add_run(line.strip())
            continue
        section = paper.doc.sections[-1]
        column = section.page_width - section.left_margin - section.right_margin
        if shape.width > column:
            shape.width, shape.height = column, int(shape.height * column / shape.width)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
    paper.markdown("\n".join(lines), top=2)


def _normalised(text: str, titles: list[str]) -> str:
    """The report with its sections in the campaign's order and headings."""
    return parse_report(text, titles).render(titles)


def write_markdown(items: list[ExportItem], titles: list[str], target: Path | str) -> None:
    data = export_markdown(items, titles).encode()
    _save_file(lambda path: path.write_bytes(data), Path(target))


def _save_file(write, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
    except OSError as e:
        raise StoreError(f"无法写入 {target}：{os_reason(e)}") from e


def export(items: list[ExportItem], titles: list[str], target: Path | str, official: bool = True) -> None:
    """Write ``items`` as .docx (in 公文 format unless ``official`` is off) or Markdown, chosen
    by the target's extension."""
    suffix = Path(target).suffix.lower()
    if suffix == ".docx":
        export_docx(items, titles, target, official)
    elif suffix in (".md", ".markdown"):
        write_markdown(items, titles, target)
    else:
        raise StoreError(f"不支持导出为“{suffix or '无扩展名'}”：输出文件请以 .docx 或 .md 结尾。")
