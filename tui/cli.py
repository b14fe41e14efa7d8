"""The `shuping` command. Commands that need no screen never import Textual."""

from __future__ import annotations

import json
import os
import sys
from functools import partial
from pathlib import Path

import click

from tui import cli_zh
from tui.cli_common import Context, clock, common, fail, open_service, start_service, year_option

cli_zh.install()

DEMO_DEFAULT = "shuping-demo"
DEMO_TODAY = "2021-01-25"
DEMO_OPERATOR = "组织部 演示"


YEAR_COMMANDS = {"scope", "export", "status", "submit", "followup-export", "report"}  # take --year


@click.group(invoke_without_command=True)
@year_option
@common
@click.pass_context
def main(ctx: click.Context) -> None:
    """shuping 述评：党支部书记述职评议考核。不带命令时打开界面。"""
    os.umask(0o007)  # archives hold personal data: group-shared, never world-readable
    ctx.ensure_object(Context)
    if ctx.invoked_subcommand is None:
        # opened after the first frame: the screen appears at once
        run_tui(partial(start_service, ctx.obj, clock()), ctx.obj.year)
    elif ctx.obj.year is not None and ctx.invoked_subcommand not in YEAR_COMMANDS:
        fail(f"shuping {ctx.invoked_subcommand} 不按年度工作，不接受 --year。")


def run_tui(service, year: int | None = None) -> None:
    """``service``: the open archive's service, or a function opening one in the background."""
    from tui.app import ShupingApp

    app = ShupingApp(service, year=year)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


@main.command()
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="学校名称")
@common
@click.pass_obj
def init(obj: Context, path: str, name: str) -> None:
    """新建一个空档案，含按 2020 年通知设置的年度。"""
    from store.service import Service, StoreError

    try:
        Service.init(path, name, obj.operator, clock())
    except StoreError as e:
        fail(str(e))
    click.echo(f"已新建档案：{Path(path).resolve()}（{name}）")


@main.command()
@click.argument("path", required=False, default=DEMO_DEFAULT, type=click.Path(file_okay=False))
@click.option("--no-open", is_flag=True, help="只生成，不打开界面")
@click.option("--fresh", is_flag=True, help="删除已有的演示档案后重新生成")
@common
@click.pass_obj
def demo(obj: Context, path: str, no_open: bool, fresh: bool) -> None:
    """生成虚构大学的演示档案（已存在则直接打开）。"""
    import shutil

    from store.service import Service, StoreError

    target = Path(path)
    if fresh and target.exists():
        shutil.rmtree(target)
    if not no_open:
        os.environ.setdefault("SHUPING_TODAY", DEMO_TODAY)  # the demo's story is set in January 2021
    try:
        if (target / "shuping.toml").exists():
            service = Service.open(target, obj.operator or DEMO_OPERATOR, clock())  # the demo's access.toml knows them
            click.echo(f"打开已有的演示档案：{target.resolve()}")
        else:
            click.echo(f"正在生成演示档案：{target.resolve()} …")
            service = Service.demo(target, clock())
            if obj.operator:
                service = Service.open(target, obj.operator, clock())
    except StoreError as e:
        fail(str(e))
    if not no_open:
        run_tui(service)


@main.command()
@common
@click.pass_obj
def check(obj: Context) -> None:
    """校验全部记录；有问题时逐条列出（文件:行: 说明）并以 1 退出。"""
    from store.service import StoreError

    try:
        problems = open_service(obj, read=False, recover=False).check()  # a diagnosis: moves nothing aside
    except StoreError as e:
        fail(str(e))
    for p in problems:
        click.echo(str(p))
    if problems:
        click.echo(f"共 {len(problems)} 个问题。", err=True)
        sys.exit(1)


@main.command()
@click.option("--org", "org_id", metavar="ID", help="只看一个二级党组织")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@year_option
@common
@click.pass_obj
def scope(obj: Context, org_id: str | None, as_json: bool) -> None:
    """每个党支部是否纳入本年度述职评议考核，以及原因。"""
    service = open_service(obj)
    snap = service.snapshot
    if org_id and org_id not in snap.orgs:
        from store.service import StoreError

        try:
            service.sendup.require_org(org_id)  # names the organisation's record when it cannot be read
        except StoreError as e:
            fail(str(e))
    if snap.problems:  # their branches are missing from the counts: say so, on stderr
        files = sorted({p.file for p in snap.problems})
        click.echo(f"注意：有 {len(snap.problems)} 处记录错误未能读取，相关党支部未计入；用 `shuping check` 查看："
                   + "、".join(files), err=True)
    orgs = [o for o in snap.sorted_orgs() if not org_id or o.id == org_id]
    counts = snap.scope_counts()
    if as_json:
        out = {"year": snap.year, "organisations": [], "branches": []}
        for org in orgs:
            c = counts[org.id]
            out["organisations"].append({
                "id": org.id, "name": org.name, "kind": org.kind.value,
                "branches": c.branches, "in_scope": c.in_scope,
                "excluded": c.excluded,
                "excluded_by_reason": {reason.value: n for reason, n in c.excluded_by.items()},
            })
            for branch in sorted(snap.org_branches(org.id), key=lambda b: b.id):
                result = snap.scope(branch.id)
                out["branches"].append({
                    "id": branch.id, "name": branch.name,
                    "organisation": {"id": org.id, "name": org.name},
                    "in_scope": result.in_scope, "reason": result.detail, "reason_code": result.reason.value,
                })
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for org in orgs:
        c = counts[org.id]
        click.echo(f"{org.name}（{org.id}）：党支部 {c.branches} 个，纳入 {c.in_scope} 个，不纳入 {c.excluded} 个")
        for branch in sorted(snap.org_branches(org.id), key=lambda b: b.id):
            result = snap.scope(branch.id)
            click.echo(f"  {branch.id}  {result.label:<3}  {branch.name}  —  {result.detail}")


@main.command()
@click.argument("record", required=False)
@click.option("-n", "limit", default=30, show_default=True, help="最多显示几条")
@click.option("--diff", "show_diff", is_flag=True, help="同时显示改动内容")
@common
@click.pass_obj
def log(obj: Context, record: str | None, limit: int, show_diff: bool) -> None:
    """档案或某条记录的修改历史：文件路径、党支部 id（其记录、各年度评议和述职报告）或二级党组织 id（其下全部记录，测评票除外）。"""
    from schema.dates import cn_datetime
    from store.service import StoreError

    service = open_service(obj, read=False)
    try:
        paths = service.record_pathspecs(record) if record else None
        for c in service.history(paths, limit):
            click.echo(f"{c.sha[:8]}  {cn_datetime(c.when)}  {c.author}  {c.subject}")
            if show_diff:
                click.echo(service.diff(c.sha, paths))
    except StoreError as e:
        fail(str(e))


# Commands kept in their own modules (they import `common`, `Context` and `fail` from tui.cli_common).
from tui.cli_export import export, status, submit  # noqa: E402
from tui.cli_grading import followup_export  # noqa: E402
from tui.cli_meeting import meeting  # noqa: E402
from tui.cli_report import report  # noqa: E402
from tui.cli_roster import campaign, roster  # noqa: E402
from tui.cli_server import server_hook, server_init  # noqa: E402
from tui.cli_trust import clone, sync, verify  # noqa: E402

for command in (roster, campaign, report, export, submit, status, followup_export, sync, clone, verify, server_hook, server_init,
                meeting):
    main.add_command(command)

if __name__ == "__main__":
    main()
