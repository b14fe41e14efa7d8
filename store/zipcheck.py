"""Office files (.xlsx, .docx) checked before any parser opens them: they are zip archives, and
their central directory says — without inflating anything — how many members they hold and how
large those become. A 3 MB zip bomb would otherwise take gigabytes of memory, and a gigabyte of
whitespace ends in a parser's traceback. A password-protected Office file is not a zip at all
but an OLE compound file (CFB): it is named as such, not as "not a valid file".

Every reader of an xlsx or a docx calls ``check_office_file`` first."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from store.errors import StoreError, os_reason

MAX_MEMBERS = 5_000  # an Excel or Word file holds tens of parts; thousands only with many images
MAX_UNCOMPRESSED = 256 * 2**20  # bytes, all members together: a 30,000-row roster is about 20 MB
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FROM; Office XML is 5–30
RATIO_FROM = 2**20  # small members compress as they like
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: what Office writes when a file has a password
APPS = {"xlsx": "Excel", "docx": "Word"}
NOT_OFFICE = {  # not a zip at all
    "xlsx": "无法读取 {name}：不是有效的 xlsx 文件。请用 Excel 另存为 .xlsx。未做任何修改。",
    "docx": "无法读取 Word 文件 {name}：文件已损坏或不是 .docx 格式。未做任何修改。",
}


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def check_office_file(path: Path | str, kind: str) -> None:
    """StoreError (in Chinese, with the numbers) unless ``path`` is a sane ``kind`` ("xlsx" or "docx") file."""
    path = Path(path)
    app = APPS[kind]
    try:
        with path.open("rb") as f:
            head = f.read(len(CFB_MAGIC))
    except FileNotFoundError:
        raise StoreError(f"找不到文件：{path}") from None
    except OSError as e:
        raise StoreError(f"无法读取 {path}：{os_reason(e)}") from None
    if head == CFB_MAGIC:
        raise StoreError(f"{path.name}：文件有密码保护，请先在 {app} 中取消密码后再导入（或是旧版 .{kind[:3]} 格式：请另存为 .{kind}）。"
                         "未做任何修改。")
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise StoreError(NOT_OFFICE[kind].format(name=path.name)) from None
    except OSError as e:
        raise StoreError(f"无法读取 {path}：{os_reason(e)}") from None
    refuse = f"{path.name} 不像正常的 {app} 文件，未导入（未做任何修改）："
    if len(members) > MAX_MEMBERS:
        raise StoreError(f"{refuse}压缩包内有 {len(members)} 个成员，超过上限 {MAX_MEMBERS}。")
    if any(m.flag_bits & 0x1 for m in members):
        raise StoreError(f"{path.name}：文件有密码保护，请先在 {app} 中取消密码后再导入。未做任何修改。")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise StoreError(f"{refuse}解压后共 {_mib(total)}，超过上限 {_mib(MAX_UNCOMPRESSED)}"
                         f"（文件本身 {_mib(path.stat().st_size)}）。")
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise StoreError(f"{refuse}成员 {m.filename} 由 {_mib(m.compress_size)} 解压为 {_mib(m.file_size)}，"
                             f"压缩比 {m.file_size / max(m.compress_size, 1):.0f}:1，超过上限 {MAX_RATIO}:1（疑为“压缩炸弹”）。")


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def formulas_without_values(path: Path | str) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the (row, column index from 0) of formula cells with no computed value:
    openpyxl and other programs write formulas without results; only Excel computes them on
    saving. Read from the sheets' XML only when it holds a formula at all. Call after
    ``check_office_file``."""
    out: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as z:
        sheets = _sheet_names(z)
        for member, name in sheets.items():
            try:
                data = z.read(member)
            except KeyError:
                continue
            if b"<f" not in data and b":f" not in data:
                continue
            for m in _CELL.finditer(data):
                body = m.group(3) or b""
                if re.search(rb"<(?:\w+:)?f\b", body) and not re.search(rb"<(?:\w+:)?v\b[^>]*>[^<]", body):
                    ref = _REF.search(m.group(1))
                    if ref:
                        out.setdefault(name, set()).add((int(ref.group(2)), _column_index(ref.group(1).decode())))
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, from the workbook and its relationships."""
    try:
        book = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {m.group(1).decode(): m.group(2).decode()
               for m in re.finditer(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2).decode(): m.group(1).decode()
                    for m in re.finditer(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)/?>", book):
        attrs = m.group(1)
        name = re.search(rb'\bname="([^"]*)"', attrs)
        rid = re.search(rb'\br:id="([^"]*)"', attrs) or re.search(rb'\b\w+:id="([^"]*)"', attrs)
        if name and rid and rid.group(1).decode() in targets:
            target = targets[rid.group(1).decode()]
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out[member] = _unescape(name.group(1).decode("utf-8"))
    return out


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_UNCOMPRESSED", "check_office_file", "formulas_without_values"]
