"""Atomic file replacement: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from store.errors import StoreError

TEMP_SUFFIX = ".shuping-tmp"


def atomic_write(path: Path, data: bytes, mode: int = 0o660) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
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
        tmp.unlink(missing_ok=True)
        raise StoreError(_os_message(e, path)) from e


def atomic_delete(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)
    except OSError as e:
        raise StoreError(_os_message(e, path)) from e


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
    return f"写入 {path} 失败：{e.strerror}；原有内容未改变。"
