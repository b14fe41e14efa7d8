"""Follow-up documents: all feedback of an organisation (.docx) and the announcement (通报)
of its results (.docx and .xlsx). Written to a folder outside the archive's history."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from schema.dates import cn_date
from schema.followup import announcement_rows, draft_feedback
from schema.records import Branch, Org, Review
from store.atomic import atomic_write
from store.errors import StoreError, os_reason

HEADERS = ("序号", "党支部", "支部书记", "考核结果")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DRAFT = "（评定未定档，仅供核对）"  # on every title while the organisation's grades are not finalised


def _save_docx(doc, path: Path) -> Path:
    import io

    buffer = io.BytesIO()
    doc.save(buffer)
    atomic_write(path, buffer.getvalue())
    return path


def feedback_docx(path: Path, org: Org, year: int, items: list[tuple[Branch, Review]], finalised: bool = True) -> Path:
    """One section per branch: the feedback text (or its draft) and the date it was given."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    doc.add_heading(f"{org.name}{year}年度党支部书记述职评议考核结果反馈{'' if finalised else DRAFT}", level=1)
    for branch, review in items:
        doc.add_heading(branch.name, level=2)
        grade = review.grade.final.value if review.grade.final else "未评定"
        doc.add_paragraph(f"支部书记：{branch.secretary or '—'}　考核结果：{grade}　"
                          f"反馈日期：{cn_date(review.feedback.delivered) if review.feedback.delivered else '未反馈'}")
        text = review.feedback.text or draft_feedback(branch, org, review, year)
        for line in text.splitlines():
            doc.add_paragraph(line)
    return _save_docx(doc, path)


def announcement_docx(path: Path, org: Org, year: int, scope: str, items: list[tuple[Branch, Review]],
                      finalised: bool = True) -> Path:
    rows = announcement_rows(items)
    doc = Document()
    doc.add_heading(f"关于{year}年度党支部书记述职评议考核结果的通报{'' if finalised else DRAFT}", level=1)
    if scope:
        doc.add_paragraph(f"通报范围：{scope}")
    doc.add_paragraph(f"经{org.name}综合评定，{year}年度党支部书记述职评议考核结果如下：")
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = str(value)
    doc.add_paragraph(org.name)
    return _save_docx(doc, path)


def announcement_xlsx(path: Path, org: Org, year: int, scope: str, items: list[tuple[Branch, Review]],
                      finalised: bool = True) -> Path:
    import io

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    ws.append([f"{org.name}{year}年度党支部书记述职评议考核结果{'' if finalised else DRAFT}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"通报范围：{scope}" if scope else None])
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in announcement_rows(items):
        ws.append(list(row))
    for row in ws.iter_rows(min_row=3, max_col=len(HEADERS)):
        for cell in row:
            cell.border = BORDER
            if cell.column != 2:
                cell.alignment = Alignment(horizontal="center", vertical="center")
    for column, width in zip("ABCD", (6, 36, 12, 10)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(path, buffer.getvalue())
    return path


def export_all(folder: Path, org: Org, year: int, scope: str, items: list[tuple[Branch, Review]],
               finalised: bool = True) -> list[Path]:
    """The three documents for one organisation, named for it and the year; titled as a draft
    for checking while its grades are not finalised."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"无法创建导出文件夹 {folder}：{os_reason(e)}") from e
    stem = f"{year}-{org.id}"
    return [
        feedback_docx(folder / f"{stem}-反馈.docx", org, year, items, finalised),
        announcement_docx(folder / f"{stem}-通报.docx", org, year, scope, items, finalised),
        announcement_xlsx(folder / f"{stem}-通报.xlsx", org, year, scope, items, finalised),
    ]
