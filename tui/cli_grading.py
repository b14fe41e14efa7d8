"""`shuping followup-export`: an organisation's feedback and announcement documents (no screen)."""

from __future__ import annotations

import click

from tui.cli_common import Context, common, fail, open_service, year_option


@click.command("followup-export")
@click.option("--org", "org_id", required=True, metavar="ID", help="二级党组织 id")
@click.option("--out", "out", type=click.Path(file_okay=False), help="导出到的文件夹（默认：档案设置中的导出文件夹，~/shuping-exports）")
@click.option("--allow-incomplete", is_flag=True,
              help="有记录无法读取时仍导出，标题注明“统计不完整”（默认拒绝并列出这些记录）")
@year_option
@common
@click.pass_obj
def followup_export(obj: Context, org_id: str, out: str, allow_incomplete: bool) -> None:
    """导出一个二级党组织的反馈（.docx）和通报（.docx、.xlsx）。"""
    from store.service import IncompleteError, StoreError

    service = open_service(obj, read=False)
    try:
        out = str(service.check_output(out, folder=True) if out else service.export_folder())
        snap = service.load()
    except StoreError as e:
        fail(str(e))
    try:
        service.sendup.require_org(org_id)
        unreadable = service.sendup.refuse_incomplete(
            org_id, allow_incomplete, "，或加 --allow-incomplete 仍导出（标题注明“统计不完整”）")
        paths = service.followup.export(org_id, out)
        service.sendup.mark_incomplete(paths, unreadable)
    except StoreError as e:
        fail(str(e), 1 if isinstance(e, IncompleteError) else 2)
    for path in paths:
        click.echo(str(path))
    if unreadable:
        click.echo(f"注意：统计不完整，有 {len({p.file for p in unreadable})} 个记录无法读取，导出的标题已注明。", err=True)
    if not snap.org_year(org_id).record.grading.finalised:
        click.echo("注意：评定尚未定档，导出的反馈和通报标为“评定未定档，仅供核对”。", err=True)
