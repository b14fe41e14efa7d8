"""The one way a change is told in a commit message: “标签 旧值 → 新值”, joined by “；”.

    changes(old, new, [("founded", "成立日期"), ("secretary", "支部书记")])
    → ["成立日期 2019年5月12日 → 2019年5月13日", "支部书记 张三 → 李四"]
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable

from schema.dates import cn_date

EMPTY = "（空）"


def shown(value: Any) -> str:
    """A value as a person reads it: dates as 2021年1月30日, enums by their Chinese value, 是/否."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return cn_date(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(getattr(value, "value", value))


def changes(old: Any, new: Any, fields: Iterable[tuple[str, str]], show: Callable[[Any], str] = shown) -> list[str]:
    """“标签 旧 → 新” for each (attribute, label) whose value differs between ``old`` and ``new``."""
    out = []
    for key, label in fields:
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(f"{label} {show(a)} → {show(b)}")
    return out


def summary(parts: Iterable[str]) -> str:
    return "；".join(p for p in parts if p)


__all__ = ["EMPTY", "changes", "shown", "summary"]
