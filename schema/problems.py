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


def problem_from_toml(file: str, error: tomllib.TOMLDecodeError) -> Problem:
    msg = str(error)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    line = int(m.group(1)) if m else None
    detail = re.sub(r"\s*\(at line.*\)$", "", msg)
    return Problem(file, f"TOML 语法错误：{_toml_reason(detail)}", line)


def _toml_reason(detail: str) -> str:
    known = {
        "Invalid value": "值无效（文本要加引号？）",
        "Expected '=' after a key in a key/value pair": "键后应有“=”",
        "Unclosed array": "数组缺少“]”",
        "Unterminated string": "字符串缺少结束引号",
        "Cannot overwrite a value": "键重复定义",
        "Invalid statement": "无法识别的语句",
        "Expected newline or end of document after a statement": "语句后应换行",
    }
    for en, cn in known.items():
        if detail.startswith(en):
            return cn
    return detail
