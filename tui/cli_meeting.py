"""`shuping meeting print`: a meeting's papers (测评票, 签到表, 计票表) as .docx or .pdf; `shuping meeting
withdraw`: the department withdraws a publication (no screen)."""

from __future__ import annotations

import click

from tui.cli_common import Context, common, fail, open_service


@click.group()
def meeting() -> None:
    """述职评议会：打印测评票、签到表、计票表；撤回已公布的测评结果。"""


@meeting.command("print")
@click.option("--org", "org_id", required=True, metavar="ID", help="二级党组织 id")
@click.option("--ballot", "kind", flag_value="测评票", help="测评票（每个加权测评组一种）")
@click.option("--signin", "kind", flag_value="签到表", help="签到表")
@click.option("--tally", "kind", flag_value="计票表", help="计票表（纸质计票用）")
@click.option("-o", "--out", "out", metavar="FILE", help="输出文件（.docx 或 .pdf；默认写入导出文件夹）")
@click.option("--copies", type=click.IntRange(min=1), metavar="N",
              help="打印份数（测评票：发出票数，按各测评组应到人数分配）；不给则输出一份母版供复印")
@common
@click.pass_obj
def print_paper(obj: Context, org_id: str, kind: str | None, out: str, copies: int | None) -> None:
    """打印评议会用纸，并在评议会记录中记下打印时的述职顺序和测评方式。"""
    from schema.kinds import PaperKind
    from store.service import StoreError

    if kind is None:
        fail("请选择要打印的用纸：--ballot（测评票）、--signin（签到表）或 --tally（计票表）。")
    service = open_service(obj)
    try:
        out = out or str(service.export_path(f"{kind}-{service.snapshot.year}-{org_id}.docx"))
        printout = service.papers.print(org_id, PaperKind(kind), out, copies or 0)
    except StoreError as e:
        fail(str(e))
    click.echo(f"已输出{printout.kind.value}（{printout.describe()}）：{printout.path}")


@meeting.command("withdraw")
@click.option("--org", "org_id", required=True, metavar="ID", help="二级党组织 id")
@click.option("--reason", required=True, metavar="TEXT", help="撤回原因（写入评议会记录和历史）")
@common
@click.pass_obj
def withdraw(obj: Context, org_id: str, reason: str) -> None:
    """撤回已公布的测评结果（仅组织部；定档之前）：各书记的得票从评议记录中移除，评议会改回未公布，撤回记录保留。"""
    from store.service import StoreError

    service = open_service(obj)
    try:
        meeting = service.meeting.withdraw(org_id, reason)
        service.flush()
    except StoreError as e:
        fail(str(e))
    w = meeting.record.withdrawals[-1]
    click.echo(f"已撤回测评结果：{org_id}（原公布有效票 {w.valid} 张、无效票 {w.invalid} 张；原因：{w.reason}）")
