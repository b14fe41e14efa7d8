"""Demo access scopes: the department may change everything; each school's organiser only
their own organisation. Runs after every other step (see store.demo.build): they commit as school staff."""

from __future__ import annotations

import random

from store import layout
from store.archive import Archive, Change
from store.demo.names import person
from store.demo.roster import ORGS

DEPARTMENT = "组织部 演示"


def build(archive: Archive) -> None:
    rng = random.Random(8)
    lines = ["schema_version = 1", "", "# 操作人 → 可修改的二级党组织（id 见 shuping scope --json）；\"all\" 为党委组织部", "[operators]",
             f'"{DEPARTMENT}" = "all"']
    logins = []
    for org_id, org_name, *_ in ORGS:
        who = f"{org_name.removesuffix('党委').removesuffix('党总支').removesuffix('党工委')} {person(rng)}"
        lines.append(f'"{who}" = ["{org_id}"]')
        logins.append(f'{org_id}-staff = "{who}"')
    lines += ["", "# 中心仓库的 ssh 登录名 → 操作人（pre-receive 钩子据此识别推送人）", "[logins]", 'zzb = "组织部 演示"', *logins]
    text = "\n".join(lines) + "\n"
    archive.commit([Change(layout.ACCESS, text.encode(), None)], "设置权限：各二级党组织的操作人只能修改本组织的记录")
