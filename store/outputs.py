"""Where exports may be written: never inside the archive's record folders, where the next
open would find a file that is not a record (or one that overwrote a record); and the one
folder every export goes to unless the user names another (``export_folder``)."""

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


DEFAULT_EXPORT_DIR = "~/shuping-exports"  # visible, per user (each has a home), outside every archive


def export_folder(root: Path, setting: str = "") -> Path:
    """The folder exports go to, from the archive settings' ``export_dir``: ``~`` is each
    user's home, so one setting gives every user a folder of their own; a relative setting is
    taken from the home folder; empty: ``~/shuping-exports``. StoreError if it lies in the
    record folders."""
    folder = Path(setting.strip() or DEFAULT_EXPORT_DIR).expanduser()
    if not folder.is_absolute():
        folder = Path.home() / folder
    return check_output(root, folder, folder=True)


def export_path(root: Path, setting: str, output: str | Path) -> Path:
    """Where one export is written: ``output`` as an absolute path, or a file name (or a
    relative path) inside ``export_folder``, whose folders are created."""
    target = check_output(root, export_folder(root, setting) / Path(output).expanduser())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"无法建立导出文件夹 {target.parent}：{e.strerror or e}") from None
    return target


__all__ = ["DEFAULT_EXPORT_DIR", "check_output", "export_folder", "export_path"]
