"""Errors the store raises, each with a Chinese message a user can act on."""

from __future__ import annotations

import errno


class StoreError(Exception):
    """Something went wrong reading or writing the archive; nothing was changed."""


class ConflictError(StoreError):
    """The record changed since it was read; the save was refused."""

    def __init__(self, path: str, who: str, when: str):
        self.path, self.who, self.when = path, who, when
        super().__init__(f"保存被拒绝：{path} 在你读取之后已被 {who} 于 {when} 修改。请重新打开该记录，核对后再保存。")


class AccessError(StoreError):
    """The operator may not change this record."""


class FrozenError(StoreError):
    """The change touches what a finalised grading froze (see ``schema.freeze``)."""


class IncompleteError(StoreError):
    """Figures would be counted without records that cannot be read; nothing was written."""


class ReadOnlyError(StoreError):
    """The archive can be read here but not written (read-only files or disk, no git)."""


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "路径中有同名的文件",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "磁盘是只读的",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EIO: "磁盘读写错误",
}


def os_reason(e: OSError) -> str:
    """Why a file operation failed, in Chinese (the system's own text for anything rarer)."""
    return _OS_REASONS.get(e.errno, e.strerror or str(e))
