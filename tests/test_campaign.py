"""Campaign setup: quota cap, validation, next year's campaign with carry-over, the F9 screen."""

from __future__ import annotations

import asyncio
import functools
import subprocess
import sys
from datetime import date

import pytest

from schema.campaign_setup import FieldError, parse_indicators, parse_percent, parse_rater_groups
from schema.carryover import carried_problems, next_campaign
from schema.kinds import Grade, ProblemSource, Rounding, TaskStatus
from schema.quota import good_cap, good_cap_text
from schema.records import Campaign, GradeDecision, MeetingPart, Review, Task
from schema.validation import check_value
from store.archive import Archive
from schema.campaign_setup import notice_2020
from store.campaigns import new_campaign
from store.errors import StoreError
from store.snapshot import load
from tests.conftest import git_log
from tests.test_roster import ROWS, write_roster


@pytest.mark.parametrize(
    "n, floor, half_up, ceil",
    [(1, 0, 0, 1), (3, 0, 1, 1), (7, 2, 2, 3), (10, 3, 3, 3), (31, 9, 9, 10)],
)
def test_good_cap_table(n, floor, half_up, ceil):
    assert good_cap(n, 0.3) == floor
    assert (good_cap(n, 0.3, Rounding.FLOOR), good_cap(n, 0.3, Rounding.ROUND), good_cap(n, 0.3, Rounding.CEIL)) == (
        floor, half_up, ceil)


def test_good_cap_text():
    assert good_cap_text(7, 0.3) == "N = 7 时“好”最多 2 个（30% × 7 = 2.1，向下取整）"
    assert good_cap_text(10, 0.3) == "N = 10 时“好”最多 3 个（30% × 10 = 3）"
    assert good_cap_text(31, 0.3, Rounding.CEIL) == "N = 31 时“好”最多 10 个（30% × 31 = 9.3，向上取整）"
    assert good_cap(100, 0.29) == 29 and good_cap(0, 0.3) == 0  # no float drift


def _campaign_data(**changes) -> dict:
    data = notice_2020().model_dump(mode="python")
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for p in parents:
            target = target[p]
        target[last] = value
    return data


@pytest.mark.parametrize(
    "changes, key, message",
    [
        ({"grading__weights": {"report": 20, "rating": 50, "daily": 15, "inspection": 10}}, "grading.weights",
         "各项权重之和应为 100%，现为 95%"),
        ({"quota__good_max": 1.2}, "quota.good_max", "不能大于 1.0"),
        ({"scoring__rater_groups": [{"name": "委员", "weight": 0.6}, {"name": "其他", "weight": 0.3}]},
         "scoring.rater_groups", "各测评组权重之和应为 100%，现为 90%"),
        ({"report__min_chars": 6000}, "report", "字数下限（6000）不能大于上限（5000）"),
        ({"report_deadline": date(2020, 12, 1)}, "", "报送截止日期不能早于通知日期"),
        ({"indicators": [{"id": "1", "group": "甲", "name": "乙", "max_points": 5}] * 2}, "indicators", "指标编号重复：1"),
    ],
)
def test_setup_validation_messages(changes, key, message):
    problems = check_value(Campaign, _campaign_data(**changes))
    assert [(p.key, p.message) for p in problems] == [(key, message)]


def test_typed_values():
    assert parse_percent("30") == 0.3 and parse_percent("25.5%") == 0.255 and parse_percent("３０") == 0.3
    with pytest.raises(FieldError, match="“好”的比例应在 0–100% 之间，现为 120%"):
        parse_percent("120", "“好”的比例")
    with pytest.raises(FieldError, match="应为数字"):
        parse_percent("三成")
    groups = parse_rater_groups("委员 60%；其他参会人员：40")
    assert [(g.name, g.weight) for g in groups] == [("委员", 0.6), ("其他参会人员", 0.4)]
    indicators, problems = parse_indicators("1.1 | 履职尽责 | 讲党课 | 10\n\n1.2 | 履职尽责 | 培训\n1.3 | 甲 | 乙 | 零")
    assert [i.id for i in indicators] == ["1.1"]
    assert problems == ["参考指标第 3 行：应写作 编号 | 组别 | 指标 | 满分，如 1.1 | 履职尽责 | 履行抓支部建设第一责任 | 10",
                        "参考指标第 4 行：满分应为数字，现为“零”"]


# ---------------------------------------------------------------------------- next year


def test_next_campaign_shifts_dates_and_keeps_settings():
    current = notice_2020().model_copy(update={"quota": notice_2020().quota.model_copy(update={"good_max": 0.25})})
    nxt = next_campaign(current, 2021)
    assert (nxt.year, nxt.previous, nxt.title) == (2021, 2020, "2021年度党支部书记述职评议考核")
    assert (nxt.notice_date, nxt.report_deadline, nxt.completion_deadline) == (
        date(2021, 12, 23), date(2022, 1, 30), date(2022, 1, 31))
    assert nxt.quota.good_max == 0.25 and nxt.scoring == current.scoring


def _review_with_problems(year: int = 2020) -> Review:
    return Review(
        branch="b0001", org="chem", year=year,
        meeting=MeetingPart(comment="1. 三会一课记录不规范\n2、发展党员中专任教师偏少\n"),
        tasks=[
            Task(id="t1", problem="三会一课记录不规范", source=ProblemSource.COMMENT, status=TaskStatus.SIGNED_OFF),
            Task(id="t2", problem="党费未按月收缴", source=ProblemSource.INSPECTION, status=TaskStatus.IN_PROGRESS),
        ],
        grade=GradeDecision(final=Grade.AVERAGE, reason="组织生活开展不经常，支委未配齐"),
    )


def test_carry_over_names_comment_tasks_and_grade_reason():
    carried = carried_problems(_review_with_problems())
    assert [(c.text, c.source, c.status) for c in carried] == [
        ("三会一课记录不规范", "2020年度述职点评", "已销号"),  # named at the meeting, then a task signed off
        ("发展党员中专任教师偏少", "2020年度述职点评", ""),
        ("党费未按月收缴", "2020年度整改任务（督查）", "整改中"),
        ("组织生活开展不经常，支委未配齐", "2020年度考核结果“一般”", ""),
    ]
    good = _review_with_problems().model_copy(update={"grade": GradeDecision(final=Grade.GOOD, reason="表现突出")})
    assert "表现突出" not in [c.text for c in carried_problems(good)]


def test_new_campaign_carries_problems_in_one_commit(demo_archive: Archive):
    from datetime import datetime

    from store.grading import reopen

    snap = load(demo_archive)
    # the grade below changes chem's finalised grading: reopened first, as staff would
    reopen(demo_archive, snap.orgs["chem"].record, 2020, "补录整改任务", datetime(2021, 1, 22, 9, 0))
    snap = load(demo_archive)
    stored = snap.review("b0001")
    demo_archive.save(stored, _review_with_problems().model_copy(update={"facts": stored.record.facts}), "录入测试问题")
    head = demo_archive.head()
    result = new_campaign(demo_archive, 2021)
    assert demo_archive.git.run("rev-list", "--count", f"{head}..HEAD") == "1"
    assert git_log(demo_archive, "-1") == [f"测试员|{result.subject}"]
    snap = load(demo_archive)
    carried_total = sum(len(r.record.carried) for r in snap.reviews.values())
    assert result.subject == f"新建2021年度：沿用2020年度设置，65 个党支部纳入，结转上年度问题 {carried_total} 条"
    assert snap.year == 2021 and snap.campaign.previous == 2020 and snap.campaign.indicators
    assert snap.problems == []
    carried = snap.reviews["b0001"].record.carried
    assert [c.status for c in carried] == ["已销号", "", "整改中", ""]
    assert "clinic" not in {r.record.org for r in snap.reviews.values()}  # 直属党支部: no review
    with pytest.raises(StoreError, match="只能由当前年度 2021 新建下一年度 2022，不能新建 2021"):
        new_campaign(demo_archive, 2021)


def test_campaign_new_cli(demo_archive: Archive):
    run = lambda *a: subprocess.run([sys.executable, "-m", "tui", *a], capture_output=True, text=True, timeout=60)  # noqa: E731
    bad = run("campaign", "new", "2023", "-a", str(demo_archive.root))
    assert bad.returncode == 2 and "只能由当前年度 2020 新建下一年度 2021" in bad.stderr
    ok = run("campaign", "new", "2021", "-a", str(demo_archive.root))
    assert ok.returncode == 0 and ok.stdout.startswith("已新建并提交：新建2021年度")
    assert (demo_archive.root / "campaigns/2021.toml").exists()


# ---------------------------------------------------------------------------- the F9 screen


def run_async(test):
    """Run an async Pilot test without an async pytest plugin."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return wrapper


async def _settle(pilot) -> None:
    """Wait for the app's workers; a reload superseded by a newer one is cancelled, not a failure."""
    from textual.worker import WorkerCancelled

    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


@run_async
async def test_f9_shows_campaign_and_live_quota_line(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen.SCOPE == "年度设置"
        assert app.screen.query_one("#notice_date").value == "2020-12-23"
        assert _text(app, "#quota-line") == "N = 12 时“好”最多 3 个（30% × 12 = 3.6，向下取整）"
        assert _text(app, "#indicator-summary").startswith("17 项指标，合计 100 分（履职尽责 25、支部建设 40")
        app.screen.query_one("#quota_n").value = "7"
        await pilot.pause()
        assert _text(app, "#quota-line") == "N = 7 时“好”最多 2 个（30% × 7 = 2.1，向下取整）"
        app.screen.query_one("#rounding").value = "ceil"
        await pilot.pause()
        assert _text(app, "#quota-line") == "N = 7 时“好”最多 3 个（30% × 7 = 2.1，向上取整）"


@run_async
async def test_f9_refuses_bad_settings_then_saves_one_commit(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    head = demo_archive.head()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#weight-3").value = "10"
        screen.query_one("#good_max").value = "120"
        await pilot.pause()
        assert _text(app, "#weights-sum") == "合计 95%（应为 100%）"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _text(app, "#quota-error") == "“好”的比例应在 0–100% 之间，现为 120%"
        assert demo_archive.head() == head
        screen.query_one("#good_max").value = "25"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _text(app, "#grading-error") == "各项权重之和应为 100%，现为 95%"
        assert demo_archive.head() == head
        screen.query_one("#weight-3").value = "15"
        await pilot.press("ctrl+s")
        await _settle(pilot)
    assert git_log(demo_archive, "-1") == ["测试员|修改年度设置：2020年度（“好”名额 30%（向下取整） → 25%（向下取整））"]
    assert demo_archive.campaign().record.quota.good_max == 0.25


@run_async
async def test_roster_import_dialog_previews_then_imports(empty_archive: Archive, tmp_path):
    from tui.app import ShupingApp

    path = write_roster(tmp_path / "名册.xlsx", ROWS)
    app = ShupingApp(empty_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        app.screen.query_one("#path").value = str(path)
        await pilot.press("ctrl+s")  # not previewed yet: nothing happens
        await _settle(pilot)
        assert len(git_log(empty_archive)) == 1
        await pilot.press("enter")
        await _settle(pilot)
        assert _text(app, "#result-text").startswith("将新增 3 个二级党组织、6 个党支部（按 Ctrl+S 确认导入）")
        assert len(git_log(empty_archive)) == 1
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await _settle(pilot)
        assert app.screen.SCOPE == "年度设置"
        assert "纳入 4 个" in _text(app, "#info")
    assert git_log(empty_archive, "-1") == ["测试员|导入党支部名册：新增 3 个二级党组织、6 个党支部"]


@run_async
async def test_roster_import_dialog_lists_errors(empty_archive: Archive, tmp_path):
    from tui.app import ShupingApp

    rows = [list(r) for r in ROWS]
    rows[0][7] = "学院"
    path = write_roster(tmp_path / "bad.xlsx", rows)
    app = ShupingApp(empty_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "ctrl+t")
        await pilot.pause()
        app.screen.query_one("#path").value = str(path)
        await pilot.press("enter")
        await _settle(pilot)
        assert "名册!4 组织类型: 未知的二级党组织类型“学院”" in _text(app, "#result-text")
    assert len(git_log(empty_archive)) == 1


@run_async
async def test_next_year_from_the_screen(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "ctrl+n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await _settle(pilot)
        assert app.snapshot.year == 2021
        assert app.screen.query_one("#notice_date").value == "2021-12-23"
        assert _text(app, "#info").startswith("2021 年度（上一年度：2020 年度）")
        assert _text(app, "#title") == "年度设置 · 青岚大学 · 2021年度党支部书记述职评议考核"
        await pilot.press("f2")
        await pilot.pause()
        assert "2021年度" in _text(app, "#title") and "2022年1月30日" in _text(app, "#deadlines")
    assert git_log(demo_archive, "-1")[0].startswith("测试员|新建2021年度：沿用2020年度设置")


@run_async
async def test_dashboard_counts_follow_a_scope_exception(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#orgs")
        assert str(table.get_row("lang")[3]) == "7"  # lang is not finalised in the demo
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("slash", *"外国语学院教工第一", "enter", "enter")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*"合并", "enter")
        await _settle(pilot)
        await pilot.press("escape", "f2")
        await pilot.pause()
        table = app.screen.query_one("#orgs")
        assert str(table.get_row("lang")[3]) == "6"  # 纳入
        assert str(table.get_row("lang")[7]) == "1"  # 例外不纳入
    assert git_log(demo_archive, "-1") == ["测试员|范围例外：外国语学院教工第一党支部 → 不纳入（合并）"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_f9_snapshot(demo_archive: Archive, snap_compare, size):
    from tui.app import ShupingApp

    async def open_f9(pilot) -> None:
        await pilot.press("f9")
        await pilot.pause()
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False

    assert snap_compare(ShupingApp(demo_archive), terminal_size=size, run_before=open_f9)


def test_path_suggester_completes_folders_and_xlsx(tmp_path):
    from tui.screens.campaign import PathSuggester

    (tmp_path / "名册2021.xlsx").write_bytes(b"")
    (tmp_path / "名单.txt").write_text("")
    (tmp_path / "sub").mkdir()
    suggest = lambda value: asyncio.run(PathSuggester().get_suggestion(value))  # noqa: E731
    assert suggest(f"{tmp_path}/名") == f"{tmp_path}/名册2021.xlsx"
    assert suggest(f"{tmp_path}/s") == f"{tmp_path}/sub/"
    assert suggest(f"{tmp_path}/x") is None


@run_async
async def test_year_can_change_only_before_anything_is_recorded(empty_archive: Archive, demo_archive: Archive):
    from tui.app import ShupingApp

    for archive, expected in ((empty_archive, None), (demo_archive, "已有 2020 年度的记录")):
        app = ShupingApp(archive)
        head = archive.head()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f9")
            await pilot.pause()
            app.screen.query_one("#year").value = "2021"
            app.screen.query_one("#name").value = "2021年度党支部书记述职评议考核"
            await pilot.press("ctrl+s")
            await _settle(pilot)
            await _settle(pilot)
            if expected:
                assert _text(app, "#dates-error").startswith(expected) and archive.head() == head
            else:
                assert app.snapshot.year == 2021 and app.screen.query_one("#year").value == "2021"
    assert git_log(empty_archive, "-1") == [
        "测试员|修改年度设置：2020年度（年度 2020 → 2021；名称 2020年度党支部书记述职评议考核 → 2021年度党支部书记述职评议考核）"]
    assert not (empty_archive.root / "campaigns/2020.toml").exists()
    assert load(empty_archive).problems == []


@run_async
async def test_an_organisation_sets_its_own_indicators(demo_archive: Archive):
    from schema.indicators import indicators_for
    from schema.records import OrgYear
    from store import layout
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "ctrl+b")
        await pilot.pause()
        app.screen.query_one("#org").value = "chem"
        await _settle(pilot)
        assert _text(app, "#state").startswith("未自定，使用全校参考指标")
        app.screen.query_one("#org-indicators").text = "1 | 履职尽责 | 带头讲党课 | 40\n2 | 支部建设 | 实验室安全教育 | 60"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _text(app, "#state") == "本单位自定：2 项指标，合计 100 分（履职尽责 40、支部建设 60）"
    assert git_log(demo_archive, "-1") == [
        "测试员|本单位测评指标：化学与材料学院党委 2020年度（2 项指标，合计 100 分（履职尽责 40、支部建设 60））"]
    org_year = demo_archive.read(OrgYear, layout.org_year_path("chem", 2020)).record
    campaign = demo_archive.campaign().record
    assert [i.name for i in indicators_for(campaign, org_year)] == ["带头讲党课", "实验室安全教育"]
    assert len(indicators_for(campaign, None)) == 17


@run_async
async def test_f9_names_the_bad_date(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        app.screen.query_one("#report_deadline").value = "1月30日"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _text(app, "#dates-error") == "报送截止：“1月30日”不是日期，可写作 2021-01-15 或 2021年1月15日"
        app.screen.query_one("#report_deadline").value = "2020年12月1日"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _text(app, "#dates-error") == "报送截止日期不能早于通知日期"
