"""Word documents that go on paper, in 公文 format (GB/T 9704-2012) unless the archive's settings
turn it off (``ArchiveSettings.official_format``).

公文 format: A4; margins 37/35/28/26 mm (top/bottom/left/right); 22 lines of 28 characters; the
title in 2号 方正小标宋简体, the body in 3号 仿宋_GB2312, first-level headings in 黑体 and
second-level ones in 楷体_GB2312; page numbers “— 1 —” in 4号 宋体 below the text, odd pages on
the right and even pages on the left, one character in; the organisation and the date at the end.
Every run names its East Asian font itself, so that no theme font (Calibri, 等线) shows through.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from schema.dates import cn_date
from store.atomic import atomic_write
from store.errors import StoreError, os_reason

PAGE_MM = (210, 297)
MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right
LINES, CHARS = 22, 28  # per page, per line
LINE_PT = 28.95  # exact line spacing: 22 lines fill the 225 mm text block
TITLE_PT, BODY_PT, PAGE_NO_PT = 22, 16, 14  # 2号, 3号, 4号
CONDENSE_TWIPS = -6  # the body's character spacing, 1/20 pt (see _condense)
PAGE_NO_BELOW_MM = 7  # the page number's line sits 7 mm below the text block

# role → (East Asian font, the font named for Latin text: a common one, also the fallback)
TITLE_FONT = ("方正小标宋简体", "宋体")
BODY_FONT = ("仿宋_GB2312", "仿宋")
HEADING_FONT = ("黑体", "黑体")
SUBHEADING_FONT = ("楷体_GB2312", "楷体")
PAGE_NO_FONT = ("宋体", "宋体")
# where a 公文 font is missing, Word takes the font table's altName
ALT_NAMES = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
PLAIN_FONT = ("宋体", "宋体")  # the East Asian font of a plain (not 公文) document

DATE_INDENT_CHARS = 4  # 成文日期右空四字
BLANK_DATE = "　　　　年　　月　　日"  # a date to be written in by hand


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def text_width_twips() -> int:
    return twips(PAGE_MM[0]) - twips(MARGINS_MM[2]) - twips(MARGINS_MM[3])


def line_pitch() -> int:
    """docGrid linePitch in twips (1/20 pt)."""
    return round(LINE_PT * 20)


def char_space() -> int:
    """docGrid charSpace: how much each character's pitch differs from the body's font size,
    in 1/4096 pt, so that 28 characters fill the line (28 × 16 pt is wider than the 156 mm
    line: -842, as in the usual 公文 templates). Word's page setup shows 22 × 28 from it; the
    text itself is not snapped to it (see ``_condense``)."""
    pitch_pt = text_width_twips() / 20 / CHARS
    return math.floor((pitch_pt - BODY_PT) * 4096)  # down: 28 must fit


def date_text(on: date | None) -> str:
    """2021年1月30日, or a blank to fill in by hand."""
    return cn_date(on) if on is not None else BLANK_DATE


@dataclass(frozen=True)
class Signature:
    """The block at the end: who issues the paper and when (None: a blank date)."""

    org: str
    on: date | None = None


class Paper:
    """One document being written. ``styles`` names the Word style of each role: ``title``,
    ``heading1``, ``heading2``, ``heading3`` (callers keep the style names their readers use)."""

    def __init__(self, official: bool = True, **styles: str):
        self.official = official
        self.doc = Document()
        self.styles = {"title": "Title", "heading1": "Heading 1", "heading2": "Heading 2", "heading3": "Heading 3"}
        self.styles.update(styles)
        self.fonts: dict[str, tuple[str, str]] = {}
        if official:
            self._set_up()
        else:
            self._plain()

    # ---------------------------------------------------------------- page and styles

    def _plain(self) -> None:
        for name in ("Normal", *self.styles.values()):
            self._style_font(name, PLAIN_FONT)
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])

    def _set_up(self) -> None:
        doc = self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        top, bottom, left, right = MARGINS_MM
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
        section.header_distance = Mm(15)
        section.footer_distance = Mm(bottom - PAGE_NO_BELOW_MM) - Pt(PAGE_NO_PT)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(line_pitch()))
        grid.set(qn("w:charSpace"), str(char_space()))
        self._defaults()
        self._paragraph_style("Normal", BODY_FONT, BODY_PT, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        self._paragraph_style(self.styles["title"], TITLE_FONT, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._paragraph_style(self.styles["heading1"], HEADING_FONT, BODY_PT, indent=True)
        self._paragraph_style(self.styles["heading2"], SUBHEADING_FONT, BODY_PT, indent=True)
        self._paragraph_style(self.styles["heading3"], BODY_FONT, BODY_PT, indent=True, bold=True)
        self._paragraph_style("List Bullet", BODY_FONT, BODY_PT, indent=True)
        for name in ("Normal", self.styles["title"], "Footer"):
            _off_grid(doc.styles[name])
        _condense(doc.styles["Normal"])
        bullet = doc.styles["List Bullet"].element.pPr
        if bullet is not None and bullet.numPr is not None:
            bullet.remove(bullet.numPr)  # no bullets in a 公文: each item is a paragraph
        self._page_numbers()
        self._font_table()

    def _defaults(self) -> None:
        rpr = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")

    def _style_font(self, name: str, font: tuple[str, str]) -> None:
        style = self.doc.styles[name]
        _set_fonts(style.element.get_or_add_rPr(), font)
        self.fonts[name] = font

    def _paragraph_style(self, name: str, font: tuple[str, str], size: float, indent: bool = False,
                         bold: bool = False, align=None) -> None:
        style = self.doc.styles[name]
        ppr = style.element.get_or_add_pPr()
        for tag in ("w:pBdr", "w:contextualSpacing", "w:keepLines"):
            for child in ppr.findall(qn(tag)):
                ppr.remove(child)
        pf = style.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(LINE_PT)
        pf.first_line_indent = Pt(BODY_PT * 2) if indent else Pt(0)
        pf.widow_control = False  # every full page has its 22 lines
        if align is not None:
            pf.alignment = align
        rpr = style.element.get_or_add_rPr()
        for tag in ("w:color", "w:spacing", "w:kern"):
            for child in rpr.findall(qn(tag)):
                rpr.remove(child)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        self._style_font(name, font)

    def _page_numbers(self) -> None:
        """“— 1 —”: odd pages on the right, even pages on the left, one character in."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        sides = ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT))
        for footer, align in sides:
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            pf = p.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
            pf.space_before = pf.space_after = Pt(0)
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                pf.right_indent = Pt(PAGE_NO_PT)
            else:
                pf.left_indent = Pt(PAGE_NO_PT)
            p.add_run("— ")
            _field(p, "PAGE", "1")
            p.add_run(" —")
            for run in p.runs:
                run.font.size = Pt(PAGE_NO_PT)
                _set_fonts(run._r.get_or_add_rPr(), PAGE_NO_FONT)

    def _font_table(self) -> None:
        """The 公文 fonts with a common font to stand in where they are not installed."""
        part = next((p for p in self.doc.part.package.parts if p.partname == "/word/fontTable.xml"), None)
        if part is None:
            return
        from lxml import etree

        root = etree.fromstring(part.blob)
        for name, alt in ALT_NAMES.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            alt_name = etree.SubElement(font, qn("w:altName"))
            alt_name.set(qn("w:val"), alt)
            charset = etree.SubElement(font, qn("w:charset"))
            charset.set(qn("w:val"), "86")  # GB2312
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # ---------------------------------------------------------------- content

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph(text, style=self.styles["title"])
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.official:
            self.doc.add_paragraph()  # a blank line between the title and the text

    def heading(self, text: str, level: int) -> None:
        """level 1: 一、… (黑体); 2: （一）… (楷体); 3: 1. … (仿宋, bold)."""
        self.doc.add_paragraph(text, style=self.styles[f"heading{min(level, 3)}"])

    def paragraph(self, text: str, centre: bool = False, bullet: bool = False, flush: bool = False) -> None:
        """A body paragraph, its first line indented two characters unless ``centre``d or
        ``flush`` (a salutation starts at the margin)."""
        p = self.doc.add_paragraph(text, style="List Bullet" if bullet else None)
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if centre or flush:
            p.paragraph_format.first_line_indent = Pt(0)

    def table(self, headers: tuple[str, ...] | list[str], rows: list[tuple], widths_mm: tuple[float, ...] = ()) -> None:
        """A ruled table; ``widths_mm``: its columns' widths (default: equal)."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers):
            cell.text = str(text)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row):
                cell.text = str(value)
        if widths_mm:
            table.autofit = False
            for column, width in zip(table.columns, widths_mm):
                column.width = Mm(width)  # the grid LibreOffice lays out by; Word reads the cells'
                for cell in column.cells:
                    cell.width = Mm(width)
        if self.official:
            for row in table.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        p.paragraph_format.first_line_indent = Pt(0)
                        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def signature(self, signature: Signature) -> None:
        """The organisation and the date, right-aligned, after a blank line. In 公文 format the
        date stands four characters in from the right and the organisation is centred over it
        (GB/T 9704 7.3.5.1: the seal covers both)."""
        self.doc.add_paragraph()
        day = date_text(signature.on)
        indents = (DATE_INDENT_CHARS + (_width(day) - _width(signature.org)) / 2, DATE_INDENT_CHARS)
        for text, indent in zip((signature.org, day), indents):
            p = self.doc.add_paragraph(text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            if self.official:
                p.paragraph_format.right_indent = Pt(BODY_PT * max(indent, 0))

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def markdown(self, text: str, top: int = 2) -> None:
        """Markdown paragraphs, ``-`` items and headings; ``top`` is the level of ``#`` marks
        that makes a first-level heading (``#`` above it: the title)."""
        lines: list[str] = []

        def flush() -> None:
            if lines:
                self.paragraph(_inline("".join(lines)))
                lines.clear()

        for raw in text.splitlines():
            line = raw.strip()
            heading = re.match(r"^(#{1,6})\s+(.*)$", line)
            bullet = re.match(r"^[-*+]\s+(.*)$", line)
            if heading:
                flush()
                level = len(heading.group(1)) - top + 1
                if level < 1:
                    self.title(_inline(heading.group(2)))
                else:
                    self.heading(_inline(heading.group(2)), level)
            elif bullet:
                flush()
                self.paragraph(_inline(bullet.group(1)), bullet=True)
            elif not line:
                flush()
            else:
                lines.append(line)
        flush()

    # ---------------------------------------------------------------- output

    def to_bytes(self) -> bytes:
        if self.official:
            self._fonts_on_every_run()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    def save(self, path: Path | str) -> Path:
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, self.to_bytes())
        except OSError as e:
            raise StoreError(f"无法写入 {path}：{os_reason(e)}") from e
        return path

    def _fonts_on_every_run(self) -> None:
        body = self.doc.element.body
        for p in body.iter(qn("w:p")):
            style_id = p.pPr.style if p.pPr is not None and p.pPr.style is not None else "Normal"
            font = self._font_of_style_id(style_id)
            for r in p.iter(qn("w:r")):
                _set_fonts(r.get_or_add_rPr(), font)

    def _font_of_style_id(self, style_id: str) -> tuple[str, str]:
        for name, font in self.fonts.items():
            if self.doc.styles[name].style_id == style_id:
                return font
        return BODY_FONT


def _width(text: str) -> float:
    """Width in characters of the body: digits and Latin letters are half a character."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def _inline(text: str) -> str:
    return text.replace("**", "").replace("__", "")


def _set_fonts(rpr, font: tuple[str, str]) -> None:
    east, latin = font
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _condense(style) -> None:
    """28 characters of 3号 (16 pt) are 448 pt, the line 442.25 pt. Condensed by 0.3 pt they
    fit (439.6 pt; at 0.25 pt LibreOffice still breaks after 27). The character grid alone
    does not do it everywhere: LibreOffice gives a 16 pt character on a 15.8 pt grid two
    cells (14 characters a line)."""
    rpr = style.element.get_or_add_rPr()
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWIPS))
    rpr.append(spacing)
    _reorder(rpr)


def _off_grid(style) -> None:
    """Not snapped to the character grid: the title (2号) and the page number keep their own
    size, the body its condensed characters (``_condense``)."""
    ppr = style.element.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.append(snap)
    _reorder(ppr)


def _reorder(element) -> None:
    """Children in the schema's order (Word refuses a file whose rPr/pPr children are not)."""
    order = RPR_ORDER if element.tag == qn("w:rPr") else PPR_ORDER
    rank = {qn(tag): n for n, tag in enumerate(order)}
    children = sorted(element, key=lambda child: rank.get(child.tag, len(order)))
    for child in children:
        element.append(child)


RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
             "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
             "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
             "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang")
PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
             "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
             "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
             "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
             "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
             "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _field(paragraph, instruction: str, shown: str) -> None:
    """A field (PAGE, NUMPAGES …) Word fills in, showing ``shown`` until it does."""
    def fld_char(kind: str):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(shown)
    fld_char("end")


__all__ = ["Paper", "Signature", "date_text", "BLANK_DATE"]
