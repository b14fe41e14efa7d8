"""The meeting papers on A4 (issue 19): .docx written with python-docx in the 公文 layout
(GB/T 9704: margins 37/35/28/26 mm, title 方正小标宋简体 2号, body 仿宋_GB2312 3号), and .pdf
through LibreOffice where it is installed. What the papers say comes from schema/papers.py.

Every run names its East Asian font (``w:eastAsia``): Word otherwise sets Chinese text in the
theme's font whatever the run's font name says."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from schema.kinds import BallotForm
from schema.papers import BallotPaper, Heading, SignInPaper, TallyPaper
from store import layout
from store.atomic import atomic_write
from store.errors import StoreError, os_reason

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
SIZES = [Pt(16), Pt(14), Pt(12), Pt(10.5)]  # 3号 4号 小四 五号: a ballot's body shrinks to stay on one page
MARGINS = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # mm
PAGE_W, PAGE_H = 210, 297  # A4, mm
TEXT_W = PAGE_W - MARGINS["left"] - MARGINS["right"]  # 156 mm
TEXT_H = PAGE_H - MARGINS["top"] - MARGINS["bottom"]  # 225 mm
PT_PER_MM = 72 / 25.4
SOFFICE_TIMEOUT = 180  # seconds
SUFFIXES = (".docx", ".pdf")


# ---------------------------------------------------------------- the page and its fonts


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return doc


def set_font(run, name: str = BODY_FONT, size=BODY_SIZE, bold: bool = False) -> None:
    run.font.name, run.font.size, run.font.bold = name, size, bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def paragraph(container, text: str, font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False,
              align=WD_ALIGN_PARAGRAPH.LEFT, new_page: bool = False, after=Pt(0)):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.page_break_before = new_page
    p.paragraph_format.space_after = after
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_font(p.add_run(text), font, size, bold)
    return p


def cell_text(cell, text: str, size=BODY_SIZE, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_font(p.add_run(text), BODY_FONT, size, bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def grid(doc, rows: int, widths_mm: list[float], height_mm: float | None = None, header_rows: int = 0):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    fixed = OxmlElement("w:tblLayout")  # the widths as given, not fitted to the text
    fixed.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(fixed)
    for column, w in zip(table.columns, widths_mm):
        column.width = Mm(w)  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)
        if height_mm:
            row.height, row.height_rule = Mm(height_mm), WD_ROW_HEIGHT_RULE.AT_LEAST
    for row in table.rows[:header_rows]:  # repeated at the top of every page the table runs onto
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    return table


def write_heading(doc, head: Heading, new_page: bool, variant_label: str = "", size=BODY_SIZE) -> None:
    paragraph(doc, head.title, TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, new_page=new_page, after=Pt(6))
    if variant_label:
        paragraph(doc, f"【{variant_label}】", BODY_FONT, BODY_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=Pt(4))
    for n, line in enumerate(head.lines):
        paragraph(doc, line, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, after=Pt(4) if n == len(head.lines) - 1 else Pt(0))


# ---------------------------------------------------------------- the ballot


def lines_of(text: str, size_pt: float, width_mm: float) -> int:
    return max(1, math.ceil(len(text) * size_pt / (width_mm * PT_PER_MM)))


GRADE_WIDTHS = [12, 22, 58, 16, 16, 16, 16]  # 序号 姓名 所在党支部 好 较好 一般 差 (mm, 156 in all): two characters of 3号 fit a grade header
GRADE_ROW = 9  # mm: room to tick


def ballot_size(paper: BallotPaper):
    """The largest body size at which a grades ballot stays on one page (estimated)."""
    for size in SIZES:
        pt = size.pt
        used = TITLE_SIZE.pt * 1.4 + 6 + (BODY_SIZE.pt * 1.3 + 4 if paper.variant_label else 0)
        used += sum(lines_of(t, pt, TEXT_W) for t in paper.heading.lines) * pt * 1.3 + 4 + 30  # 票号 box
        used += (1 + sum(lines_of(f"{n}. {t}", pt, TEXT_W) for n, t in enumerate(paper.instructions))) * pt * 1.3 + 6
        used += pt * 1.3 * 2 + 4  # the header row
        used += sum(max(GRADE_ROW * PT_PER_MM, 4 + pt * 1.25 * max(lines_of(r.secretary, pt, GRADE_WIDTHS[1] - 2),
                                                                    lines_of(r.branch_name, pt, GRADE_WIDTHS[2] - 2)))
                    for r in paper.rows)
        if used <= TEXT_H * PT_PER_MM * 0.95:
            return size
    return SIZES[-1]


def serial_box(doc, text: str, size) -> None:
    box = grid(doc, 1, [64, 30])
    box.alignment = WD_TABLE_ALIGNMENT.RIGHT
    cell_text(box.rows[0].cells[0], text, size)
    cell_text(box.rows[0].cells[1], "", size)  # written in by the counter after collection, never printed


def write_ballot(doc, paper: BallotPaper, new_page: bool) -> None:
    size = ballot_size(paper) if paper.form == BallotForm.GRADES else SIZES[2]
    write_heading(doc, paper.heading, new_page, paper.variant_label, size)
    serial_box(doc, paper.serial_box, size)
    paragraph(doc, "填票说明：", size=size, bold=True, after=Pt(0))
    for n, rule in enumerate(paper.instructions, start=1):
        paragraph(doc, f"{n}. {rule}", size=size)
    paragraph(doc, "", size=Pt(6))
    if paper.form == BallotForm.INDICATORS:
        write_indicator_tables(doc, paper, size)
        return
    table = grid(doc, 1 + len(paper.rows), GRADE_WIDTHS, header_rows=1)
    for cell, text in zip(table.rows[0].cells, ["序号", "姓名", "所在党支部", *paper.columns]):
        cell_text(cell, text, size, bold=True)
    for row, r in zip(table.rows[1:], paper.rows):
        row.height, row.height_rule = Mm(GRADE_ROW), WD_ROW_HEIGHT_RULE.AT_LEAST
        cells = row.cells
        cell_text(cells[0], str(r.position), size)
        cell_text(cells[1], r.secretary, size)
        cell_text(cells[2], r.branch_name, size, align=WD_ALIGN_PARAGRAPH.LEFT)
        for cell in cells[3:]:
            cell_text(cell, "", size)


INDICATOR_WIDTHS = [30, 92, 16, 18]  # 一级指标 二级指标 分值 得分


def write_indicator_tables(doc, paper: BallotPaper, size) -> None:
    """附件1 for each secretary in order: every indicator with its maximum and a blank 得分."""
    full = sum(i.max_points for i in paper.indicators)
    for r in paper.rows:
        paragraph(doc, f"{r.position}. {r.secretary}（{r.branch_name}）", size=size, bold=True, after=Pt(2))
        table = grid(doc, 2 + len(paper.indicators), INDICATOR_WIDTHS, header_rows=1)
        for cell, text in zip(table.rows[0].cells, ["一级指标", "二级指标", "分值", "得分"]):
            cell_text(cell, text, size, bold=True)
        for row, i in zip(table.rows[1:], paper.indicators):
            cells = row.cells
            cell_text(cells[0], i.group, size)
            cell_text(cells[1], i.name, size, align=WD_ALIGN_PARAGRAPH.LEFT)
            cell_text(cells[2], f"{i.max_points:g}", size)
            cell_text(cells[3], "", size)
        last = table.rows[-1].cells
        cell_text(last[0], "合计", size, bold=True)
        cell_text(last[1], "", size)
        cell_text(last[2], f"{full:g}", size)
        cell_text(last[3], "", size)
        paragraph(doc, "", size=Pt(6))


def ballots_document(papers: list[BallotPaper], copies: dict[str, int] | None = None) -> Document:
    """The ballots, one page each: ``copies`` of each variant (by rater group), or one master each."""
    doc = new_document()
    first = True
    for paper in papers:
        for _ in range(copies.get(paper.variant, 0) if copies is not None else 1):
            write_ballot(doc, paper, new_page=not first)
            first = False
    return doc


# ---------------------------------------------------------------- the sign-in sheet

SIGN_COLUMNS = 4
SIGN_SIZE = Pt(14)


def write_signin(doc, paper: SignInPaper, new_page: bool) -> None:
    write_heading(doc, paper.heading, new_page, size=SIGN_SIZE)
    numerals = "一二三四五六七八九十"
    for n, group in enumerate(paper.groups):
        paragraph(doc, f"{numerals[n % 10]}、{group.name}（应到 {group.due} 人，实到＿＿＿人）", size=SIGN_SIZE, bold=True,
                  after=Pt(2))
        table = grid(doc, math.ceil(group.lines / SIGN_COLUMNS), [TEXT_W / SIGN_COLUMNS] * SIGN_COLUMNS, height_mm=10)
        for row in table.rows:
            for cell in row.cells:
                cell_text(cell, "", SIGN_SIZE)
        paragraph(doc, "", size=Pt(6))
    paragraph(doc, f"{numerals[len(paper.groups) % 10]}、列席人员", size=SIGN_SIZE, bold=True, after=Pt(2))
    names = paper.observers or ["", ""]
    table = grid(doc, len(names), [TEXT_W / 2, TEXT_W / 2], height_mm=10)
    for row, name in zip(table.rows, names):
        cell_text(row.cells[0], name, SIGN_SIZE)
        cell_text(row.cells[1], "", SIGN_SIZE)


def signin_document(paper: SignInPaper, copies: int = 1) -> Document:
    doc = new_document()
    for n in range(max(copies, 1)):
        write_signin(doc, paper, new_page=n > 0)
    return doc


# ---------------------------------------------------------------- the tally sheet

TALLY_WIDTHS = [10, 20, 41, 17, 17, 17, 17, 17]  # 序号 姓名 所在党支部 好 较好 一般 差 弃权
TALLY_SIZE = Pt(12)  # 小四
TALLY_ROWS_MM = 110  # what a page leaves the secretaries' rows: rows share it, 8–14 mm each (room for 正-marks)


def write_tally(doc, paper: TallyPaper, new_page: bool) -> None:
    write_heading(doc, paper.heading, new_page, paper.variant_label, TALLY_SIZE)
    for rule in paper.instructions:
        paragraph(doc, rule, size=TALLY_SIZE)
    paragraph(doc, "", size=Pt(6))
    totals = grid(doc, 2, [TEXT_W / len(paper.totals)] * len(paper.totals), height_mm=9)
    for cell, label in zip(totals.rows[0].cells, paper.totals):
        cell_text(cell, label, TALLY_SIZE, bold=True)
    for cell in totals.rows[1].cells:
        cell_text(cell, "", TALLY_SIZE)
    paragraph(doc, "", size=Pt(6))
    table = grid(doc, 1 + len(paper.rows), TALLY_WIDTHS, header_rows=1)
    for cell, text in zip(table.rows[0].cells, ["序号", "姓名", "所在党支部", *paper.columns]):
        cell_text(cell, text, TALLY_SIZE, bold=True)
    height = min(14, max(8, TALLY_ROWS_MM / max(len(paper.rows), 1)))
    for row, r in zip(table.rows[1:], paper.rows):
        row.height, row.height_rule = Mm(height), WD_ROW_HEIGHT_RULE.EXACTLY
        cells = row.cells
        cell_text(cells[0], str(r.position), TALLY_SIZE)
        cell_text(cells[1], r.secretary, TALLY_SIZE)
        cell_text(cells[2], r.branch_name, Pt(10.5), align=WD_ALIGN_PARAGRAPH.LEFT)
        for cell in cells[3:]:
            cell_text(cell, "", TALLY_SIZE)
    paragraph(doc, "", size=Pt(10))
    paragraph(doc, "　　".join(f"{s}（签名）：＿＿＿＿＿＿" for s in paper.signers), size=TALLY_SIZE, after=Pt(8))
    paragraph(doc, "年　　月　　日", size=TALLY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT)


def tally_document(papers: list[TallyPaper], copies: int = 1) -> Document:
    doc = new_document()
    first = True
    for _ in range(max(copies, 1)):
        for paper in papers:
            write_tally(doc, paper, new_page=not first)
            first = False
    return doc


# ---------------------------------------------------------------- writing out


def check_output(path: Path, archive_root: Path) -> None:
    """Refuse a file type we cannot write, or a place inside the archive's records (a stray
    file there would be committed by recovery, or clash with a record)."""
    if path.suffix.lower() not in SUFFIXES:
        raise StoreError(f"输出文件应以 .docx 或 .pdf 结尾：{path.name}")
    try:
        rel = path.resolve().relative_to(archive_root.resolve()).as_posix()
    except ValueError:
        return
    top = rel.split("/", 1)[0]
    if layout.in_archive(rel) or top in (".git", layout.LOCAL_DIR):
        raise StoreError(f"不能把打印文件存到档案的记录文件夹里（{rel}）：请存到档案之外，或档案根目录下的其他文件夹")


def document_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_document(doc, path: Path) -> Path:
    """Save as .docx, or as .pdf through LibreOffice (which must be installed for that)."""
    data = document_bytes(doc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".pdf":
            data = docx_to_pdf(data)
        atomic_write(path, data)
    except OSError as e:
        raise StoreError(f"无法写入 {path}：{os_reason(e)}") from e
    return path


def docx_to_pdf(data: bytes) -> bytes:
    program = soffice()
    if program is None:
        raise StoreError("本机没有安装 LibreOffice（找不到 soffice），无法生成 PDF：请改用 .docx 输出，"
                         "或安装 LibreOffice 后重试")
    with tempfile.TemporaryDirectory(prefix="shuping-print-") as tmp:
        source = Path(tmp) / "paper.docx"
        source.write_bytes(data)
        profile = (Path(tmp) / "profile").as_uri()  # its own profile: never blocked by a LibreOffice already open
        try:
            done = subprocess.run(
                [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", tmp,
                 str(source)], capture_output=True, timeout=SOFFICE_TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise StoreError(f"LibreOffice 转换 PDF 超时（{SOFFICE_TIMEOUT} 秒）") from e
        pdf = Path(tmp) / "paper.pdf"
        if done.returncode != 0 or not pdf.exists():
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["没有生成文件"]
            raise StoreError(f"LibreOffice 未能转换 PDF：{reason[0]}")
        return pdf.read_bytes()


__all__ = [
    "BODY_FONT", "MARGINS", "TITLE_FONT", "ballots_document", "check_output", "docx_to_pdf", "signin_document", "soffice",
    "tally_document", "write_document",
]
