"""`shuping server-hook`, `sync` and `verify`: keeping many copies of the archive honest."""

from __future__ import annotations

import sys

import click

from store.errors import StoreError
from tui.cli import Context, common, fail


@click.command("server-hook")
@click.argument("bare", type=click.Path(file_okay=False, exists=True))
def server_hook(bare: str) -> None:
    """在中心裸仓库中安装 pre-receive 钩子：拒绝修改他人二级党组织记录的推送。"""
    from store.access import install_server_hook

    try:
        target = install_server_hook(bare)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已写入 {target}。推送人取自 $SHUPING_PUSHER、$GL_USER、$REMOTE_USER 或 $USER（ssh 登录名）。")
