"""Reporting up from the command line: `export stats`, `export work-report`, `submit`, `status`.

None of these needs a screen, so none imports Textual.
"""

from __future__ import annotations

import json

import click

from store.errors import StoreError
from store.outputs import check_output
from tui.cli_common import Context, common, fail, open_service, year_option


def _open(obj: Context, org_id: str | None = None):
    from store.sendup import require_org

    service = open_service(obj)
    require_org(service.snapshot, org_id)
    return service


@click.group()
def export() -> None:
    """导出统计表（附件2）或工作情况报告。"""


@export.command("stats")
@click.option("--org", "org_id", metavar="ID", help="只导出一个二级党组织（默认：全校汇总）")
@click.option("-o", "--output", "output", metavar="FILE.xlsx", help="写入的 Excel 文件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出同样的数字")
@year_option
@common
@click.pass_obj
def export_stats(obj: Context, org_id: str | None, output: str | None, as_json: bool) -> None:
    """党支部书记述职评议考核工作情况统计表（附件2）：每个二级党组织一行，加合计。"""
    from store.sendup import refuse_if_broken, statistics
    from store.stats_export import as_json as table_json, write_xlsx

    if not output and not as_json:
        fail("请用 -o FILE.xlsx 指定输出文件，或用 --json 输出数字。")
    try:
        service = _open(obj, org_id)
        snap = service.snapshot
        if output:
            check_output(service.root, output)
        refuse_if_broken(snap, org_id)
        table = statistics(snap, org_id)
        if output:
            path = write_xlsx(table, output)
            if not as_json:
                click.echo(f"已导出统计表：{path}（{len(table.rows)} 个二级党组织）")
    except StoreError as e:
        fail(str(e))
    if as_json:
        click.echo(json.dumps(table_json(table, org_id), ensure_ascii=False, indent=2))


@export.command("work-report")
@click.option("--org", "org_id", metavar="ID", required=True, help="二级党组织 id")
@click.option("-o", "--output", "output", metavar="FILE.docx|FILE.md", required=True, help="写入的文件（.docx 或 .md）")
@year_option
@common
@click.pass_obj
def export_work_report(obj: Context, org_id: str, output: str) -> None:
    """工作情况报告（已保存的文本；未保存时为按记录起草的初稿），超过 3000 字时拒绝导出。"""
    from schema.work_report import count
    from store.sendup import refuse_if_broken, work_report_text
    from store.work_report import export as write_report
    from store.work_report import signature

    try:
        service = _open(obj, org_id)
        archive, snap = service.archive, service.snapshot
        check_output(archive.root, output)
        refuse_if_broken(snap, org_id)
        text = work_report_text(archive, snap, org_id)
        signed = signature(snap, org_id, service.clock.today())
        path = write_report(text, output, snap.settings.official_format, signed)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已导出工作情况报告：{path}（{count(text)} 字）")


@click.command()
@click.option("--org", "org_id", metavar="ID", required=True, help="二级党组织 id")
@click.option("--scan", "scan", metavar="FILE", required=True, type=click.Path(dir_okay=False), help="盖章扫描件（PDF 或图片）")
@year_option
@common
@click.pass_obj
def submit(obj: Context, org_id: str, scan: str) -> None:
    """上传盖章扫描件（存入档案并记录 SHA-256），标记为已报送。"""
    try:
        submission = _open(obj, org_id).sendup.submit_scan(org_id, scan)
    except StoreError as e:
        fail(str(e))
    assert submission.scan is not None
    click.echo(f"已上传：{submission.scan.path}（SHA-256 {submission.scan.sha256}）")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@year_option
@common
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    """各二级党组织的报送清单：统计表、工作情况报告、盖章扫描件及其状态。"""
    from schema.dates import cn_date
    from schema.submission import days_left
    from store.sendup import checklists

    try:
        service = _open(obj)
        archive, snap, now = service.archive, service.snapshot, service.clock.today()
        lists = checklists(archive, snap, now)
    except StoreError as e:
        fail(str(e))
    deadline = snap.campaign.report_deadline
    if as_json:
        out = {
            "year": snap.year, "deadline": deadline.isoformat(), "today": now.isoformat(),
            "organisations": [
                {
                    "id": org_id, "name": snap.orgs[org_id].record.name, "applicable": c.applicable,
                    "complete": c.complete, "overdue": c.overdue,
                    "submitted": c.submitted.isoformat() if c.submitted else None,
                    "items": [{"name": i.name, "done": i.done, "state": i.state, "overdue": i.overdue} for i in c.items],
                }
                for org_id, c in lists.items()
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"{snap.year}年度 报送截止 {cn_date(deadline)}，{days_left(deadline, now)}（今天 {cn_date(now)}）")
    for org_id, c in lists.items():
        name = snap.orgs[org_id].record.name
        if not c.applicable:
            click.echo(f"{name}（{org_id}）：无纳入述职评议考核的党支部，无需报送")
            continue
        if c.submitted:
            head = f"已报送 {cn_date(c.submitted)}" + ("" if c.complete else "（材料未齐备）")
        else:
            head = "齐备，待报送" if c.complete else "未齐备"
        late = f"，逾期 {c.overdue} 项" if c.overdue else ""
        click.echo(f"{name}（{org_id}）：{head}{late}")
        for item in c.items:
            mark = "✓" if item.done else ("!" if item.overdue else "·")
            click.echo(f"  {mark} {item.name}：{item.state}")
