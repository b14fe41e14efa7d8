"""附件2 as a spreadsheet people print and stamp, and the same figures as JSON."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from schema.stats import COLUMNS, OrgStats, StatsTable
from schema.wordcount import is_cjk
from store.atomic import atomic_write
from store.errors import StoreError

TITLE_ROW, UNIT_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
PERCENT = "0.0%"
COUNT = "0"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
FONT = "宋体"
HEADER_LINE = 8  # display cells per header line before it wraps (four Chinese characters)


def title_of(table: StatsTable) -> str:
    return f"{table.university}{table.year}年党支部书记述职评议考核工作情况统计表"


def unit_of(table: StatsTable) -> str:
    if len(table.rows) == 1:
        return f"填报单位：{table.rows[0].name}（盖章）"
    return f"全校汇总：{len(table.rows)} 个二级党组织"


def labels(table: StatsTable) -> list[str]:
    return [table.quota_label if key == "quota_ok" else label for label, key in COLUMNS]


def cells(row: OrgStats) -> list:
    out = []
    for _, key in COLUMNS:
        value = row.value(key)
        if key == "quota_ok":
            value = "是" if value else "否"
        out.append(value)
    return out


def display_width(text: str) -> int:
    return sum(2 if is_cjk(ch) else 1 for ch in str(text))


def write_xlsx(table: StatsTable, target: Path | str) -> Path:
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise StoreError(f"统计表只能导出为 .xlsx 文件：{target}")
    wb = Workbook()
    ws = wb.active
    ws.title = f"{table.year}统计表"
    ncols = len(COLUMNS)
    last = get_column_letter(ncols)

    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = ws.cell(TITLE_ROW, 1, title_of(table))
    title.font = Font(name=FONT, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 30
    ws.merge_cells(f"A{UNIT_ROW}:{last}{UNIT_ROW}")
    unit = ws.cell(UNIT_ROW, 1, unit_of(table))
    unit.font = Font(name=FONT, size=11)
    unit.alignment = Alignment(horizontal="left", vertical="center")

    header_font = Font(name=FONT, size=10, bold=True)
    centre_wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, label in enumerate(labels(table), start=1):
        c = ws.cell(HEADER_ROW, col, label)
        c.font, c.fill, c.alignment, c.border = header_font, HEADER_FILL, centre_wrap, BORDER
    header_lines = max(-(-display_width(label) // HEADER_LINE) for label in labels(table)[1:])
    ws.row_dimensions[HEADER_ROW].height = 14 * header_lines + 6

    body_font = Font(name=FONT, size=10)
    total_font = Font(name=FONT, size=10, bold=True)
    rows = list(table.rows)
    if table.total is not None and len(rows) > 1:
        rows.append(table.total)
    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        is_total = row is table.total and len(rows) > 1
        for col, ((_, key), value) in enumerate(zip(COLUMNS, cells(row)), start=1):
            c = ws.cell(r, col, value)
            c.border = BORDER
            c.font = total_font if is_total else body_font
            if is_total:
                c.fill = TOTAL_FILL
            if key == "name":
                c.alignment = Alignment(horizontal="left", vertical="center")
            else:
                c.alignment = Alignment(horizontal="center", vertical="center")
                c.number_format = PERCENT if key == "good_share" else COUNT if key != "quota_ok" else "@"

    name_width = max([display_width(r.name) for r in rows] + [display_width(COLUMNS[0][0])])
    ws.column_dimensions["A"].width = name_width + 3
    for col in range(2, ncols + 1):
        ws.column_dimensions[get_column_letter(col)].width = HEADER_LINE + 3

    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_area = f"A1:{last}{FIRST_DATA_ROW + len(rows) - 1}"

    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(target, buffer.getvalue())
    return target


def as_json(table: StatsTable, org_id: str | None = None) -> dict:
    def row_dict(row: OrgStats) -> dict:
        out = {key: row.value(key) for _, key in COLUMNS}
        out["good_share"] = None if row.good_share is None else round(row.good_share, 4)
        out.update(id=row.id, excluded_other=row.excluded_other, good_cap=row.good_cap, graded=row.graded,
                   approved=row.approved)
        return out

    return {
        "university": table.university,
        "year": table.year,
        "organisation": org_id,
        "columns": [{"key": key, "label": label} for (_, key), label in zip(COLUMNS, labels(table))],
        "rows": [row_dict(r) for r in table.rows],
        "total": row_dict(table.total) if table.total else None,
    }
