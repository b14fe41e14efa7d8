"""述职报告: the rules, the files beside the record, import/export, and the TUI workflow."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import date

import docx
import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from schema.kinds import ProblemSource, ReportStatus, TaskStatus
from schema.records import BranchFacts, Campaign, MeetingPart, ReportPart, ReportSettings, Review, Task
from schema.report import (
    ANSWER_PROMPT,
    LastYearItem,
    ReportAction,
    WorkflowError,
    allowed_actions,
    days_waiting,
    fact_sentences,
    length_guide,
    match_section,
    parse_report,
    report_words,
    section_of_line,
    template,
    transition,
)
from store import layout, reports
from store.archive import Archive, Change
from store.errors import StoreError
from store.snapshot import load
from store.tomlio import render
from tests.conftest import OPERATOR, git_log
from tui.app import ShupingApp
from tui.dialogs import ConfirmDialog

TITLES = ReportSettings().sections
AT = "2021-01-20T10:00:00+08:00"
NOT_STARTED = "b0064"  # the demo's logi branch (its meeting still to come) with no report yet
RETURNED = "b0062"  # the demo's logi branch returned with a comment


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("一、个人履职", 0),
        ("## 二、支部建设情况和成效", 1),
        ("（三）思想政治工作", 2),
        ("四、存在问题和下一步工作思路", 3),
        ("1. 个人履职情况", 0),
        ("第二部分 支部建设", 1),
        ("党建工作", None),
        ("全年召开支部党员大会6次。", None),
    ],
)
def test_headings_map_to_sections(heading, expected):
    assert match_section(heading, TITLES) == expected


@pytest.mark.parametrize(
    "status, actions",
    [
        (ReportStatus.DRAFT, [ReportAction.SUBMIT]),
        (ReportStatus.SUBMITTED, [ReportAction.RETURN, ReportAction.APPROVE]),
        (ReportStatus.RETURNED, [ReportAction.SUBMIT]),
        (ReportStatus.APPROVED, [ReportAction.ARCHIVE, ReportAction.REOPEN]),
        (ReportStatus.ARCHIVED, [ReportAction.REOPEN]),
    ],
)
def test_workflow_allows_only_its_transitions(status, actions):
    assert allowed_actions(status) == actions
    for action in set(ReportAction) - set(actions):
        with pytest.raises(WorkflowError, match=f"当前为“{status.value}”"):
            transition(ReportPart(status=status), action, "甲", AT, note="x", words=10)


def test_return_needs_a_comment_and_keeps_it_anchored():
    submitted = ReportPart(status=ReportStatus.SUBMITTED)
    with pytest.raises(WorkflowError, match="须填写审阅意见"):
        transition(submitted, ReportAction.RETURN, "甲", AT, note="  ")
    returned = transition(submitted, ReportAction.RETURN, "甲", AT, note="请补充数据", section=2)
    assert returned.status == ReportStatus.RETURNED
    assert [(c.section, c.text, c.by) for c in returned.comments] == [(2, "请补充数据", "甲")]
    assert returned.history[-1].status == ReportStatus.RETURNED


def test_submit_needs_text_and_reopen_a_reason():
    with pytest.raises(WorkflowError, match="还没有内容"):
        transition(ReportPart(), ReportAction.SUBMIT, "甲", AT, words=0)
    with pytest.raises(WorkflowError, match="须填写原因"):
        transition(ReportPart(status=ReportStatus.ARCHIVED), ReportAction.REOPEN, "甲", AT)
    reopened = transition(ReportPart(status=ReportStatus.ARCHIVED), ReportAction.REOPEN, "甲", AT, note="补充材料")
    assert (reopened.status, reopened.history[-1].note) == (ReportStatus.RETURNED, "补充材料")


def test_template_and_cursor_sections():
    items = [LastYearItem("党员发展程序不规范", "2019年度整改任务，已完成")]
    text = template(TITLES, items)
    assert text.splitlines()[:3] == ["## 一、个人履职", "", "## 二、支部建设情况和成效"]
    assert parse_report(text, TITLES).sections[3] == (
        f"### 上年度指出问题的整改情况\n\n1. 党员发展程序不规范（2019年度整改任务，已完成）\n   {ANSWER_PROMPT}"
    )
    lines = text.splitlines()
    assert section_of_line(text, 0, TITLES) == 1
    assert section_of_line(text, lines.index("## 三、思想政治工作") + 1, TITLES) == 3
    assert section_of_line("前言\n## 一、个人履职", 0, TITLES) == 0


def test_days_waiting_counts_from_the_last_transition():
    part = transition(ReportPart(), ReportAction.SUBMIT, "甲", "2021-01-12T09:00:00+08:00", words=5)
    assert days_waiting(part, date(2021, 1, 20)) == 8
    assert days_waiting(ReportPart(), date(2021, 1, 20)) is None


def test_facts_become_sentences():
    facts = BranchFacts(general_meetings=6, committee_meetings=12, party_lectures=4, theme_days=10, new_members=3,
                        new_members_teachers=1, dues_months=11, election_due=date(2020, 12, 1), committee_complete=False,
                        life_meeting_held=True, commendations="校级先进基层党组织")
    assert fact_sentences(facts, date(2021, 1, 20)) == [
        "全年召开支部党员大会6次，支委会12次，讲授党课4次，开展主题党日活动10次。",
        "全年发展党员3名，其中专任教师1名。",
        "全年有11个月按月足额收缴党费，1个月未能按时收齐。",
        "支部换届到期日为2020年12月1日，已到期，须按期换届。",
        "支委会成员尚未配齐，按要求召开专题组织生活会。",
        "获得表彰奖励：校级先进基层党组织。",
    ]
    assert fact_sentences(BranchFacts(), date(2021, 1, 20)) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("## 一、个人履职\n\n全年召开支部党员大会6次。", 19),
        ("- 第一条\n- 第二条", 6),
        ("### 小结 COVID-19", 3),
    ],
)
def test_report_words_skip_markdown_marks(text, expected):
    assert report_words(text) == expected


def test_length_guide_warns_but_never_blocks():
    settings = ReportSettings(min_chars=1000, max_chars=5000)
    assert length_guide(800, settings) == ("字数 800（建议 1000–5000 字），还少 200 字", True)
    assert length_guide(1200, settings) == ("字数 1200（建议 1000–5000 字）", False)
    assert length_guide(5100, settings)[1] is True


# ---------------------------------------------------------------- store: import, export, last year


def _word_file(path, with_headings: bool = True) -> None:
    document = docx.Document()
    document.add_heading("后勤集团第四党支部书记述职报告", level=1)
    sections = [("一、个人履职", "本人认真履行第一责任人职责。"), ("二、支部建设情况和成效", "全年召开支部党员大会6次。"),
                ("三、思想政治工作", "组织专题学习4次。"), ("四、存在问题和下一步工作思路", "一是学习不够深入。")]
    for heading, text in sections:
        if with_headings:
            document.add_heading(heading, level=2)
        document.add_paragraph(text)
    document.save(str(path))


def test_docx_import_places_the_four_sections(demo_archive: Archive, tmp_path):
    source = tmp_path / "述职报告.docx"
    _word_file(source)
    snap = load(demo_archive)
    saved, doc, notices = reports.import_file(demo_archive, snap.review(NOT_STARTED), snap.branches[NOT_STARTED].record,
                                              ReportSettings(), source)
    assert notices == ["开头的标题、署名、日期或称呼未放入正文：后勤集团第四党支部书记述职报告"]
    on_disk = (demo_archive.root / layout.report_path("logi", 2020, NOT_STARTED)).read_text()
    assert parse_report(on_disk, TITLES).sections == [
        "本人认真履行第一责任人职责。", "全年召开支部党员大会6次。", "组织专题学习4次。", "一是学习不够深入。"
    ]
    assert "## 四、存在问题及下一步思路举措" in on_disk
    assert saved.record.report.file == doc.path and saved.record.report.words == report_words(on_disk)
    subject = git_log(demo_archive, "-1")[0]
    assert subject == f"{OPERATOR}|导入述职报告：后勤集团第四党支部（述职报告.docx，字数 {report_words(on_disk)}）"
    body = demo_archive.git.run("log", "-1", "--format=%B")
    assert f"Record: {doc.path}" in body and f"Record: {saved.path}" in body  # one commit for both files


def test_docx_without_headings_goes_into_section_one_with_a_notice(demo_archive: Archive, tmp_path):
    source = tmp_path / "plain.docx"
    _word_file(source, with_headings=False)
    imported = reports.read_import(source, ReportSettings())
    assert "全部内容已放入第一部分" in imported.notices[0]
    assert "一是学习不够深入。" in parse_report(imported.text, TITLES).sections[0]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("报告.pdf", b"%PDF-1.4", "不支持的文件类型“.pdf”（报告.pdf）：只能导入 .docx、.md 或 .txt 文件。未做任何修改。"),
        ("报告.doc", b"\xd0\xcf\x11\xe0", "不支持旧版 Word 格式（报告.doc）：请在 Word 中“另存为” .docx 后再导入。未做任何修改。"),
        ("坏的.docx", b"not a zip", "无法读取 Word 文件 坏的.docx：文件已损坏或不是 .docx 格式。未做任何修改。"),
        ("空的.txt", b"\n\n", "空的.txt 中没有文字内容。未做任何修改。"),
    ],
)
def test_unsupported_file_is_refused_and_changes_nothing(demo_archive: Archive, tmp_path, name, data, message):
    source = tmp_path / name
    source.write_bytes(data)
    snap = load(demo_archive)
    before = demo_archive.head()
    review_text = (demo_archive.root / snap.review(RETURNED).path).read_bytes()
    report_text = (demo_archive.root / layout.report_path("logi", 2020, RETURNED)).read_bytes()
    with pytest.raises(StoreError) as e:
        reports.import_file(demo_archive, snap.review(RETURNED), snap.branches[RETURNED].record, ReportSettings(), source)
    assert str(e.value) == message
    assert demo_archive.head() == before
    assert (demo_archive.root / snap.review(RETURNED).path).read_bytes() == review_text
    assert (demo_archive.root / layout.report_path("logi", 2020, RETURNED)).read_bytes() == report_text
    assert demo_archive.git.run("status", "--porcelain") == ""


def test_text_import_reads_numbered_lines_as_headings(tmp_path):
    source = tmp_path / "report.txt"
    source.write_text("一、个人履职\n履职情况。\n二、支部建设情况和成效\n建设情况。\n", encoding="gb18030")
    assert parse_report(reports.read_import(source, ReportSettings()).text, TITLES).sections[:2] == ["履职情况。", "建设情况。"]


def test_cli_imports_and_exports_an_organisation(demo_archive: Archive, tmp_path):
    source = tmp_path / "r.md"
    source.write_text("## 个人履职\n\n甲。\n\n## 思想政治工作\n\n乙。\n", encoding="utf-8")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tui", *args, "--archive", str(demo_archive.root), "--operator", "书记甲"],
        capture_output=True, text=True, timeout=60,
    )
    result = run("report", "import", NOT_STARTED, str(source))
    assert result.returncode == 0, result.stderr
    assert "提示：未找到以下部分的标题" in result.stdout
    assert git_log(demo_archive, "-1")[0].startswith("书记甲|导入述职报告：后勤集团第四党支部")
    out = tmp_path / "logi.docx"
    result = run("report", "export", "--org", "logi", "-o", str(out))
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(out))
    titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(titles) == 4 and titles[0] == "后勤集团第一党支部书记2020年度述职报告"
    sections = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert sections[:4] == ["一、个人履职", "二、支部建设情况和成效", "三、思想政治工作", "四、存在问题及下一步思路举措"]
    bylines = [p.text for p in document.paragraphs if "支部书记：" in p.text]
    assert bylines[0].startswith("后勤集团党总支 · 后勤集团第一党支部 · 支部书记：")
    result = run("report", "export", RETURNED, "-o", str(tmp_path / "one.md"))
    text = (tmp_path / "one.md").read_text()
    assert text.startswith("# 后勤集团第二党支部书记2020年度述职报告\n") and "## 三、思想政治工作" in text
    result = run("report", "import", RETURNED, str(tmp_path / "x.pdf"))
    assert result.returncode == 2 and "不支持的文件类型" in result.stderr


def _previous_campaign(archive: Archive) -> None:
    """A 2019 campaign and this branch's 2019 review, with a task and a 点评."""
    campaign = Campaign(year=2019, title="2019年度党支部书记述职评议考核", notice_date=date(2019, 12, 20),
                        report_deadline=date(2020, 1, 10), completion_deadline=date(2020, 1, 15))
    review = Review(
        branch=NOT_STARTED, org="logi", year=2019,
        meeting=MeetingPart(comment="支部活动形式单一，对青年教师的引领不够。"),
        tasks=[Task(id="t1", problem="党员发展工作程序不够规范", source=ProblemSource.COMMENT, status=TaskStatus.DONE)],
    )
    archive.commit(
        [Change(layout.campaign_path(2019), render(campaign).encode(), None),
         Change(layout.review_path("logi", 2019, NOT_STARTED), render(review).encode(), None)],
        "录入2019年度述职评议考核结果",
    )


def test_last_year_lists_the_previous_campaigns_problems(demo_archive: Archive):
    snap = load(demo_archive)
    review = snap.review(NOT_STARTED).record
    before = reports.last_year(demo_archive, snap.campaign, review)
    _previous_campaign(demo_archive)
    items = reports.last_year(demo_archive, snap.campaign, review)
    assert [(i.text, i.source) for i in items[len(before):]] == [
        ("党员发展工作程序不够规范", "2019年度整改任务，已完成"),
        ("支部活动形式单一，对青年教师的引领不够。", "2019年度述职点评"),
    ]


# ---------------------------------------------------------------- the TUI


async def _open_editor(app: ShupingApp, pilot, branch_id: str):
    await pilot.press("f4")
    await pilot.pause()
    queue = app.screen
    queue.query_one("#queue", DataTable).move_cursor(row=queue.row_ids.index(branch_id))
    await pilot.press("enter")
    await _settle(app, pilot)
    return app.screen


async def _settle(app: ShupingApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _flow(app: ShupingApp, pilot, option: int = 0, note: str = "", empty: str = "") -> None:
    """One workflow step; ``empty``: the empty sections the confirmation must name (then confirmed)."""
    await pilot.press("ctrl+l")
    await pilot.pause()
    await pilot.press(*(["down"] * option), "enter")
    if note:
        await pilot.pause()
        app.screen.query_one("#note", Input).value = note
        await pilot.press("enter")
    if empty:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and empty in app.screen.text
        await pilot.press("enter")
    await _settle(app, pilot)


def test_section_four_shows_the_previous_campaigns_problems(demo_archive: Archive):
    asyncio.run(_test_section_four_shows_the_previous_campaigns_problems(demo_archive))


async def _test_section_four_shows_the_previous_campaigns_problems(demo_archive: Archive):
    _previous_campaign(demo_archive)
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _open_editor(app, pilot, NOT_STARTED)
        text = editor.query_one("#text", TextArea).text
        fourth = parse_report(text, TITLES).sections[3]
        carried = load(demo_archive).review(NOT_STARTED).record.carried  # named on this year's review
        for problem in carried:
            assert f"{problem.text}（{problem.source}，{problem.status or '未列整改任务'}）" in fourth
        assert "党员发展工作程序不够规范（2019年度整改任务，已完成）" in fourth
        assert "支部活动形式单一，对青年教师的引领不够（2019年度述职点评）" in fourth
        assert fourth.count(ANSWER_PROMPT) == len(carried) + 2
        notes = str(editor.query_one("#notes-text", Static).render())
        assert "上年度指出的问题" in notes and "党员发展工作程序不够规范" in notes


def test_write_submit_return_revise_approve_archive(demo_archive: Archive):
    asyncio.run(_test_write_submit_return_revise_approve_archive(demo_archive))


async def _test_write_submit_return_revise_approve_archive(demo_archive: Archive):
    start = demo_archive.head()
    app = ShupingApp(demo_archive)
    name = "后勤集团第四党支部"
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _open_editor(app, pilot, NOT_STARTED)
        area = editor.query_one("#text", TextArea)
        area.move_cursor((1, 0))
        area.insert("\n本人认真履行党支部书记第一责任人职责。\n")
        await pilot.press("ctrl+t")  # the 数据 panel: the facts as sentences, inserted at the cursor
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        facts = fact_sentences(load(demo_archive).review(NOT_STARTED).record.facts, date(2021, 1, 20))
        assert facts[0] in area.text
        assert "字数" in str(editor.query_one("#count", Static).render())
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        await _flow(app, pilot, empty="“思想政治工作”")  # 提交, confirming the empty sections
        area.move_cursor((area.text.splitlines().index("## 二、支部建设情况和成效") + 1, 0))
        await _flow(app, pilot, option=0, note="请补充支部建设的数据")  # 退回修改, anchored at the cursor's section
        assert "请补充支部建设的数据" in str(editor.query_one("#notes-text", Static).render())
        assert not area.read_only
        area.move_cursor((area.text.splitlines().index("## 二、支部建设情况和成效") + 1, 0))
        area.insert("\n全年召开支部党员大会6次，支委会12次。\n")
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        await _flow(app, pilot, empty="“思想政治工作”")  # 提交
        await _flow(app, pilot, option=1, empty="“思想政治工作”")  # 审定
        await _flow(app, pilot, empty="“思想政治工作”")  # 归档
        assert area.read_only
        before = area.text
        await pilot.press("x", "ctrl+s")
        await _settle(app, pilot)
        assert area.text == before  # archived: read-only
        await _flow(app, pilot, option=0, note="补充表彰材料")  # 重新打开
        final_text = area.text

    log = git_log(demo_archive, f"{start}..HEAD")[::-1]
    assert [line.split("（字数 ")[0] for line in log] == [
        f"{OPERATOR}|修改述职报告：{name}",
        f"{OPERATOR}|述职报告提交：{name}",
        f"{OPERATOR}|述职报告退回修改：{name}",
        f"{OPERATOR}|修改述职报告：{name}",
        f"{OPERATOR}|述职报告提交：{name}",
        f"{OPERATOR}|述职报告审定：{name}",
        f"{OPERATOR}|述职报告归档：{name}",
        f"{OPERATOR}|述职报告重新打开：{name}（原因：补充表彰材料）",
    ]

    snap = load(demo_archive)
    part = snap.review(NOT_STARTED).record.report
    assert part.status == ReportStatus.RETURNED
    assert [e.status for e in part.history] == [
        ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED, ReportStatus.APPROVED,
        ReportStatus.ARCHIVED, ReportStatus.RETURNED,
    ]
    assert {e.by for e in part.history} == {OPERATOR} and part.history[-1].note == "补充表彰材料"
    assert all(e.at.startswith("2021-01-20T") for e in part.history)
    assert [(c.section, c.text, c.by) for c in part.comments] == [(2, "请补充支部建设的数据", OPERATOR)]
    on_disk = (demo_archive.root / part.file).read_text()
    assert on_disk == final_text and part.words == report_words(final_text)
    assert "全年召开支部党员大会6次，支委会12次。" in parse_report(on_disk, TITLES).sections[1]
    assert demo_archive.git.run("status", "--porcelain") == ""


def test_facts_form_validates_in_place_and_saves_one_commit(demo_archive: Archive):
    asyncio.run(_test_facts_form_validates_in_place_and_saves_one_commit(demo_archive))


async def _test_facts_form_validates_in_place_and_saves_one_commit(demo_archive: Archive):
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_editor(app, pilot, NOT_STARTED)
        await pilot.press("ctrl+f")
        await pilot.pause()
        form = app.screen
        form.query_one("#general_meetings", Input).value = "-1"
        form.query_one("#dues_months", Input).value = "13"
        await pilot.pause()
        assert str(form.query_one("#general_meetings-error", Static).render()) == "不能小于 0"
        assert str(form.query_one("#dues_months-error", Static).render()) == "不能大于 12"
        head = demo_archive.head()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and demo_archive.head() == head  # refused, nothing written
        form.query_one("#general_meetings", Input).value = "9"
        form.query_one("#dues_months", Input).value = "12"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
    facts = load(demo_archive).review(NOT_STARTED).record.facts
    assert (facts.general_meetings, facts.dues_months) == (9, 12)
    assert git_log(demo_archive, "-1")[0].startswith(f"{OPERATOR}|修改支部数据：后勤集团第四党支部（支部党员大会 ")


def test_import_from_the_editor_and_history_shows_both_files(demo_archive: Archive, tmp_path):
    asyncio.run(_import_from_the_editor(demo_archive, tmp_path))


async def _import_from_the_editor(demo_archive: Archive, tmp_path):
    source = tmp_path / "述职报告.docx"
    _word_file(source)
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _open_editor(app, pilot, RETURNED)
        await pilot.press("ctrl+b")
        await pilot.pause()
        app.screen.query_one(Input).value = str(source)
        await pilot.press("enter")
        await _settle(app, pilot)
        assert "“四、存在问题和下一步工作思路” → 四、存在问题及下一步思路举措" in app.screen.text  # the mapping to confirm
        await pilot.press("enter")
        await _settle(app, pilot)
        text = editor.query_one("#text", TextArea).text
        assert parse_report(text, TITLES).sections[2] == "组织专题学习4次。"
        await pilot.press("ctrl+g")
        await _settle(app, pilot)
        table = app.screen.query_one("#commits", DataTable)
        subjects = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
    # the history covers both the review record and the report's .md file
    assert subjects[0] == f"导入述职报告：后勤集团第二党支部（述职报告.docx，字数 {report_words(text)}）"
    assert "述职报告退回修改：后勤集团第二党支部" in subjects
    assert "录入述职报告：后勤集团党总支 3 篇（含审阅进度）" in subjects


def test_external_editor_round_trip(demo_archive: Archive, monkeypatch):
    monkeypatch.setenv("EDITOR", "sed -i s/第二部分/第二部分（外部编辑）/")
    asyncio.run(_external_editor(demo_archive, monkeypatch))


async def _external_editor(demo_archive: Archive, monkeypatch):
    from contextlib import nullcontext

    app = ShupingApp(demo_archive)
    monkeypatch.setattr(app, "suspend", nullcontext)  # no terminal to hand over in a headless test
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _open_editor(app, pilot, RETURNED)
        area = editor.query_one("#text", TextArea)
        area.load_text("## 一、个人履职\n\n第二部分写在这里。\n")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert area.text == "## 一、个人履职\n\n第二部分（外部编辑）写在这里。\n"
        assert "未保存" in str(editor.query_one("#count", Static).render())  # saved only by Ctrl+S


def test_review_queue_snapshot(demo_archive: Archive, snap_compare):
    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), press=["f4"])


def test_report_editor_snapshot(demo_archive: Archive, snap_compare):
    async def open_returned(pilot) -> None:
        await _open_editor(pilot.app, pilot, RETURNED)

    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), run_before=open_returned)


def test_concurrent_edits_of_one_report_conflict_and_keep_the_first(demo_archive: Archive):
    other = Archive.open(demo_archive.root, "另一位")
    snap = load(demo_archive)
    stored, branch = snap.review(RETURNED), snap.branches[RETURNED].record
    doc = reports.read(demo_archive, stored.record)
    reports.save_text(other, stored, doc, doc.text + "\n甲的补充。\n", branch)
    with pytest.raises(StoreError, match="另一位"):
        reports.save_text(demo_archive, stored, doc, doc.text + "\n乙的补充。\n", branch)
    text = (demo_archive.root / doc.path).read_text()
    assert "甲的补充" in text and "乙的补充" not in text
    assert git_log(demo_archive, "-1")[0].startswith("另一位|修改述职报告：")


def test_archived_report_refuses_import_and_edits(demo_archive: Archive, tmp_path):
    archived = "b0004"
    source = tmp_path / "r.md"
    source.write_text("## 个人履职\n\n新内容。\n", encoding="utf-8")
    snap = load(demo_archive)
    stored, branch = snap.review(archived), snap.branches[archived].record
    assert stored.record.report.status == ReportStatus.ARCHIVED
    head = demo_archive.head()
    with pytest.raises(StoreError, match="当前为“已归档”，不能导入"):
        reports.import_file(demo_archive, stored, branch, ReportSettings(), source)
    with pytest.raises(StoreError, match="当前为“已归档”，不能修改"):
        reports.save_text(demo_archive, stored, reports.read(demo_archive, stored.record), "改了", branch)
    assert demo_archive.head() == head


def test_queue_exports_the_organisations_reports_as_one_word_file(demo_archive: Archive, tmp_path):
    asyncio.run(_export_from_the_queue(demo_archive, tmp_path))


async def _export_from_the_queue(demo_archive: Archive, tmp_path):
    target = tmp_path / "后勤.docx"
    head = demo_archive.head()
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await _settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        box = app.screen.query_one(Input)
        assert box.value == "述职报告-2020-后勤集团党总支.docx"  # F4 opens where work waits
        box.value = str(target)
        await pilot.press("enter")
        await _settle(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
    written = [p.text for p in docx.Document(str(target)).paragraphs]
    titles = [t for t in written if t.endswith("述职报告") and t.startswith("后勤集团")]
    # logi has 4 branches in scope and one report not started: 3 reports, in branch order
    assert len(titles) == 3
    assert titles[0] == "后勤集团第一党支部书记2020年度述职报告"
    assert demo_archive.head() == head  # exporting commits nothing
