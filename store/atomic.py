"""Atomic file replacement: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

from store.errors import StoreError, os_reason

TEMP_SUFFIX = ".shuping-tmp"
BATCH = 8  # from this many files on, one filesystem flush beats a flush per file
_libc = ctypes.CDLL(None, use_errno=True)


def atomic_write(path: Path, data: bytes, mode: int = 0o660) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as e:
        _discard(tmp)
        raise StoreError(_os_message(e, path)) from e


def atomic_write_many(files: list[tuple[Path, bytes]], mode: int = 0o660) -> None:
    """Each file replaced atomically, as ``atomic_write`` does, but with one flush for all:
    write every temp file, flush the filesystem once (syncfs), rename each, then flush each
    folder once. A 3,000-file roster takes a fraction of a second instead of seconds."""
    if len(files) < BATCH:
        for path, data in files:
            atomic_write(path, data, mode)
        return
    temps: list[tuple[Path, Path]] = []
    try:
        for folder in {path.parent for path, _ in files}:
            folder.mkdir(parents=True, exist_ok=True)
        for path, data in files:
            tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
            temps.append((tmp, path))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        flush_filesystem(temps[0][0].parent)
        for tmp, path in temps:
            os.replace(tmp, path)
        for folder in sorted({path.parent for _, path in temps}):
            _fsync_dir(folder)
    except OSError as e:
        for tmp, _ in temps:
            _discard(tmp)
        raise StoreError(_os_message(e, Path(e.filename) if e.filename else files[0][0])) from e


def flush_filesystem(folder: Path) -> None:
    """Everything written so far on ``folder``'s filesystem reaches the disk: one syncfs
    where Linux has it, else sync."""
    syncfs = getattr(_libc, "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(folder))
    finally:
        os.close(fd)


def atomic_delete(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)
    except OSError as e:
        raise StoreError(_os_message(e, path)) from e


def flush_folder(folder: Path) -> None:
    """A folder's entries (renames, deletions in it) reach the disk."""
    try:
        _fsync_dir(folder)
    except FileNotFoundError:
        pass


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass  # its folder could not be made: there is no temp file


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _os_message(e: OSError, path: Path) -> str:
    if e.errno == errno.ENOSPC:
        return f"磁盘空间已满，未能保存 {path.name}；原有内容未改变。请清理磁盘后重试。"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有写入权限，未能保存 {path}；原有内容未改变。"
    return f"写入 {path} 失败：{os_reason(e)}；原有内容未改变。"
