"""`shuping sync`, `clone` and `verify`: keeping many copies of the archive honest."""

from __future__ import annotations

import sys

import click

from tui.cli_common import Context, clock, common, fail, open_service


@click.command()
@click.option("--remote", metavar="URL", help="设置远程档案（中心裸仓库的路径或 ssh 地址），之后一直使用")
@click.option("--keep", type=click.Choice(["local", "remote"]), help="有冲突时全部保留本地或远程的值（否则列出冲突后退出）")
@common
@click.pass_obj
def sync(obj: Context, remote: str | None, keep: str | None) -> None:
    """与远程档案同步：获取、合并、推送。同一字段两边改得不同时列出冲突，不丢失任何修改。"""
    from store.service import StoreError

    try:
        intents = open_service(obj, read=False).sync
        if remote:
            intents.set_remote(remote)
        result = intents.run(progress=click.echo)
        if result.conflicts and keep:
            side = intents.OURS if keep == "local" else intents.THEIRS
            choices = {(c.path, f.key): side for c in result.conflicts for f in c.fields}
            result = intents.resolve(result, choices, progress=click.echo)
    except StoreError as e:
        fail(str(e))
    for conflict in result.conflicts:
        for f in conflict.fields:
            click.echo(f"{conflict.path} [{f.dotted}]  本地：{_shown(f.ours)}  远程：{_shown(f.theirs)}")
    if result.conflicts:
        click.echo("在界面中按 Ctrl+Y 逐项选择，或用 --keep local / --keep remote 全部保留一方。", err=True)
        sys.exit(1)


def _shown(value) -> str:
    if value is None:
        return "（无）"
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= 60 else text[:59] + "…"


@click.command()
@click.option("--against", metavar="PATH|URL", help="同时与另一份副本（组织部的、学校的）核对定稿标签和 main 的历史")
@click.option("--full", is_flag=True, help="逐个重算全部 git 对象的哈希（git fsck --full，省级档案约需 15 秒）")
@common
@click.pass_obj
def verify(obj: Context, against: str | None, full: bool) -> None:
    """从原始记录重算并核对各项结果，检查 git 完整性和定稿标签；有问题时以 1 退出。"""
    from store.service import StoreError

    try:
        report = open_service(obj, read=False).verify(against, full=full)
    except StoreError as e:
        fail(str(e))
    for finding in report.findings:
        click.echo(f"[{finding.check}] {finding}")
    click.echo(report.summary())
    if report.findings:
        sys.exit(1)


@click.command()
@click.argument("url")
@click.argument("path", type=click.Path(file_okay=False))
@common
@click.pass_obj
def clone(obj: Context, url: str, path: str) -> None:
    """从中心档案（裸仓库路径或 ssh 地址）复制一份本地档案，之后用 shuping sync 同步。"""
    from store.service import Service, StoreError

    try:
        service = Service.clone(url, path, obj.operator, clock())
    except StoreError as e:
        fail(str(e))
    click.echo(f"已复制到 {service.root}；之后运行 `shuping sync -a {path}` 同步。")
