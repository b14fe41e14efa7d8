"""Where exports may be written: never inside the archive's record folders, where the next
open would find a file that is not a record (or one that overwrote a record)."""

from __future__ import annotations

import os
from pathlib import Path

from store import layout
from store.errors import StoreError

RECORD_FOLDERS = ("orgs", "campaigns", ".git", layout.LOCAL_DIR)


def check_output(root: Path, output: str | Path, folder: bool = False) -> Path:
    """``output`` made absolute; StoreError if it lies in ``root``'s record folders or is one
    of its record files. ``folder``: ``output`` is the folder exports go to."""
    target = Path(os.path.realpath(Path(output).expanduser()))
    root = Path(os.path.realpath(root))
    try:
        rel = target.relative_to(root).as_posix()
    except ValueError:
        return target
    top = rel.split("/", 1)[0]
    if top in RECORD_FOLDERS or rel in layout.AREAS:
        what = "导出文件夹" if folder else "导出文件"
        raise StoreError(f"{what}不能放在档案的记录文件夹中（{rel}）：会与记录混在一起，甚至覆盖记录。"
                         f"请写到档案之外，例如桌面或“文档”文件夹。")
    return target


__all__ = ["check_output"]
