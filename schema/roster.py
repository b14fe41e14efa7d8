"""The roster spreadsheet's columns and the rules for cleaning and checking its rows.

Pure: cell values in, cleaned values or Chinese messages out. Reading the workbook and
turning rows into records is ``store.roster``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from schema.dates import DateError, NoSuchDay, parse_date
from schema.kinds import BranchKind, OrgKind
from schema.wordcount import is_cjk


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the name the template writes
    aliases: tuple[str, ...]
    required: bool
    note: str  # explained on the template's 说明 sheet


COLUMNS = [
    Column("org", "二级党组织", ("二级党组织名称", "所属二级党组织", "所属党委", "上级党组织"), True,
           "党支部所属二级党组织的全称，如“化学与材料学院党委”。同一组织各行写法应一致。"),
    Column("org_kind", "二级党组织类型", ("组织类型", "党组织类型", "二级党组织类别"), True,
           "二级党委、党总支、直属党支部、党工委 之一。直属党支部只能有一行（它自己）。"),
    Column("name", "党支部名称", ("支部名称", "党支部", "支部全称"), True,
           "党支部全称。无支部编码时，按“二级党组织 + 党支部名称”与档案中已有的党支部对应。"),
    Column("kind", "支部类型", ("党支部类型", "支部类别"), True,
           "教工、学生、师生混合、离退休、机关、其他 之一。"),
    Column("founded", "成立日期", ("成立时间", "建立日期", "支部成立日期"), True,
           "日期单元格，或写作 2019-05-12、2019/5/12、2019.05.12、2019年5月12日。"),
    Column("secretary", "支部书记", ("书记", "党支部书记", "书记姓名"), True, "现任党支部书记姓名。"),
    Column("members", "党员人数", ("党员数", "党员总数"), False, "整数，可留空。"),
    Column("code", "支部编码", ("党组织编码", "组织编码", "编码"), False,
           "省党务管理信息系统中的党组织编码。填写后按编码对应已有党支部（改名也能对上）。"),
    Column("last_election", "上次换届日期", ("换届日期", "上次换届时间", "最近换届日期"), False, "日期，格式同成立日期，可留空。"),
    Column("committee_size", "支委人数", ("支委会人数", "支部委员人数", "委员人数"), False, "整数，可留空。"),
]
BY_KEY = {c.key: c for c in COLUMNS}

ORG_KIND_ALIASES = {"党委": OrgKind.COMMITTEE, "二级党委": OrgKind.COMMITTEE, "总支": OrgKind.GENERAL_BRANCH,
                    "党总支部": OrgKind.GENERAL_BRANCH, "直属支部": OrgKind.DIRECT_BRANCH}
BRANCH_KIND_ALIASES = {"教职工": BranchKind.STAFF, "教师": BranchKind.STAFF, "师生": BranchKind.MIXED,
                       "退休": BranchKind.RETIRED, "离休": BranchKind.RETIRED}

_SPACES = re.compile(r"[\s\u3000\u00a0\u2000-\u200b\u202f\u205f\ufeff]+")
_EXCEL_EPOCH = date(1899, 12, 30)
DATE_HINT = "应写作 2019-05-12、2019/5/12、2019.05.12、2019年5月12日，或设为日期单元格"


class CellError(ValueError):
    """A cell's value cannot be used; the message says why, in Chinese."""


def clean_text(value: object) -> str:
    """Trim half- and full-width spaces; drop spaces between Chinese characters, keep one elsewhere."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SPACES.sub(" ", str(value)).strip()
    if " " not in text:
        return text
    parts = text.split(" ")
    out = parts[0]
    for part in parts[1:]:
        if is_cjk(out[-1]) or is_cjk(part[0]):
            out += part
        else:
            out += " " + part
    return out


def name_key(text: str) -> str:
    """The form names are matched by: cleaned, full-width letters and digits folded, case-blind."""
    return unicodedata.normalize("NFKC", clean_text(text)).replace(" ", "").casefold()


def header_key(text: object) -> str:
    """A header cell as matched against column names: no spaces, no ``*`` marks, no （说明）."""
    key = name_key(str(text or ""))
    key = re.sub(r"\(.*?\)|\[.*?\]", "", key)
    return key.strip("*：:")


def match_header(cell: object) -> Column | None:
    key = header_key(cell)
    if not key:
        return None
    for column in COLUMNS:
        if key == header_key(column.header) or key in (header_key(a) for a in column.aliases):
            return column
    return None


def parse_date_cell(value: object) -> date | None:
    """A date cell, an Excel serial number or a date written as text; None when blank."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466 or value != int(value):
            raise CellError(f"无法识别的日期 {value:g}（不是 Excel 日期序号）")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = clean_text(value)
    try:
        return parse_date(text)
    except NoSuchDay:
        raise CellError(f"日期不存在：“{text}”") from None
    except DateError:
        raise CellError(f"无法识别的日期“{text}”，{DATE_HINT}") from None


def parse_count(value: object) -> int | None:
    """A whole number, also when typed as text (“12”、“１２”、“12人”); None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, (int, float)):
        number = value
    else:
        text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "").removesuffix("人")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"应为整数，现为“{clean_text(value)}”") from None
    if number != int(number):
        raise CellError(f"应为整数，现为 {number:g}")
    if number < 0:
        raise CellError(f"不能为负数（{number:g}）")
    return int(number)


def parse_org_kind(value: object) -> OrgKind | None:
    text = clean_text(value).replace(" ", "")
    if not text:
        return None
    try:
        return OrgKind(text)
    except ValueError:
        pass
    if text in ORG_KIND_ALIASES:
        return ORG_KIND_ALIASES[text]
    raise CellError(f"未知的二级党组织类型“{text}”，应为 {'、'.join(k.value for k in OrgKind)} 之一")


def parse_branch_kind(value: object) -> BranchKind | None:
    text = clean_text(value).replace(" ", "")
    if not text:
        return None
    bare = text.removesuffix("党支部").removesuffix("支部")
    for candidate in (text, bare):
        try:
            return BranchKind(candidate)
        except ValueError:
            pass
        if candidate in BRANCH_KIND_ALIASES:
            return BRANCH_KIND_ALIASES[candidate]
    raise CellError(f"未知的支部类型“{text}”，应为 {'、'.join(k.value for k in BranchKind)} 之一")


PARSERS = {
    "org": clean_text,
    "org_kind": parse_org_kind,
    "name": clean_text,
    "kind": parse_branch_kind,
    "founded": parse_date_cell,
    "secretary": clean_text,
    "members": parse_count,
    "code": lambda v: unicodedata.normalize("NFKC", clean_text(v)).replace(" ", ""),
    "last_election": parse_date_cell,
    "committee_size": parse_count,
}


@dataclass(frozen=True)
class RosterProblem:
    sheet: str
    row: int | None  # the spreadsheet's row number; None for the sheet as a whole
    column: str  # the header as written in the file
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.sheet}: {self.message}"
        return f"{self.sheet}!{self.row} {self.column}: {self.message}"


@dataclass
class RosterRow:
    """One cleaned row. ``values`` holds only the columns the file has."""

    row: int
    values: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, key: str):
        return self.values.get(key)


def parse_row(sheet: str, number: int, cells: dict[str, object], headers: dict[str, str]) -> tuple[RosterRow, list[RosterProblem]]:
    """Clean one row's cells (``key → raw value``); ``headers`` maps key → header as written."""
    row = RosterRow(number)
    problems = []
    for key, raw in cells.items():
        try:
            value = PARSERS[key](raw)
        except CellError as e:
            problems.append(RosterProblem(sheet, number, headers[key], str(e)))
            continue
        if value in ("", None):
            value = None
            if BY_KEY[key].required:
                problems.append(RosterProblem(sheet, number, headers[key], "必填，不能为空"))
        row.values[key] = value
    return row, problems


def check_rows(sheet: str, rows: list[RosterRow], headers: dict[str, str]) -> list[RosterProblem]:
    """Rules across rows: no branch twice, one kind per organisation, a 直属党支部 has one branch."""
    problems = []
    seen_code: dict[str, int] = {}
    seen_name: dict[tuple[str, str], int] = {}
    org_first: dict[str, RosterRow] = {}
    for row in rows:
        org, name, code = row["org"], row["name"], row["code"]
        if not org:
            continue
        org_key = name_key(org)
        first = org_first.setdefault(org_key, row)
        if first is not row:
            if row["org_kind"] and first["org_kind"] and row["org_kind"] != first["org_kind"]:
                problems.append(RosterProblem(sheet, row.row, headers["org_kind"],
                                              f"与第 {first.row} 行同一二级党组织的类型（{first['org_kind']}）不一致"))
            elif first["org_kind"] == OrgKind.DIRECT_BRANCH:
                problems.append(RosterProblem(sheet, row.row, headers["org"],
                                              f"直属党支部只能有一个党支部（第 {first.row} 行已有）"))
        if code:
            if code in seen_code:
                problems.append(RosterProblem(sheet, row.row, headers["code"], f"支部编码 {code} 与第 {seen_code[code]} 行重复"))
                continue
            seen_code[code] = row.row
        if name:
            key = (org_key, name_key(name))
            if key in seen_name:
                problems.append(RosterProblem(sheet, row.row, headers["name"],
                                              f"党支部“{name}”与第 {seen_name[key]} 行重复（同一二级党组织下同名）"))
                continue
            seen_name[key] = row.row
    return problems
