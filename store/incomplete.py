"""Figures counted while records they count cannot be read are silently wrong (56 branches
instead of 59): the exports and `status` refuse them, naming the files, unless told to go on
— then the output says it is incomplete in its title — and the dashboard and F8 warn.

The marking is applied to the written files (the title paragraph of a .docx, the title cell of
an .xlsx, the first line of Markdown), so that it does not depend on how each one is laid out."""

from __future__ import annotations

from pathlib import Path

from schema.problems import Problem
from store import layout
from store.atomic import atomic_write
from store.errors import IncompleteError
from store.snapshot import Snapshot

COUNTED = ("org", "branch", "review", "meeting", "org_year")  # the record kinds the figures are counted from
SHOWN = 3  # files named in the warning line


def unreadable(snap: Snapshot, org_id: str | None = None) -> list[Problem]:
    """The problems of the records the figures count (one organisation's, or all)."""
    return [p for p in snap.problems if layout.kind_of(p.file) in COUNTED
            and (org_id is None or layout.org_of(p.file) == org_id)]


def files(problems: list[Problem]) -> list[str]:
    return sorted({p.file for p in problems})


def note(problems: list[Problem]) -> str:
    """What a title says when its figures were counted without some records."""
    return f"（统计不完整：{len(files(problems))} 个记录无法读取）"


def warning(snap: Snapshot, org_id: str | None = None) -> str:
    """The line the dashboard and F8 show while figures are incomplete; "" when they are not."""
    names = files(unreadable(snap, org_id))
    if not names:
        return ""
    shown = "、".join(names[:SHOWN]) + ("等" if len(names) > SHOWN else "")
    return f"有 {len(names)} 个记录无法读取，统计不完整：{shown}，按 F10 查看"


def refuse(snap: Snapshot, org_id: str | None = None, allow: bool = False, hint: str = "") -> list[Problem]:
    """Raise naming the unreadable records (nothing exported) unless ``allow``; returns them."""
    problems = unreadable(snap, org_id)
    if problems and not allow:
        raise IncompleteError(f"以下 {len(files(problems))} 个记录无法读取，统计不完整，修正后才能导出（shuping check 列出全部问题）"
                         f"{hint}：\n" + "\n".join(str(p) for p in problems))
    return problems


def mark_text(text: str, problems: list[Problem]) -> str:
    """Markdown whose first line (its title) says it is incomplete."""
    if not problems:
        return text
    first, sep, rest = text.partition("\n")
    if first.startswith("#"):
        return f"{first}{note(problems)}{sep}{rest}"
    return f"# {note(problems)}\n\n{text}"


def mark_files(paths: list[Path], problems: list[Problem]) -> None:
    """Each written .docx or .xlsx with its title marked incomplete."""
    if not problems:
        return
    for path in paths:
        suffix = Path(path).suffix.lower()
        if suffix == ".docx":
            _mark_docx(Path(path), note(problems))
        elif suffix == ".xlsx":
            _mark_xlsx(Path(path), note(problems))


def _mark_docx(path: Path, text: str) -> None:
    import io

    from docx import Document

    doc = Document(str(path))
    title = next((p for p in doc.paragraphs if p.text.strip()), None)
    if title is None:
        doc.add_paragraph(text)
    else:
        first = title.runs[0] if title.runs else None
        run = title.add_run(text)
        if first is not None:  # in the title's own font
            run.font.size, run.font.name, run.font.bold = first.font.size, first.font.name, first.font.bold
    buffer = io.BytesIO()
    doc.save(buffer)
    atomic_write(path, buffer.getvalue())


def _mark_xlsx(path: Path, text: str) -> None:
    import io

    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    title = next((c for row in ws.iter_rows(min_row=1, max_row=3) for c in row if isinstance(c.value, str) and c.value.strip()),
                 None)
    if title is None:
        ws.insert_rows(1)
        ws.cell(1, 1, text)
    else:
        title.value = f"{title.value}{text}"
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(path, buffer.getvalue())


__all__ = ["COUNTED", "files", "mark_files", "mark_text", "note", "refuse", "unreadable", "warning"]
