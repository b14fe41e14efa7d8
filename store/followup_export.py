"""Follow-up documents: all feedback of an organisation (.docx) and the announcement (通报)
of its results (.docx and .xlsx). Written to a folder outside the archive's history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from schema.followup import announcement_rows, draft_feedback
from schema.records import Branch, Org, Review
from store.atomic import atomic_write
from store.errors import StoreError, os_reason
from store.official_docx import Paper, Signature, date_text

HEADERS = ("序号", "党支部", "支部书记", "考核结果")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DRAFT = "（评定未定档，仅供核对）"  # on every title while the organisation's grades are not finalised


def feedback_docx(path: Path, org: Org, year: int, items: list[tuple[Branch, Review]], finalised: bool = True,
                  official: bool = True) -> Path:
    """One page per branch: the feedback text (or its draft), then the organisation and the day
    it was given; a feedback not given yet has a blank date to write in by hand."""
    paper = Paper(official)
    paper.title(f"{org.name}{year}年度党支部书记述职评议考核结果反馈{'' if finalised else DRAFT}")
    for n, (branch, review) in enumerate(items):
        if n:
            paper.page_break()
        paper.heading(branch.name, 1)
        grade = review.grade.final.value if review.grade.final else "未评定"
        paper.paragraph(f"支部书记：{branch.secretary or '—'}　考核结果：{grade}　"
                        f"反馈日期：{date_text(review.feedback.delivered)}")
        text = review.feedback.text or draft_feedback(branch, org, review, year)
        for n, line in enumerate(l.strip() for l in text.splitlines() if l.strip()):
            paper.paragraph(line, flush=n == 0 and line.endswith("："))  # the salutation
        paper.signature(Signature(org.name, review.feedback.delivered))
    return paper.save(path)


def announcement_docx(path: Path, org: Org, year: int, scope: str, items: list[tuple[Branch, Review]],
                      finalised: bool = True, official: bool = True, on: date | None = None) -> Path:
    """The 通报: its scope, the results table, the organisation and ``on`` (blank: by hand)."""
    paper = Paper(official)
    paper.title(f"关于{year}年度党支部书记述职评议考核结果的通报{'' if finalised else DRAFT}")
    if scope:
        paper.paragraph(f"通报范围：{scope}")
    paper.paragraph(f"经{org.name}综合评定，{year}年度党支部书记述职评议考核结果如下：")
    paper.table(HEADERS, announcement_rows(items), widths_mm=(18, 78, 30, 30))
    paper.signature(Signature(org.name, on))
    return paper.save(path)


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
               finalised: bool = True, official: bool = True, on: date | None = None) -> list[Path]:
    """The three documents for one organisation, named for it and the year; titled as a draft
    for checking while its grades are not finalised. ``official``: the .docx in 公文 format;
    ``on``: the 通报's date."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"无法创建导出文件夹 {folder}：{os_reason(e)}") from e
    stem = f"{year}-{org.id}"
    return [
        feedback_docx(folder / f"{stem}-反馈.docx", org, year, items, finalised, official),
        announcement_docx(folder / f"{stem}-通报.docx", org, year, scope, items, finalised, official, on),
        announcement_xlsx(folder / f"{stem}-通报.xlsx", org, year, scope, items, finalised),
    ]
