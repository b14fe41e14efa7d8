"""A three-way merge of TOML records, key by key; also git's merge driver for ``*.toml``.

Keys changed on one side only are taken from that side; keys changed on both sides to
the same value are fine; keys changed differently on both sides are conflicts. Tables
merge recursively; arrays (of tables too) are single values. The result keeps our
side's comments and layout.

git runs it as ``python -m store.mergedriver %O %A %B %P`` (``.gitattributes`` names it for
``*.toml``; ``ensure_registered`` puts the command in each clone's git config): it writes
the merge into %A and exits 1 when a key conflicts (our value stays in %A; the sync reads
all three versions from git's index to present the conflict).
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

DRIVER = "shuping-toml"
ATTRIBUTES = f"*.toml merge={DRIVER}\n"
MISSING = None  # a key absent on one side (TOML has no null, so None is free)

OURS, THEIRS = "ours", "theirs"


@dataclass(frozen=True)
class FieldConflict:
    key: tuple[str, ...]  # () for a whole file that could not be merged key by key
    base: Any
    ours: Any
    theirs: Any

    @property
    def dotted(self) -> str:
        return ".".join(self.key) or "（整个文件）"


class Unmergeable(ValueError):
    """A side is not valid TOML: the file can only be taken whole."""


def merge3(base: str, ours: str, theirs: str, choices: dict[tuple[str, ...], str] | None = None) -> tuple[str, list[FieldConflict]]:
    """The merged text and the conflicts left. ``choices`` settles conflicts: key → OURS/THEIRS."""
    try:
        docs = [tomlkit.parse(t) for t in (base, ours, theirs)]
    except TOMLKitError as e:
        raise Unmergeable(str(e)) from e
    result = docs[1]
    conflicts: list[FieldConflict] = []
    _merge(result, docs[0], docs[2], (), choices or {}, conflicts)
    return tomlkit.dumps(result), conflicts


def _plain(container: Any, key: str) -> Any:
    if key not in container:
        return MISSING
    item = container[key]
    return item.unwrap() if hasattr(item, "unwrap") else item


def _merge(ours: Any, base: Any, theirs: Any, at: tuple[str, ...], choices: dict, conflicts: list[FieldConflict]) -> None:
    keys = list(ours.keys()) + [k for k in theirs.keys() if k not in ours] + [k for k in base.keys() if k not in ours and k not in theirs]
    for key in keys:
        o, a, b = _plain(base, key), _plain(ours, key), _plain(theirs, key)
        if a == b or b == o:
            continue
        if a == o:
            _take(ours, theirs, key)
            continue
        if isinstance(a, dict) and isinstance(b, dict) and _is_table(ours[key]) and _is_table(theirs[key]):
            _merge(ours[key], base[key] if isinstance(o, dict) else tomlkit.table(), theirs[key], at + (key,), choices, conflicts)
            continue
        choice = choices.get(at + (key,))
        if choice == THEIRS:
            _take(ours, theirs, key)
        elif choice != OURS:
            conflicts.append(FieldConflict(at + (key,), o, a, b))


def _is_table(item: Any) -> bool:
    return isinstance(item, (tomlkit.items.Table, tomlkit.items.InlineTable))


def _take(ours: Any, theirs: Any, key: str) -> None:
    if key not in theirs:
        del ours[key]
    else:
        ours[key] = copy.deepcopy(theirs[key])


def ensure_registered(repo) -> None:
    """Point this clone's git config at the driver (git config is not cloned)."""
    from store.errors import StoreError

    command = f"{sys.executable} -m store.mergedriver %O %A %B %P"
    try:
        current = repo.run("config", "--get", f"merge.{DRIVER}.driver")
    except StoreError:
        current = ""
    if current != command:
        repo.run("config", f"merge.{DRIVER}.name", "shuping TOML records, key by key")
        repo.run("config", f"merge.{DRIVER}.driver", command)


def main(argv: list[str]) -> int:
    base_file, ours_file, theirs_file = argv[:3]
    texts = []
    for name in (base_file, ours_file, theirs_file):
        with open(name, encoding="utf-8") as f:
            texts.append(f.read())
    try:
        merged, conflicts = merge3(*texts)
    except (Unmergeable, UnicodeDecodeError):
        return 1
    if conflicts:
        return 1
    with open(ours_file, "w", encoding="utf-8") as f:
        f.write(merged)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
