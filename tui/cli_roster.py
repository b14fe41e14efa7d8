"""`shuping roster import|template` and `shuping campaign new`: no screen, no Textual."""

from __future__ import annotations

import os
import sys
from datetime import date

import click

from store.errors import StoreError, os_reason
from tui.cli_common import Context, common, fail


def _today(archive) -> date:
    from schema.dates import today

    env = os.environ.get("SHUPING_TODAY")
    return date.fromisoformat(env) if env else today(archive.settings().timezone)


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
    from store.roster import RosterError, import_roster

    try:
        archive = obj.open()
        plan = import_roster(archive, file, sheet, today=_today(archive), dry_run=dry_run,
                             progress=_progress_to_stderr())
    except RosterError as e:
        for problem in e.problems:
            click.echo(str(problem))
        click.echo(f"共 {len(e.problems)} 个问题，未做任何修改。", err=True)
        sys.exit(1)
    except StoreError as e:
        fail(str(e))
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
    from store.roster import write_template

    try:
        write_template(file)
    except OSError as e:
        fail(f"无法写入 {file}：{os_reason(e)}")
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
    from store.campaigns import new_campaign

    try:
        result = new_campaign(obj.open(), year)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已新建并提交：{result.subject}")
