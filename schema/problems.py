"""Problems found in records, said in Chinese with where they are.

One path serves both modes: ``check`` collects every problem, the app raises on the
first (``RecordError``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    key: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" [{self.key}]" if self.key and not self.line else ""
        return f"{where}:{key} {self.message}"


class RecordError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本（加引号）",
    "date_type": "应为日期，如 2021-01-30",
    "date_parsing": "应为日期，如 2021-01-30",
    "date_from_datetime_parsing": "应为日期，如 2021-01-30",
    "list_type": "应为列表",
    "dict_type": "应为表",
    "model_type": "应为表",
    "string_too_short": "不能为空",
}


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")
        return f"取值应为 {expected} 之一"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{'等于' if kind == 'greater_than' else ''} {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{'等于' if kind == 'less_than' else ''} {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_pattern_mismatch":
        return "只能包含小写字母、数字、- 和 _"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return _MESSAGES.get(kind, err["msg"])


def key_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a key path in TOML text: the key's line, else its table's."""
    lines = text.splitlines()
    names = [str(p) for p in loc if not isinstance(p, int)]
    if not names:
        return None
    table: list[str] = []
    best: int | None = None
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    for number, raw in enumerate(lines, start=1):
        m = header.match(raw)
        if m:
            table = [part.strip().strip('"') for part in m.group(1).split(".")]
            if table == names[: len(table)] and best is None and len(table) == len(names):
                best = number
            continue
        km = re.match(r'^\s*"?([^"=\s]+)"?\s*=', raw)
        if km and table + [km.group(1)] == names[: len(table) + 1]:
            if len(table) + 1 == len(names):
                return number
            best = best or number
    return best


def problems_from_validation(file: str, text: str, error: ValidationError) -> list[Problem]:
    out = []
    for err in error.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        out.append(Problem(file, _pydantic_message(err), key_line(text, loc), key))
    return out


def problem_from_toml(file: str, error: tomllib.TOMLDecodeError, text: str = "") -> Problem:
    """``FILE:LINE: TOML 语法错误（第 9 列）：值无效……``; at the end of the file, its last line."""
    line, column, reason = toml_error(error)
    if column == 0:
        return Problem(file, f"TOML 语法错误（文件末尾）：{reason}", len(text.splitlines()) or None)
    return Problem(file, f"TOML 语法错误（第 {column} 列）：{reason}" if column else f"TOML 语法错误：{reason}", line)


def toml_error(error: tomllib.TOMLDecodeError) -> tuple[int | None, int | None, str]:
    """The line and column tomllib names (None, 0 for the end of the file) and its reason in Chinese."""
    msg = str(error)
    m = re.search(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$", msg)
    reason = toml_reason(msg[: m.start()] if m else msg)
    if m is None:
        return None, None, reason
    if m.group(1) is None:
        return None, 0, reason
    return int(m.group(1)), int(m.group(2)), reason


def toml_error_place(error: tomllib.TOMLDecodeError) -> str:
    """``第 3 行第 9 列：值无效……`` for a message about one file."""
    line, column, reason = toml_error(error)
    if line:
        return f"第 {line} 行第 {column} 列：{reason}"
    return f"文件末尾：{reason}" if column == 0 else reason


_CHARS = {"\\n": "换行", "\\r": "回车符", "\\t": "制表符", "\\x00": "空字符", "\\x7f": "删除符"}


def _char(quoted: str) -> str:
    """A character as tomllib quotes it (``'\n'``, ``"'"``) said in Chinese."""
    inner = quoted[1:-1]
    if inner in _CHARS:
        return _CHARS[inner]
    if inner.startswith("\\x"):
        return f"控制字符 U+{inner[2:].upper().zfill(4)}"
    return f"“{inner}”"


def _key(text: str) -> str:
    """A key as tomllib shows it (``('a', 'b')``) written the TOML way (``a.b``)."""
    parts = re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", text)
    return ".".join(a or b for a, b in parts) or text


_QUOTED = r"""(?P<c>'.*'|".*")"""
_TOML_REASONS: list[tuple[str, str]] = [
    (r"Invalid value", "值无效（文本要加引号？）"),
    (r"Expected '=' after a key in a key/value pair", "键后应有“=”"),
    (r"Expected newline or end of document after a statement", "此处应换行（一行只写一项；值写错了？）"),
    (r"Expected '\]' at the end of a table declaration", "表头缺少“]”"),
    (r"Expected '\]\]' at the end of an array declaration", "表数组头缺少“]]”"),
    (rf"Expected {_QUOTED}", "缺少{c}（引号未闭合？）"),
    (r"Unclosed array", "数组缺少“]”（或元素之间缺少逗号）"),
    (r"Unclosed inline table", "内联表缺少“}}”（或键值之间缺少逗号）"),
    (r"Unterminated string", "字符串缺少结束引号"),
    (rf"Illegal character {_QUOTED}", "字符串中不能有{c}（引号未闭合？）"),
    (rf"Found invalid character {_QUOTED}", "注释或字符串中不能有{c}"),
    (r"Cannot overwrite a value", "键重复定义"),
    (r"Cannot declare (?P<k>.+) twice", "表 [{k}] 重复定义"),
    (r"Cannot mutate immutable namespace (?P<k>.+)", "“{k}”已完整定义，不能再添加键"),
    (r"Cannot redefine namespace (?P<k>.+)", "“{k}”重复定义"),
    (rf"Duplicate inline table key {_QUOTED}", "内联表中键{c}重复"),
    (r"Invalid statement", "无法识别的语句"),
    (r"Invalid initial character for a key part", "键名开头的字符无效（含空格或中文的键名要加引号）"),
    (r"Unescaped '\\' in a string", "字符串中的反斜杠“\\”要写成“\\\\”"),
    (r"Invalid hex value", "转义序列中的十六进制数无效"),
    (r"Escaped character is not a Unicode scalar value", "转义序列不是有效的字符"),
    (r"Invalid date or datetime", "日期或时间无效（应如 2021-01-30）"),
]


def toml_reason(detail: str) -> str:
    """tomllib's English reason (without its position) said in Chinese; unknown ones quoted."""
    for pattern, chinese in _TOML_REASONS:
        m = re.fullmatch(pattern, detail)
        if m:
            words = {k: _char(v) if k == "c" else _key(v) for k, v in m.groupdict().items()}
            return chinese.format(**words)
    return f"无法解析（原文：{detail}）"
