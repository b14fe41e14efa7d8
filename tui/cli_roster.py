"""`shuping roster import|template` and `shuping campaign new`: no screen, no Textual."""

from __future__ import annotations

import os
import sys

import click

from tui.cli_common import Context, common, fail, open_service


def _progress_to_stderr():
    """Progress on stderr for large files, only when someone is watching."""
    if not sys.stderr.isatty() and not os.environ.get("SHUPING_PROGRESS"):
        return None

    def show(done: int, total: int, stage: str) -> None:
        click.echo(f"\r{stage} {done}/{total}", nl=False, err=True)
        if done >= total:
            click.echo("", err=True)

    return show


@click.group()
def roster() -> None:
    """党支部名册：从 xlsx 导入、生成模板。"""


@roster.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", metavar="NAME", help="工作表名称（默认：第一个含表头的工作表）")
@click.option("--dry-run", is_flag=True, help="只检查并列出将要做的修改，不写入")
@common
@click.pass_obj
def import_command(obj: Context, file: str, sheet: str | None, dry_run: bool) -> None:
    """导入党支部名册：全部检查无误才写入，一次提交；有错误时逐条列出并以 1 退出。"""
    from store.service import StoreError

    try:
        plan = open_service(obj, read=False).campaign.import_roster(file, sheet, dry_run=dry_run,
                                                                   progress=_progress_to_stderr())
    except StoreError as e:
        fail(str(e))
    if plan.problems:
        for problem in plan.problems:
            click.echo(str(problem))
        click.echo(f"共 {len(plan.problems)} 个问题，未做任何修改。", err=True)
        sys.exit(1)
    if plan.empty:
        click.echo(f"名册与档案一致，没有变化（{len(plan.roster.rows)} 行）。")
        return
    if dry_run:
        click.echo(f"试导入（未写入）：{plan.summary()}")
        if plan.warning():
            click.echo(plan.warning())
    else:
        click.echo(f"已导入并提交：{plan.summary()}")
    for line in plan.details:
        click.echo(f"  {line}")


@roster.command("template")
@click.argument("file", type=click.Path(dir_okay=False))
def template_command(file: str) -> None:
    """生成名册模板（表头、示例行、类型下拉列表和“说明”工作表）。"""
    from store.service import Service, StoreError

    try:
        Service.roster_template(file)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已生成名册模板：{file}")


@click.group()
def campaign() -> None:
    """年度：新建下一年度。"""


@campaign.command("new")
@click.argument("year", type=int)
@common
@click.pass_obj
def new_command(obj: Context, year: int) -> None:
    """由当前年度新建下一年度：沿用设置，日期顺延一年，结转上年度问题和整改事项。"""
    from store.service import StoreError

    try:
        result = open_service(obj, read=False).campaign.new_year(year)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已新建并提交：{result.subject}")
