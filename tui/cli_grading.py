"""`shuping followup-export`: an organisation's feedback and announcement documents (no screen)."""

from __future__ import annotations

from pathlib import Path

import click

from store.errors import StoreError
from store.outputs import check_output
from tui.cli_common import Context, common, fail, year_option


@click.command("followup-export")
@click.option("--org", "org_id", required=True, metavar="ID", help="二级党组织 id")
@click.option("--out", "out", default=".", show_default=True, type=click.Path(file_okay=False), help="导出到的文件夹")
@year_option
@common
@click.pass_obj
def followup_export(obj: Context, org_id: str, out: str) -> None:
    """导出一个二级党组织的反馈（.docx）和通报（.docx、.xlsx）。"""
    from store.followup_export import export_all
    from store.grading import read_org_year
    from store.snapshot import load

    try:
        archive = obj.open()
        check_output(archive.root, out, folder=True)
        snap = load(archive, year=obj.year)
        if org_id not in snap.orgs:
            fail(f"没有 id 为 “{org_id}” 的二级党组织。可用 `shuping scope --json` 查看全部 id。")
        ids = sorted(b.id for b in snap.org_branches(org_id) if snap.scope(b.id).in_scope)
        items = [(snap.branches[i].record, snap.review(i).record) for i in ids]
        org_year = read_org_year(archive, org_id, snap.year).record
        finalised = org_year.grading.finalised
        for path in export_all(Path(out), snap.orgs[org_id].record, snap.year, org_year.announcement_scope, items, finalised):
            click.echo(str(path))
        if not finalised:
            click.echo("注意：评定尚未定档，导出的反馈和通报标为“评定未定档，仅供核对”。", err=True)
    except StoreError as e:
        fail(str(e))
