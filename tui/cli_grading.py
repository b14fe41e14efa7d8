"""`shuping followup-export`: an organisation's feedback and announcement documents (no screen)."""

from __future__ import annotations

import click

from tui.cli_common import Context, common, fail, open_service, year_option


@click.command("followup-export")
@click.option("--org", "org_id", required=True, metavar="ID", help="二级党组织 id")
@click.option("--out", "out", type=click.Path(file_okay=False), help="导出到的文件夹（默认：档案设置中的导出文件夹，~/shuping-exports）")
@year_option
@common
@click.pass_obj
def followup_export(obj: Context, org_id: str, out: str) -> None:
    """导出一个二级党组织的反馈（.docx）和通报（.docx、.xlsx）。"""
    from store.service import StoreError

    service = open_service(obj, read=False)
    try:
        out = str(service.check_output(out, folder=True) if out else service.export_folder())
        snap = service.load()
    except StoreError as e:
        fail(str(e))
    if org_id not in snap.orgs:
        fail(f"没有 id 为 “{org_id}” 的二级党组织。可用 `shuping scope --json` 查看全部 id。")
    try:
        for path in service.followup.export(org_id, out):
            click.echo(str(path))
    except StoreError as e:
        fail(str(e))
    if not snap.org_year(org_id).record.grading.finalised:
        click.echo("注意：评定尚未定档，导出的反馈和通报标为“评定未定档，仅供核对”。", err=True)
