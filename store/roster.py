"""Roster import from xlsx: read, clean, check every row, then turn the roster into changes.

All or nothing: every problem in the file is collected and reported, and only a clean file
is written, as one commit. Branches are matched by 支部编码 when there is one, else by
organisation and normalised name; a branch missing from the roster is marked dissolved,
never deleted.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from schema.changes import changes
from schema.dates import cn_date
from schema.kinds import OrgKind
from schema.records import Branch, Org
from schema.roster import (
    BY_KEY,
    COLUMNS,
    RosterProblem,
    RosterRow,
    check_rows,
    match_header,
    name_key,
    parse_row,
)
from store import layout
from store.archive import Archive, Change
from store.errors import StoreError, os_reason
from store.snapshot import Snapshot, load
from store.tomlio import render
from store.zipcheck import check_office_file, formulas_without_values

Progress = Callable[[int, int, str], None]  # done, total, what is being done
HEADER_SEARCH_ROWS = 30
PROGRESS_EVERY = 250
DETAIL_LINES = 300


class RosterError(StoreError):
    """The roster has problems; nothing was written."""

    def __init__(self, problems: list[RosterProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RosterFile:
    name: str  # the file's name, for messages
    sheet: str
    headers: dict[str, str] = field(default_factory=dict)  # column key → header as written
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)


FORMULA_UNCOMPUTED = "公式没有计算结果，请在 Excel 中打开并保存后再导入"


def read_roster(path: Path | str, sheet: str | None = None, progress: Progress | None = None) -> RosterFile:
    """Read and clean every row of the roster sheet; problems are collected, not raised."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    check_office_file(path, "xlsx")  # a zip bomb, a password, not a workbook: refused before openpyxl sees it
    uncached = formulas_without_values(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise StoreError(f"找不到文件：{path}") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError):
        raise StoreError(f"无法读取 {path.name}：不是有效的 xlsx 文件。请用 Excel 另存为 .xlsx。") from None
    except OSError as e:
        raise StoreError(f"无法读取 {path}：{os_reason(e)}") from None
    try:
        return _read_book(book, path.name, sheet, progress, uncached)
    finally:
        book.close()


def _read_book(book, file_name: str, sheet: str | None, progress: Progress | None,
               uncached: dict[str, set[tuple[int, int]]] | None = None) -> RosterFile:
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise StoreError(f"{file_name} 中没有名为“{sheet}”的工作表（有：{'、'.join(book.sheetnames)}）")
        candidates = [sheet]
    else:
        candidates = list(book.sheetnames)
    first_failure: RosterFile | None = None
    for name in candidates:
        found = _read_sheet(book[name], name, file_name, progress, (uncached or {}).get(name, set()))
        if found.headers or sheet is not None:
            return found
        first_failure = first_failure or found
    assert first_failure is not None
    return first_failure


def _read_sheet(ws, sheet: str, file_name: str, progress: Progress | None,
                uncached: set[tuple[int, int]] = frozenset()) -> RosterFile:
    out = RosterFile(file_name, sheet)
    rows = ws.iter_rows(values_only=True)
    total = ws.max_row or 0
    header_row = None
    positions: dict[str, int] = {}
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        found = {}
        for index, cell in enumerate(cells):
            column = match_header(cell)
            if column and column.key not in found:
                found[column.key] = index
        if len([k for k in found if BY_KEY[k].required]) >= 3:
            header_row, positions = number, found
            for index, cell in enumerate(cells):
                column = match_header(cell)
                if column and found[column.key] != index:
                    out.problems.append(RosterProblem(sheet, number, str(cell).strip(),
                                                      f"与第 {found[column.key] + 1} 列“{cells[found[column.key]]}”重复，是同一列"))
            out.headers = {key: re.sub(r"\s+", "", str(cells[i])) for key, i in positions.items()}
            break
    if header_row is None:
        names = "、".join(c.header for c in COLUMNS if c.required)
        out.problems.append(RosterProblem(sheet, None, "", f"前 {HEADER_SEARCH_ROWS} 行中找不到表头行（应含 {names}）"))
        return out
    for column in COLUMNS:
        if column.required and column.key not in positions:
            also = f"（也可写作 {'、'.join(column.aliases)}）" if column.aliases else ""
            out.problems.append(RosterProblem(sheet, header_row, column.header, f"缺少必填列“{column.header}”{also}"))
    if out.problems:
        return out
    for number, cells in enumerate(rows, start=header_row + 1):
        values = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # blank row
        row, problems = parse_row(sheet, number, values, out.headers)
        if uncached:
            # a formula Excel never computed reads as empty: say so, not "必填，不能为空"
            formulas = {out.headers[key] for key, i in positions.items() if (number, i) in uncached}
            problems = [p for p in problems if p.column not in formulas]
            problems += [RosterProblem(sheet, number, header, FORMULA_UNCOMPUTED) for header in sorted(formulas)]
        out.rows.append(row)
        out.problems.extend(problems)
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, total, "读取")
    out.problems.extend(check_rows(sheet, out.rows, out.headers))
    out.problems.sort(key=lambda p: (p.row or 0, _column_order(out.headers, p.column)))
    if progress:
        progress(total, total, "读取")
    return out


def _column_order(headers: dict[str, str], header: str) -> int:
    keys = list(headers.values())
    return keys.index(header) if header in keys else -1


# ---------------------------------------------------------------------------- what the roster changes


@dataclass
class RosterPlan:
    roster: RosterFile
    changes: list[Change] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # 新增/更新/撤销 → 二级党组织/党支部 → n
    details: list[str] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)

    def count(self, verb: str, what: str) -> int:
        return self.counts.get(verb, {}).get(what, 0)

    def add(self, verb: str, what: str, detail: str) -> None:
        by = self.counts.setdefault(verb, {})
        by[what] = by.get(what, 0) + 1
        self.details.append(f"{verb}{what}：{detail}")

    @property
    def empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        """What the import does in one line, e.g. 新增 1 个党支部，更新 2 个党支部，撤销 1 个党支部."""
        parts = []
        for verb in ("新增", "更新", "撤销"):
            items = [f"{self.count(verb, what)} 个{what}" for what in ("二级党组织", "党支部") if self.count(verb, what)]
            if items:
                parts.append(f"{verb} {'、'.join(items)}")
        return "，".join(parts) if parts else "没有变化"

    def subject(self) -> str:
        return f"导入党支部名册：{self.summary()}"

    def warning(self) -> str:
        """Said before confirming: a partial roster would mark everything it omits dissolved."""
        n = self.count("撤销", "党支部")
        if not n:
            return ""
        return f"注意：名册中没有列出的 {n} 个党支部将标记为撤销（保留历史，不删除）。如果这只是部分名册，请不要导入。"


def plan_import(snap: Snapshot, roster: RosterFile, today: date, read_text: Callable[[str], str | None]) -> RosterPlan:
    """The changes that make the archive match ``roster``; ``read_text`` gives a record's
    current text so updated files keep their comments."""
    plan = RosterPlan(roster)
    orgs_by_name = {name_key(o.record.name): o for o in snap.orgs.values()}
    by_code = {b.record.code: b for b in snap.branches.values() if b.record.code}
    by_name = {(b.record.org, name_key(b.record.name)): b for b in snap.branches.values()}
    next_org = _next_number(snap.orgs, r"o(\d+)")
    next_branch = _next_number(snap.branches, r"b(\d+)")
    branch_width = max([4] + [len(i) - 1 for i in snap.branches if re.fullmatch(r"b\d+", i)])
    org_order = max([0] + [o.record.order for o in snap.orgs.values()])
    h = roster.headers

    # organisations, in the order they first appear
    org_ids: dict[str, str] = {}  # name key → id
    for row in roster.rows:
        key = name_key(row["org"])
        if key in org_ids:
            continue
        existing = orgs_by_name.get(key)
        if existing is None:
            while f"o{next_org:03d}" in snap.orgs:
                next_org += 1
            org_order += 1
            org = Org(id=f"o{next_org:03d}", name=row["org"], kind=row["org_kind"], order=org_order)
            next_org += 1
            plan.changes.append(Change(layout.org_path(org.id), render(org).encode(), None))
            plan.add("新增", "二级党组织", f"{org.name}（{org.kind}）")
        else:
            org = existing.record
            update = {}
            if org.kind != row["org_kind"]:
                update["kind"] = row["org_kind"]
            if org.dissolved is not None:
                update["dissolved"] = None
            if update:
                new = org.model_copy(update=update)
                plan.changes.append(_rewrite(existing, new, read_text))
                said = "；".join(filter(None, [
                    f"类型 {org.kind} → {new.kind}" if "kind" in update else "",
                    f"恢复（原于{cn_date(org.dissolved)}撤销）" if "dissolved" in update else "",
                ]))
                plan.add("更新", "二级党组织", f"{org.name}（{said}）")
        org_ids[key] = org.id

    # branches
    matched: dict[str, int] = {}  # branch id → row number
    for row in roster.rows:
        org_id = org_ids[name_key(row["org"])]
        found = by_code.get(row["code"]) if row["code"] else None
        if found is not None and found.record.org != org_id:
            old_org = snap.orgs[found.record.org].record.name
            plan.problems.append(RosterProblem(
                roster.sheet, row.row, h["code"],
                f"支部编码 {row['code']} 在档案中属于{old_org}的“{found.record.name}”，不能改到其他二级党组织；请核对编码"))
            continue
        if found is None:
            found = by_name.get((org_id, name_key(row["name"])))
        if found is not None and found.record.id in matched:
            plan.problems.append(RosterProblem(
                roster.sheet, row.row, h["name"], f"与第 {matched[found.record.id]} 行对应档案中的同一个党支部（{found.record.id}）"))
            continue
        values = {k: v for k, v in row.values.items() if k not in ("org", "org_kind")}
        if found is None:
            branch_id = f"b{next_branch:0{branch_width}d}"
            next_branch += 1
            try:
                branch = Branch(id=branch_id, org=org_id, **values)
            except ValidationError as e:
                plan.problems.append(RosterProblem(roster.sheet, row.row, "", f"无法建立党支部记录：{e.errors()[0]['msg']}"))
                continue
            plan.changes.append(Change(layout.branch_path(org_id, branch_id), render(branch).encode(), None))
            plan.add("新增", "党支部", f"{row['org']} {branch.name}（{branch.id}）")
            matched[branch_id] = row.row
            continue
        old = found.record
        matched[old.id] = row.row
        kept = {k: v for k, v in values.items() if v is not None}  # a blank optional cell never erases
        new = old.model_copy(update={**kept, "dissolved": None})
        if new != old:
            Branch.model_validate(new.model_dump())
            plan.changes.append(_rewrite(found, new, read_text))
            plan.add("更新", "党支部", f"{old.name}（{_describe(old, new, h)}）")

    # what the roster no longer lists
    for stored in sorted(snap.branches.values(), key=lambda s: s.record.id):
        branch = stored.record
        if branch.id not in matched and branch.dissolved is None:
            plan.changes.append(_rewrite(stored, branch.model_copy(update={"dissolved": today}), read_text))
            plan.add("撤销", "党支部", f"{snap.orgs[branch.org].record.name} {branch.name}（{branch.id}，名册中已无）")
    listed = set(org_ids.values())
    for stored in sorted(snap.orgs.values(), key=lambda s: s.record.id):
        org = stored.record
        if org.id not in listed and org.dissolved is None:
            plan.changes.append(_rewrite(stored, org.model_copy(update={"dissolved": today}), read_text))
            plan.add("撤销", "二级党组织", f"{org.name}（名册中已无）")
    return plan


def _next_number(ids, pattern: str) -> int:
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(pattern, i))]
    return max(numbers, default=0) + 1


def _rewrite(stored, record, read_text: Callable[[str], str | None]) -> Change:
    return Change(stored.path, render(record, read_text(stored.path)).encode(), stored.version)


def _describe(old: Branch, new: Branch, headers: dict[str, str]) -> str:
    parts = changes(old, new, [(c.key, headers.get(c.key, c.header)) for c in COLUMNS if c.key not in ("org", "org_kind")])
    if old.dissolved and not new.dissolved:
        parts.append(f"恢复（原于{cn_date(old.dissolved)}撤销）")
    return "；".join(parts)


def import_roster(
    archive: Archive,
    path: Path | str,
    sheet: str | None = None,
    today: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RosterPlan:
    """Read, check and apply a roster. Raises RosterError listing every problem (nothing
    written); returns the plan, committed as one change unless ``dry_run`` or empty."""
    from schema.dates import today as local_today

    roster = read_roster(path, sheet, progress)
    if roster.problems:
        raise RosterError(roster.problems)
    snap = load(archive)
    broken = [p for p in snap.problems if layout.kind_of(p.file) in ("org", "branch")]
    if broken:  # an unreadable branch would look absent and be created again
        raise StoreError("档案中有无法读取的组织或党支部记录，请先修正（shuping check）再导入：\n"
                         + "\n".join(str(p) for p in broken))
    today = today or local_today(snap.settings.timezone)

    def read_text(rel: str) -> str | None:
        data, _ = archive.read_bytes(rel)
        return data.decode("utf-8") if data is not None else None

    plan = plan_import(snap, roster, today, read_text)
    if plan.problems:
        raise RosterError(plan.problems)
    if progress:
        progress(len(roster.rows), len(roster.rows), "核对")
    if not dry_run and not plan.empty:
        body = f"文件：{roster.name}（工作表“{roster.sheet}”，{len(roster.rows)} 行）\n\n" + "\n".join(plan.details[:DETAIL_LINES])
        if len(plan.details) > DETAIL_LINES:
            body += f"\n……另有 {len(plan.details) - DETAIL_LINES} 项"
        if progress:
            progress(0, len(plan.changes), "写入")
        archive.commit(plan.changes, plan.subject(), body)
        if progress:
            progress(len(plan.changes), len(plan.changes), "写入")
    return plan


# ---------------------------------------------------------------------------- the template


EXAMPLE = {
    "org": "化学与材料学院党委",
    "org_kind": OrgKind.COMMITTEE.value,
    "name": "化学与材料学院教工第一党支部",
    "kind": "教工",
    "founded": date(2016, 9, 1),
    "secretary": "张明",
    "members": 23,
    "code": "440100000001",
    "last_election": date(2019, 5, 12),
    "committee_size": 5,
}


def write_template(path: Path | str) -> None:
    """A clean roster template: headers, one example row, kind lists, and a 说明 sheet."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from schema.kinds import BranchKind

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "党支部名册"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        value = ws.cell(row=2, column=index, value=EXAMPLE[column.key])
        if isinstance(EXAMPLE[column.key], date):
            value.number_format = "yyyy-mm-dd"
        if column.key == "code":
            value.number_format = "@"
        ws.column_dimensions[get_column_letter(index)].width = 26 if column.key in ("org", "name") else 14
    ws.freeze_panes = "A2"
    last = 2000
    for key, values in (("org_kind", [k.value for k in OrgKind]), ("kind", [k.value for k in BranchKind])):
        letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="取值不对", error=f"请从列表中选择：{'、'.join(values)}")
        rule.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(rule)
    notes = book.create_sheet("说明")
    notes.append(["列名", "必填", "也可写作", "说明"])
    for cell in notes[1]:
        cell.font = bold
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "否", "、".join(column.aliases), column.note])
    notes.append([])
    notes.append(["整体", "", "", "表头可在任意行（上方可有标题、合并单元格），列的顺序不限，多余的列会被忽略；空行跳过。"])
    notes.append(["整体", "", "", "导入前会检查所有行，有任何错误都不会写入，并逐条列出“工作表!行号 列名: 说明”。"])
    notes.append(["整体", "", "", "再次导入同一名册不会产生变化；名册中不再列出的党支部标记为撤销（保留历史），不会删除。"])
    for letter, width in zip("ABCD", (16, 6, 30, 80), strict=True):
        notes.column_dimensions[letter].width = width
    book.save(path)
