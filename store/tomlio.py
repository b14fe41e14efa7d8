"""Turning records into TOML text, keeping a hand-edited file's comments and key order."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from enum import Enum
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from schema.records import Record


def blob_version(data: bytes) -> str:
    """The git blob id of ``data``: the version a save states it was read from."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def to_data(value: Any) -> Any:
    """Plain TOML-ready data: enums as their text, no None (TOML has no null)."""
    if isinstance(value, Record):
        value = value.model_dump(mode="python")
    if isinstance(value, dict):
        return {_key(k): to_data(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _is_flat(key: str, value: Any) -> bool:
    if not _BARE_KEY.match(key):
        return False
    if isinstance(value, date):
        return not isinstance(value, datetime)
    return isinstance(value, (str, int))  # floats and tables go through tomlkit


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in _ESCAPES:
                out.append(_ESCAPES[ch])
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _key(k: Any) -> str:
    return k.value if isinstance(k, Enum) else str(k)


def render(record: Record, previous: str | None = None) -> str:
    """TOML text of ``record``; unchanged parts of ``previous`` stay byte-identical."""
    data = to_data(record)
    if previous is None and all(_is_flat(k, v) for k, v in data.items()):
        # a new flat record (org, branch): the same text tomlkit writes, without its cost
        return "".join(f"{k} = {_scalar(v)}\n" for k, v in data.items())
    doc = tomlkit.parse(previous) if previous else tomlkit.document()
    _merge(doc, data)
    return tomlkit.dumps(doc)


def _merge(table: Any, data: dict[str, Any]) -> None:
    for key in [k for k in table if k not in data]:
        del table[key]
    for key, value in data.items():
        current = table.get(key)
        if current is not None and _plain(current) == value:
            continue
        if isinstance(value, dict) and isinstance(current, Table):
            _merge(current, value)
        else:
            table[key] = _item(value)


def _item(value: Any) -> Any:
    """A value as tomlkit should write it: tables as [sections], lists of tables as [[arrays]]."""
    if isinstance(value, dict):
        table = tomlkit.table()
        for k, v in value.items():
            table[k] = _item(v)
        return table
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        aot = tomlkit.aot()
        for v in value:
            aot.append(_item(v))
        return aot
    return value


def _plain(item: Any) -> Any:
    if isinstance(item, (Table, AoT)) or hasattr(item, "unwrap"):
        return _normalise(item.unwrap())
    return _normalise(item)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value
    return value
