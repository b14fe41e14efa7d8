"""`shuping report import|export`: report files in and out, without the screen."""

from __future__ import annotations

import sys

import click

from schema.report_import import MappingError, parse_mapping
from store.errors import StoreError
from store.outputs import check_output
from tui.cli_common import common, fail, open_service, year_option




@click.group()
def report() -> None:
    """述职报告：导入 Word/Markdown/文本文件，导出为 .docx 或 Markdown。"""


@report.command("import")
@click.argument("branch")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--map", "maps", multiple=True, metavar="标题=部分",
              help="指定标题对应的部分：标题序号或文字=部分编号（0 表示小标题），可重复")
@click.option("--yes", is_flag=True, help="映射不确定时仍按显示的映射导入")
@year_option
@common
@click.pass_obj
def import_report(obj, branch: str, file: str, maps: tuple[str, ...], yes: bool) -> None:
    """把 FILE（.docx、.md 或 .txt）导入为党支部 BRANCH 的述职报告（替换原文，一次提交）。

    各部分标题按关键词（F9 年度设置）对应；对应不确定时只显示映射、不导入（退出码 1），
    可用 --map 指定或 --yes 确认。"""
    try:
        mapping = parse_mapping(" ".join(maps))
    except MappingError as e:
        fail(f"--map {e}")
    service = open_service(obj)
    if branch not in service.snapshot.branches:
        fail(f"没有 id 为 “{branch}” 的党支部。可用 `shuping scope` 查看全部 id。")
    titles = service.snapshot.campaign.report.sections
    try:
        preview = service.reports.preview_import(branch, file, mapping or None)
        if not preview.certain and not mapping and not yes:
            click.echo("导入映射（不确定，未导入）：")
            for line in preview.mapping_lines(titles):
                click.echo(f"  {line}")
            for doubt in preview.doubts:
                click.echo(f"  原因：{doubt}")
            click.echo("请用 --map 序号=部分编号 指定（如 --map 2=3；0 表示作为小标题），或加 --yes 按上面的映射导入。",
                       err=True)
            sys.exit(1)
        saved = service.reports.import_file(branch, file, mapping or None, confirmed=yes)
    except StoreError as e:
        fail(str(e))
    click.echo("导入映射：")
    for line in preview.mapping_lines(titles):
        click.echo(f"  {line}")
    for notice in saved.notices:
        click.echo(f"提示：{notice}")
    click.echo(f"已导入 {service.snapshot.branches[branch].record.name} 的述职报告：{saved.doc.path}")


@report.command("export")
@click.argument("branch", required=False)
@click.option("--org", "org_id", metavar="ID", help="导出一个二级党组织的全部述职报告")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件（.docx 或 .md）")
@year_option
@common
@click.pass_obj
def export_report(obj, branch: str | None, org_id: str | None, output: str) -> None:
    """导出党支部 BRANCH（或 --org 的全部党支部）的述职报告为 .docx 或 Markdown。"""
    from store import reports
    from store.snapshot import load

    if bool(branch) == bool(org_id):
        fail("请给出一个党支部 id，或用 --org 给出二级党组织 id（二者选一）。")
    try:
        archive = obj.open()
        check_output(archive.root, output)
        snap = load(archive, year=obj.year)
        if branch and branch not in snap.branches:
            fail(f"没有 id 为 “{branch}” 的党支部。可用 `shuping scope` 查看全部 id。")
        if org_id and org_id not in snap.orgs:
            fail(f"没有 id 为 “{org_id}” 的二级党组织。可用 `shuping scope --json` 查看全部 id。")
        ids = [branch] if branch else sorted(b.id for b in snap.org_branches(org_id))
        items = reports.export_items(archive, snap, ids)
        if not items:
            fail("没有可导出的述职报告（报告尚未撰写或导入）。")
        reports.export(items, snap.campaign.report.sections, output, snap.settings.official_format)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已导出 {len(items)} 篇述职报告：{output}")
