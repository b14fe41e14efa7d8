"""What every `shuping` command shares: the archive and operator options, and failing clearly.

Command modules import from here (not from tui.cli, which imports them)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from schema.clock import Clock

if TYPE_CHECKING:
    from store.service import Service


class Context:
    def __init__(self, archive: str | None = None, operator: str | None = None):
        self.archive_path = archive
        self.operator = operator
        self.year: int | None = None  # a past campaign instead of the archive's current one

    @property
    def path(self) -> str:
        return self.archive_path or os.environ.get("SHUPING_ARCHIVE") or "."

    def open(self, recover: bool = True):
        """The archive itself, for the commands whose intents are not there yet (transitional)."""
        return open_service(self, read=False, recover=recover).archive


def clock() -> Clock:
    """The one clock of a command: today is $SHUPING_TODAY when set (the demo, the tests)."""
    try:
        return Clock.from_env(os.environ)
    except ValueError as e:
        fail(str(e))


def start_service(obj: Context, command_clock: Clock, recover: bool = True) -> Service:
    """Open the archive through the service, not reading it yet (the screen does that in the
    background, showing its progress); raises ``StoreError``. ``recover=False`` (``check``):
    as it is, a hand edit read where it is."""
    # imported when a command runs, not when `shuping` starts: the screen's first frame does not wait for it
    from store.service import Service

    return Service.open(obj.path, obj.operator, command_clock, obj.year, recover=recover)


def open_service(obj: Context, read: bool = True, recover: bool = True) -> Service:
    """The archive for one command, through the service (the only way the command line reads
    or changes it); its records read unless ``read`` is False. Failing to open or read it
    ends the command with the reason in Chinese (exit 2)."""
    from store.service import StoreError  # see start_service

    try:
        service = start_service(obj, clock(), recover)
        if read:
            service.load()
    except StoreError as e:
        fail(str(e))
    return service


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


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)
