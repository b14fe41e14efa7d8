"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

from schema.problems import problem_from_toml


def shuping(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_check_is_silent_on_a_clean_archive(demo_archive):
    result = shuping("check", "--archive", str(demo_archive.root))
    assert (result.returncode, result.stdout) == (0, "")


def test_check_names_file_and_line(demo_archive):
    path = demo_archive.root / "orgs/chem/branches/b0001.toml"
    path.write_text(path.read_text() + "members = = 3\n")
    bad_kind = demo_archive.root / "orgs/math/branches/b0013.toml"
    bad_kind.write_text(bad_kind.read_text().replace('kind = "', 'kind = "X', 1))
    result = shuping("check", "--archive", str(demo_archive.root))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "orgs/chem/branches/b0001.toml:12: TOML 语法错误（第 11 列）：值无效（文本要加引号？）" in lines
    assert any(line.startswith("orgs/math/branches/b0013.toml:5: 取值应为 教工、学生") for line in lines)



def test_check_reports_a_broken_org_once_not_for_each_of_its_branches(demo_archive):
    path = demo_archive.root / "orgs/chem/org.toml"
    path.write_text(path.read_text().replace('name = "', 'name = 化学"', 1))
    result = shuping("check", "--archive", str(demo_archive.root))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "orgs/chem/org.toml: 修正此文件前，其下 12 个党支部及其评议记录不显示",
        "orgs/chem/org.toml:3: TOML 语法错误（第 8 列）：值无效（文本要加引号？）",
    ]


HEAD = 'schema_version = 1\nid = "{id}"\norg = "chem"\nkind = "教工"\n'
BROKEN_TOML = {
    # branch: (the rest of its record, hand-broken; what `check` says after FILE:)
    "b0001": ('name = "第一党支部\n"\n', "5: TOML 语法错误（第 14 列）：字符串中不能有换行（引号未闭合？）"),
    "b0002": ("members 31\n", "5: TOML 语法错误（第 9 列）：键后应有“=”"),
    "b0003": ("members = 31\nmembers = 9\n", "6: TOML 语法错误（第 12 列）：键重复定义"),
    "b0004": ("members = 31\ncommittee_size = [3, 4\n", "6: TOML 语法错误（文件末尾）：数组缺少“]”（或元素之间缺少逗号）"),
    "b0005": ("founded = 2019-02-30\n", "5: TOML 语法错误（第 11 列）：日期或时间无效（应如 2021-01-30）"),
    "b0006": ("secretary = 廖梅秋\n", "5: TOML 语法错误（第 13 列）：值无效（文本要加引号？）"),
    "b0007": ("members = 31 code = 1\n", "5: TOML 语法错误（第 14 列）：此处应换行（一行只写一项；值写错了？）"),
    "b0008": ("[kind]\nx = 1\n", "5: TOML 语法错误（第 6 列）：键重复定义"),
}


def test_check_says_toml_syntax_errors_in_chinese(demo_archive):
    for branch, (rest, _) in BROKEN_TOML.items():
        (demo_archive.root / f"orgs/chem/branches/{branch}.toml").write_text(HEAD.format(id=branch) + rest)
    result = shuping("check", "--archive", str(demo_archive.root))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("orgs/chem/branches/")]
    assert sorted(lines) == [f"orgs/chem/branches/{branch}.toml:{said}" for branch, (_, said) in BROKEN_TOML.items()]
    for line in lines:
        assert not re.search(r"[A-Za-z]{2,}", line.split(": ", 1)[1].replace("TOML", "")), line


def test_unknown_toml_error_keeps_its_words_after_a_chinese_prefix():
    error = tomllib.TOMLDecodeError("Something new (at line 3, column 2)")
    problem = problem_from_toml("orgs/a.toml", error)
    assert str(problem) == "orgs/a.toml:3: TOML 语法错误（第 2 列）：无法解析（原文：Something new）"


def test_scope_json_lists_every_branch_with_reason(demo_archive):
    result = shuping("scope", "--json", "--archive", str(demo_archive.root))
    data = json.loads(result.stdout)
    by_id = {b["id"]: b for b in data["branches"]}
    clinic = next(b for b in data["branches"] if b["organisation"]["id"] == "clinic")
    assert clinic["in_scope"] is False and "直属党支部" in clinic["reason"]
    late = [b for b in by_id.values() if "晚于通知下发日" in b["reason"]]
    assert len(late) == 1 and late[0]["organisation"]["id"] == "mech"
    orgs = {o["id"]: o for o in data["organisations"]}
    assert orgs["mech"]["excluded_by_reason"] == {"新成立": 1}
    assert sum(o["branches"] for o in orgs.values()) == len(by_id)


HEADLESS_MODULES = [
    "schema.scope", "schema.roster", "schema.quota", "schema.carryover", "schema.campaign_setup", "schema.indicators",
    "schema.report", "schema.access", "schema.ballots", "schema.tally", "schema.reconcile", "schema.grading", "schema.rectification", "schema.followup", "schema.stats",
    "schema.work_report", "schema.submission", "schema.recompute",
    "store.archive", "store.snapshot", "store.check", "store.reports", "store.demo",
    "store.roster", "store.campaigns", "store.access", "store.sync", "store.mergedriver", "store.verify", "store.cache",
    "store.ballots", "store.meeting", "store.demo.meeting", "store.grading", "store.followup_export", "store.sendup",
    "store.stats_export", "store.work_report", "store.verify_recompute", "store.service",
    "tui.cli", "tui.cli_common", "tui.cli_export", "tui.cli_grading", "tui.cli_report", "tui.cli_roster", "tui.cli_trust",
]


def test_schema_and_store_import_without_textual():
    code = "import sys, " + ", ".join(HEADLESS_MODULES) + "; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


def test_unwritable_outputs_are_one_chinese_line_not_a_traceback(demo_archive, tmp_path):
    """A path through a file (as a mistyped folder would be): the reason in Chinese, exit 2."""
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("")
    archive = ["--archive", str(demo_archive.root)]
    cases = [
        (["export", "stats", "-o", f"{blocker}/统计表.xlsx", *archive], "路径中有同名的文件"),
        (["export", "work-report", "--org", "chem", "-o", f"{blocker}/报告.md", *archive], "路径中有同名的文件"),
        (["report", "export", "--org", "chem", "-o", f"{blocker}/报告.docx", *archive], "路径中有同名的文件"),
        (["roster", "template", f"{blocker}/名册.xlsx"], "路径中有一段不是文件夹"),
        (["init", f"{blocker}/档案", "--name", "测试大学"], "路径中有一段不是文件夹"),
    ]
    for args, reason in cases:
        result = shuping(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("错误：") and reason in result.stderr, (args, result.stderr)


def test_usage_errors_and_help_are_chinese():
    missing = shuping("roster", "import")
    assert missing.returncode == 2
    assert "错误：缺少参数 'FILE'" in missing.stderr and "roster import --help' 查看说明。" in missing.stderr
    assert "没有命令 'scop'" in shuping("scop").stderr
    assert "显示本说明并退出。" in shuping("--help").stdout


def test_scope_warns_when_broken_records_are_left_out(demo_archive):
    path = demo_archive.root / "orgs/chem/branches/b0001.toml"
    path.write_text(path.read_text() + "members = = 3\n")
    result = shuping("scope", "--json", "--archive", str(demo_archive.root))
    # opening moved the broken hand edit aside (store/recovery.py): the committed record is shown
    assert result.returncode == 0 and "b0001" in {b["id"] for b in json.loads(result.stdout)["branches"]}
    other = demo_archive.root / "orgs/chem/branches/b0002.toml"
    other.write_text(other.read_text() + "members = = 3\n")
    demo_archive.git.run("commit", "-qam", "committed broken by plain git")  # e.g. pulled in that way
    result = shuping("scope", "--json", "--archive", str(demo_archive.root))
    assert result.returncode == 0 and "b0002" not in {b["id"] for b in json.loads(result.stdout)["branches"]}
    assert "有 1 处记录错误未能读取" in result.stderr


def test_demo_history_follows_the_demo_timeline(demo_archive):
    from datetime import date, datetime

    lines = demo_archive.git.run("log", "--reverse", "--format=%aI %cI").splitlines()
    authored = [datetime.fromisoformat(line.split()[0]) for line in lines]
    committed = [datetime.fromisoformat(line.split()[1]) for line in lines]
    assert authored == committed == sorted(authored)
    assert authored[0].date() == date(2020, 12, 24) and authored[-1].date() <= date(2021, 1, 25)
    assert {d.utcoffset().total_seconds() for d in authored} == {8 * 3600}  # Asia/Shanghai
    tags = demo_archive.git.run("for-each-ref", "refs/tags", "--format=%(taggerdate:iso-strict)").splitlines()
    assert tags and all(datetime.fromisoformat(t).date() == date(2021, 1, 21) for t in tags)


def test_real_commits_are_dated_now(empty_archive):
    from datetime import datetime, timedelta, timezone

    when = datetime.fromisoformat(empty_archive.git.run("log", "-1", "--format=%cI"))
    assert abs(datetime.now(timezone.utc) - when) < timedelta(minutes=5)


def _commit(archive, path: str, text: str, message: str) -> None:
    from store.archive import Change

    _, version = archive.read_bytes(path)
    archive.commit([Change(path, text.encode(), version)], message)


def _subjects(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [line.split("  ", 3)[3] for line in result.stdout.splitlines()]


def test_log_by_branch_id_covers_its_record_reviews_and_reports_but_not_ballots(demo_archive):
    from schema.clock import Clock
    from schema.kinds import Grade
    from store.service import Service

    service = Service(demo_archive, Clock.from_env({"SHUPING_TODAY": "2021-01-20"}))
    service.load()
    sheet = service.grading.worksheet("logi")
    rows = [sheet.edit[i] for i in sheet.ids]
    first = rows[0].model_copy(update={"grade": rows[0].grade.model_copy(update={"final": Grade.AVERAGE})})
    service.grading.save("logi", [first, *rows[1:]])
    grade_commit = demo_archive.history(limit=1)[0].subject
    service.close()
    _commit(demo_archive, "orgs/logi/2020/reports/b0061.md", "# 述职报告\n\n改过的正文。\n", "述职报告：b0061 修改")
    _commit(demo_archive, "orgs/logi/2020/reports/b0062.md", "# 述职报告\n\n别的党支部。\n", "述职报告：b0062 修改")
    ballot = (demo_archive.root / "orgs/chem/2020/ballots/1/0001.toml").read_text()
    _commit(demo_archive, "orgs/logi/2020/ballots/1/0001.toml",
            ballot.split("[marks]")[0].replace('"chem"', '"logi"') + '[marks]\n"b0061" = "好"\n', "录入测评票：logi 第 1 号")
    archive = ["--archive", str(demo_archive.root)]

    branch = _subjects(shuping("log", "b0061", *archive))
    assert branch[:2] == ["述职报告：b0061 修改", grade_commit]
    assert "导入党支部名册：9 个二级党组织，65 个党支部" in branch  # its branch record
    assert not any(s.startswith("录入测评票") or "b0062" in s for s in branch)

    org = _subjects(shuping("log", "logi", *archive))
    assert org[:3] == ["述职报告：b0062 修改", "述职报告：b0061 修改", grade_commit]
    assert not any(s.startswith("录入测评票") for s in org)

    record = _subjects(shuping("log", "orgs/logi/2020/ballots/1/0001.toml", *archive))
    assert record == ["录入测评票：logi 第 1 号"]  # a ballot asked for by its path is still shown


def test_log_by_org_id_leaves_out_ballots_and_shows_their_diff_only_for_its_records(demo_archive):
    archive = ["--archive", str(demo_archive.root)]
    everything = _subjects(shuping("log", "-n", "500", *archive))
    assert any(s.startswith("录入测评票：化学") for s in everything)
    chem = _subjects(shuping("log", "chem", "-n", "500", *archive))
    assert "公布测评结果：化学与材料学院党委（有效票 34 张）" in chem  # the meeting's record, not its papers
    assert not any(s.startswith("录入测评票") for s in chem)
    diff = shuping("log", "b0001", "--diff", "-n", "3", *archive)
    files = {line.split(" b/")[-1] for line in diff.stdout.splitlines() if line.startswith("diff --git")}
    assert files and all(f.endswith(("/b0001.toml", "/b0001.md")) for f in files), files
    missing = shuping("log", "b9999", *archive)
    assert (missing.returncode, missing.stderr) == (2, "错误：找不到记录 “b9999”：请给出文件路径、党支部 id 或二级党组织 id。\n")
