"""What every `shuping` command shares: the archive and operator options, and failing clearly.

Command modules import from here (not from tui.cli, which imports them)."""

from __future__ import annotations

import os
import sys

import click


class Context:
    def __init__(self, archive: str | None = None, operator: str | None = None):
        self.archive_path = archive
        self.operator = operator
        self.year: int | None = None  # a past campaign instead of the archive's current one

    def open(self, recover: bool = True):
        """The archive; ``recover=False`` (``check``): as it is, a hand edit read where it is."""
        from store.archive import Archive

        path = self.archive_path or os.environ.get("SHUPING_ARCHIVE") or "."
        return Archive.open(path, self.operator) if recover else Archive(path, self.operator)


def common(f):
    """--archive and --operator on every command (also accepted before the command)."""

    def set_archive(ctx, _param, value):
        if value:
            ctx.ensure_object(Context).archive_path = value
        return value

    def set_operator(ctx, _param, value):
        if value:
            ctx.ensure_object(Context).operator = value
        return value

    f = click.option("--archive", "-a", metavar="PATH", expose_value=False, callback=set_archive,
                     help="档案文件夹（默认 $SHUPING_ARCHIVE，否则当前文件夹）")(f)
    f = click.option("--operator", metavar="NAME", expose_value=False, callback=set_operator,
                     help="操作人（默认 git 用户名，否则 用户@主机）")(f)
    return f


def year_option(f):
    """--year on the commands that work on one campaign (also accepted before the command)."""

    def set_year(ctx, _param, value):
        if value is not None:
            ctx.ensure_object(Context).year = value
        return value

    return click.option("--year", type=int, metavar="YEAR", expose_value=False, callback=set_year,
                        help="年度（默认档案的当前年度；如查看或继续上一年度）")(f)


def fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)
