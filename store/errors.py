"""Errors the store raises, each with a Chinese message a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Something went wrong reading or writing the archive; nothing was changed."""


class ConflictError(StoreError):
    """The record changed since it was read; the save was refused."""

    def __init__(self, path: str, who: str, when: str):
        self.path, self.who, self.when = path, who, when
        super().__init__(f"保存被拒绝：{path} 在你读取之后已被 {who} 于 {when} 修改。请重新打开该记录，核对后再保存。")


class AccessError(StoreError):
    """The operator may not change this record."""


class ReadOnlyError(StoreError):
    """The archive can be read here but not written (read-only files or disk, no git)."""
