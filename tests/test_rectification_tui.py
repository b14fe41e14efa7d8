"""A 一般 branch through 约谈, deadline, two tasks (one overdue), completion and 销号."""

from __future__ import annotations

import asyncio
import tomllib
from datetime import date

from docx import Document
from openpyxl import load_workbook

from schema.kinds import Grade
from store.archive import Archive
from store.snapshot import load
from tests.conftest import git_log
from tui.app import ShupingApp

TODAY = date(2021, 1, 25)  # injected clock: the first task's deadline (1月20日) is 5 days past


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def type_into_editor(pilot, text: str) -> None:
    pilot.app.screen.query_one("#editor #value").value = text
    await pilot.press("enter")
    await settle(pilot)


def test_average_branch_through_interview_tasks_and_sign_off(demo_archive: Archive):
    asyncio.run(walk(demo_archive))


async def walk(archive: Archive):
    snap = load(archive)
    # a 一般 branch of 机械工程学院 without a 约谈 record (the demo leaves one; arranged here so the test
    # does not depend on the demo's numbers)
    candidates = [i for i, s in sorted(snap.reviews.items())
                  if s.record.org == "mech" and not s.record.tasks and s.record.interview.held is None]
    target = next((i for i in candidates if snap.reviews[i].record.grade.final == Grade.AVERAGE), candidates[0])
    stored = snap.reviews[target]
    if stored.record.grade.final != Grade.AVERAGE:
        grade = stored.record.grade.model_copy(update={"final": Grade.AVERAGE, "reason": "测试安排"})
        archive.save(stored, stored.record.model_copy(update={"grade": grade}), "测试：评定为一般")
        snap = load(archive)
    name = snap.branches[target].record.name
    path = archive.root / snap.reviews[target].path

    app = ShupingApp(archive, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert name in text_of(app.screen, "#followup")  # the dashboard shows the missing 约谈

        await pilot.press("f6", "n", "n", "n", "v")  # 化学 → 数学 → 外国语 → 机械; 反馈与约谈
        await pilot.pause()
        follow = app.screen
        assert "一般/差尚缺约谈记录或整改期限" in text_of(follow, "#missing")
        table = follow.query_one("#rows")
        row = next(n for n in range(table.row_count) if table.coordinate_to_cell_key((n, 0)).row_key.value == target)
        table.move_cursor(row=row)

        # 约谈: date, who, points, response and the rectification deadline
        await pilot.press("t")
        await pilot.pause()
        dialog = app.screen
        for key, value in {"held": "2021-01-22", "by": "机械工程学院党委书记 王立新", "points": "组织生活不规范",
                           "response": "接受批评，限期整改", "deadline": "2021年3月31日"}.items():
            dialog.query_one(f"#{key}").value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = tomllib.loads(path.read_text())["interview"]
        assert saved == {"held": date(2021, 1, 22), "by": "机械工程学院党委书记 王立新", "points": "组织生活不规范",
                         "response": "接受批评，限期整改", "deadline": date(2021, 3, 31)}
        assert git_log(archive, "-1")[0] == (
            f"测试员|约谈：{name}（2021年1月22日约谈，约谈人 机械工程学院党委书记 王立新，整改期限 2021年3月31日）")
        assert text_of(follow, "#missing") == ""

        # two tasks on the branch's checklist, added without leaving the list
        await pilot.press("g")
        await pilot.pause()
        rect = app.screen
        assert rect.branch_filter == target
        await pilot.press("a")
        await type_into_editor(pilot, "组织生活记录不规范")
        await pilot.press("a")
        await type_into_editor(pilot, "党费未按月收缴")
        assert [r.task.problem for r in rect.rows] == ["组织生活记录不规范", "党费未按月收缴"]
        assert all(r.task.deadline == date(2021, 3, 31) for r in rect.rows)  # the 约谈 deadline by default
        assert git_log(archive, "-1")[0] == f"测试员|整改任务：{name} 新增「党费未按月收缴」"

        # the first is due 2021-01-20: overdue on the injected today
        await pilot.press("home", "d")
        await type_into_editor(pilot, "2021-01-20")
        table = rect.query_one("#tasks")
        assert str(table.get_row_at(0)[5]) == "逾期5天"
        assert text_of(rect, "#rates") == "整改任务 2 项，已完成 0 项，整改中 0 项，未开始 2 项，0% · 逾期 1 项"

        # 销号 is refused before completion; complete the second task, then sign it off
        await pilot.press("down", "x")
        await settle(pilot)
        assert rect.rows[1].task.status.value == "未开始"
        await pilot.press("space")
        await settle(pilot)
        assert text_of(rect, "#rates") == "整改任务 2 项，已完成 1 项，整改中 0 项，未开始 1 项，50% · 逾期 1 项"
        await pilot.press("x")
        await settle(pilot)
        assert git_log(archive, "-1")[0] == f"测试员|销号：{name}「党费未按月收缴」（机械工程学院党委确认）"
        task = tomllib.loads(path.read_text())["tasks"][1]
        assert (task["status"], task["signed_off"], task["signed_off_by"]) == ("已销号", TODAY, "测试员")
        assert text_of(rect, "#rates") == (
            "整改任务 2 项，已完成 1 项（已销号 1 项），整改中 0 项，未开始 1 项，50% · 逾期 1 项")

        # the first one gets started: still overdue until done
        await pilot.press("up", "s")
        await settle(pilot)
        assert str(rect.query_one("#tasks").get_row_at(0)[5]) == "逾期5天"
        await pilot.press("space")
        await settle(pilot)
        assert text_of(rect, "#rates") == "整改任务 2 项，已完成 2 项（已销号 1 项），整改中 0 项，100%"

        # evidence: a file stored in the archive with its hash, committed with the task
        evidence = archive.root.parent / "整改佐证.pdf"
        evidence.write_bytes(b"%PDF-1.4 scan")
        await pilot.press("f")
        await type_into_editor(pilot, str(evidence))
        files = tomllib.loads(path.read_text())["tasks"][0]["files"]
        assert [(f["name"], f["sha256"][:8]) for f in files] == [("整改佐证.pdf", "0d9ffe45")]
        assert (archive.root / files[0]["path"]).read_bytes() == b"%PDF-1.4 scan"
        assert git_log(archive, "-1")[0] == f"测试员|整改佐证：{name}「组织生活记录不规范」附加 整改佐证.pdf"
        assert files[0]["path"] in archive.git.run("show", "--name-only", "--format=", "HEAD")

        # completion rates per organisation
        await pilot.press("r")
        await pilot.pause()
        rates = app.screen.query_one("#rates")
        rows = {str(rates.get_row_at(i)[0]): [str(c) for c in rates.get_row_at(i)] for i in range(rates.row_count)}
        mech_tasks = [t for s in load(archive).reviews.values() if s.record.org == "mech" for t in s.record.tasks]
        done = sum(t.status.value in ("已完成", "已销号") for t in mech_tasks)
        assert rows["机械工程学院党委"][1:3] == [str(len(mech_tasks)), str(done)]
        assert rows["机械工程学院党委"][-1] == f"{round(done * 100 / len(mech_tasks))}%"
        await pilot.press("escape")

    history = git_log(archive, "-9", "--", str(path.relative_to(archive.root)))
    assert [line.split("|")[1].split("：")[0] for line in history] == [  # one commit per change
        "整改佐证", "整改", "整改", "销号", "整改", "整改", "整改任务", "整改任务", "约谈"]


def test_feedback_and_announcement_exports(demo_archive: Archive, tmp_path):
    asyncio.run(export(demo_archive, tmp_path / "out"))


async def export(archive: Archive, out):
    app = ShupingApp(archive, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6", "v", "s")
        await pilot.pause()
        await type_into_editor(pilot, "学院全体党员")
        assert git_log(archive, "-1")[0] == "测试员|通报范围：化学与材料学院党委 → 学院全体党员"
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#answer").value = str(out)  # the export dialog offers the export folder in full
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    feedback = Document(out / "2020-chem-反馈.docx")
    text = "\n".join(p.text for p in feedback.paragraphs)
    assert "化学与材料学院党委2020年度党支部书记述职评议考核结果反馈" in text
    finals = [r.record.grade.final.value for r in load(archive).reviews.values()
              if r.record.org == "chem" and r.record.grade.final]
    assert "反馈日期：2021年1月22日" in text and text.count("考核结果：") == len(finals)
    if "一般" in finals:
        assert "年度述职评议考核结果为“一般”" in text
    notice = Document(out / "2020-chem-通报.docx")
    assert "通报范围：学院全体党员" in [p.text for p in notice.paragraphs]
    rows = [[c.text for c in r.cells] for r in notice.tables[0].rows]
    assert rows[0] == ["序号", "党支部", "支部书记", "考核结果"] and len(rows) == 13
    order = ["好", "较好", "一般", "差"]
    assert [r[3] for r in rows[1:]] == sorted(finals, key=order.index)
    sheet = load_workbook(out / "2020-chem-通报.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "通报范围：学院全体党员" and values[2] == ("序号", "党支部", "支部书记", "考核结果")
    assert [r[3] for r in values[3:]] == [r[3] for r in rows[1:]]
    last = sheet.cell(sheet.max_row, 4)  # a printable table: ruled, header repeated, fits A4
    assert last.border.bottom.style == "thin" and sheet.cell(3, 1).border.top.style == "thin"
    assert sheet.print_title_rows == "$3:$3" and int(sheet.page_setup.paperSize) == 9  # A4


def test_followup_export_cli(demo_archive: Archive, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "tui", "followup-export", "--org", "math", "--out", str(out),
                             "--archive", str(demo_archive.root)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(out / f"2020-math-{n}") for n in ("反馈.docx", "通报.docx", "通报.xlsx")]
    assert load_workbook(out / "2020-math-通报.xlsx").active.max_row == 3 + 7
    assert Document(out / "2020-math-通报.docx").paragraphs[0].text == "关于2020年度党支部书记述职评议考核结果的通报"


def test_followup_export_of_grades_not_finalised_is_titled_a_draft(demo_archive: Archive, tmp_path):
    """mech is graded but not finalised: its 通报 must not look like the official one; no scope, no “—”."""
    import subprocess
    import sys

    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "tui", "followup-export", "--org", "mech", "--out", str(out),
                             "--archive", str(demo_archive.root)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "评定尚未定档" in result.stderr
    notice = [p.text for p in Document(out / "2020-mech-通报.docx").paragraphs]
    assert notice[0] == "关于2020年度党支部书记述职评议考核结果的通报（评定未定档，仅供核对）"
    assert not any(t.startswith("通报范围") for t in notice)
    sheet = load_workbook(out / "2020-mech-通报.xlsx").active
    assert sheet["A1"].value.endswith("（评定未定档，仅供核对）") and sheet["A2"].value is None
    assert Document(out / "2020-mech-反馈.docx").paragraphs[0].text.endswith("（评定未定档，仅供核对）")


def test_rectification_screen_snapshot(snap_compare, demo_archive: Archive):
    assert snap_compare(ShupingApp(demo_archive, today=TODAY), terminal_size=(80, 24), press=["f7"])


def test_deadlines_of_another_year_and_long_overdue_tasks_show_in_full_at_80_columns(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive, today=date(2022, 3, 1))  # looking back at the 2020 review a year later
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f7")
            await settle(pilot)
            table = app.screen.query_one("#tasks")
            shown = app.export_screenshot()
            assert table.columns["deadline"].width >= 13 and table.columns["status"].width >= 9
            assert "2021年6月30日" in shown and "逾期244天" in shown  # due 2021-06-30, 244 days before 2022-03-01
            assert table.virtual_size.width <= table.size.width  # every column still fits: nothing scrolls sideways

    asyncio.run(run())
