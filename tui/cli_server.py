"""`shuping server-init` and `shuping server-hook`: the central bare repository."""

from __future__ import annotations

import click

from store.errors import StoreError
from tui.cli_common import fail

PUSHER = "推送人取自 $SHUPING_PUSHER、$GL_USER、$REMOTE_USER 或 $USER（ssh 登录名）。"


def _report(central) -> None:
    click.echo(f"已写入 {central.hook}。{PUSHER}")
    if central.fixed:
        click.echo(f"已收紧 {len(central.fixed)} 个文件或文件夹的权限（文件 0660、文件夹 2770，其他用户不可读）。")
    if central.unfixable:
        click.echo(f"注意：{len(central.unfixable)} 个文件属于其他用户，无法修改权限（如 {central.unfixable[0]}）；"
                   f"请其所有者或管理员执行 `shuping server-hook`。", err=True)


@click.command("server-init")
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--branch", default="main", show_default=True, help="受保护的主分支")
def server_init(path: str, branch: str) -> None:
    """新建中心裸仓库：组内共享（文件 0660、文件夹 2770），安装 pre-receive 钩子。"""
    from store.central import server_init as make_central

    try:
        central = make_central(path, branch)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已新建中心仓库：{central.path.resolve()}。请把它 chgrp -R 给工作人员所在的组，"
               f"然后由组织部推送第一份档案（shuping sync --remote {path}）。")
    _report(central)


@click.command("server-hook")
@click.argument("bare", type=click.Path(file_okay=False, exists=True))
def server_hook(bare: str) -> None:
    """在已有的中心裸仓库中安装（或更新）pre-receive 钩子，并检查、修正文件权限。"""
    from store.central import harden

    try:
        central = harden(bare)
    except StoreError as e:
        fail(str(e))
    _report(central)
