"""Meeting papers (issue 19): what each paper says, read back from the .docx; the printout
recorded in the meeting; what changed since printing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from schema.clock import Clock
from schema.kinds import BallotForm, PaperKind
from schema.papers import (
    SERIAL_BOX,
    ballot_instructions,
    drift,
    printed_drift,
    refusals,
    variant_copies,
)
from schema.records import Attendance, Campaign, Indicator, Meeting, PrintedForm, RaterGroup, ScoringSettings
from store.archive import Archive
from store.errors import StoreError
from store.papers import BODY_FONT, TITLE_FONT
from store.service import Service
from tests.meeting_archive import SECRETARIES, meeting_archive

CLOCK = Clock(fixed_today=date(2021, 1, 20))
GRADE_HEADER = ["序号", "姓名", "所在党支部", "好", "较好", "一般", "差"]
TALLY_HEADER = ["序号", "姓名", "所在党支部", "好", "较好", "一般", "差", "弃权"]


def service_of(archive: Archive) -> Service:
    service = Service(archive, CLOCK)
    service.load()
    return service


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def tables_headed(doc, header: list[str]):
    return [t for t in doc.tables if [c.text for c in t.rows[0].cells] == header]


def rows_of(table) -> list[tuple[str, str, str]]:
    return [(r.cells[0].text, r.cells[1].text, r.cells[2].text) for r in table.rows[1:]]


def expected_rows(service: Service, org: str, order: list[str]) -> list[tuple[str, str, str]]:
    branches = service.snapshot.branches
    return [(str(n), branches[b].record.secretary, branches[b].record.name) for n, b in enumerate(order, start=1)]


def pages(doc) -> int:
    """Pages begun: the first, and every paragraph that starts a new one."""
    return 1 + sum(1 for p in doc.paragraphs if p.paragraph_format.page_break_before)


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    "settings, has, has_not",
    [
        ({}, ["对某位书记未划“√”的，视为对该书记弃权。", "对同一位书记划两个及以上“√”的，视为对该书记弃权。", "全部未划“√”的为空白票，整张票无效。"],
         ["整张票无效。对全部", "对全部书记评为同一等次的", "本票供"]),
        ({"overmarked_voids_ballot": True}, ["对同一位书记划两个及以上“√”的，整张票无效。"], ["两个及以上“√”的，视为"]),
        ({"uniform_voids_ballot": True}, ["对全部书记评为同一等次的，整张票无效。"], []),
    ],
)
def test_ballot_rules_follow_the_scoring_settings(settings, has, has_not):
    rules = ballot_instructions(ScoringSettings(**settings), BallotForm.GRADES, rows=3)
    assert rules[0] == "本票不记名，请勿在票面书写姓名或作其他标记。"
    for text in has:
        assert text in rules
    for text in has_not:
        assert not any(text in r for r in rules)


def test_uniform_rule_is_not_printed_for_a_single_secretary():
    rules = ballot_instructions(ScoringSettings(uniform_voids_ballot=True), BallotForm.GRADES, rows=1)
    assert not any("同一等次" in r for r in rules)


def test_weighted_group_variant_names_its_group_and_the_weights():
    scoring = ScoringSettings(rater_groups=[RaterGroup(name="委员", weight=0.6), RaterGroup(name="其他参会人员", weight=0.4)])
    rules = ballot_instructions(scoring, BallotForm.GRADES, 3, scoring.rater_groups[1])
    assert rules[-1] == "本票供“其他参会人员”填写；各组分别计票，按权重合计（委员 60%、其他参会人员 40%）。"


def test_indicator_rules_give_the_full_marks():
    indicators = [Indicator(id="1", group="甲", name="a", max_points=60), Indicator(id="2", group="甲", name="b", max_points=40)]
    rules = ballot_instructions(ScoringSettings(), BallotForm.INDICATORS, 3, indicators=indicators)
    assert "请对照各项指标，在“得分”栏填写分数，每项不超过该项分值（满分 100 分）。" in rules
    assert "未填写的指标按 0 分计。" in rules


ATTENDANCE = [Attendance(group="委员", due=7), Attendance(group="党支部书记", due=12), Attendance(group="师生党员代表", due=14)]


@pytest.mark.parametrize(
    "total, groups, expected",
    [
        (30, [""], {"": 30}),
        (30, ["委员", "其他参会人员"], {"委员": 7, "其他参会人员": 23}),
        (5, ["委员", "其他参会人员"], {"委员": 5, "其他参会人员": 0}),
        (31, ["甲", "乙"], {"甲": 16, "乙": 15}),
        (40, ["委员", "党支部书记"], {"委员": 7, "党支部书记": 33}),  # spares to the last group
        (10, [], {}),
    ],
)
def test_ballots_to_issue_shared_among_the_variants(total, groups, expected):
    assert variant_copies(total, groups, ATTENDANCE) == expected


NAMES = {"a": "甲", "b": "乙", "c": "丙", "d": "丁"}


@pytest.mark.parametrize(
    "printed, order, form, expected",
    [
        (["a", "b", "c"], ["a", "b", "c"], BallotForm.GRADES, []),
        (["a", "b", "c"], ["b", "a", "c"], BallotForm.GRADES, ["顺序变了：乙 第 2 位 → 第 1 位，甲 第 1 位 → 第 2 位"]),
        (["a", "b", "c"], ["a", "b"], BallotForm.GRADES, ["打印后去掉了：丙"]),
        (["a", "b"], ["a", "b", "d"], BallotForm.GRADES, ["打印后增加了：丁"]),
        (["a", "b"], ["a", "b"], BallotForm.INDICATORS, ["测评方式 等次 → 指标"]),
        (["a", "b", "c"], ["d", "a", "b"], BallotForm.GRADES,
         ["打印后去掉了：丙", "打印后增加了：丁", "顺序变了：甲 第 1 位 → 第 2 位，乙 第 2 位 → 第 3 位"]),
    ],
)
def test_drift_between_printed_and_current_order(printed, order, form, expected):
    paper = PrintedForm(kind=PaperKind.BALLOT, order=printed, form=BallotForm.GRADES, at="2021-01-20T09:00:00")
    assert drift(paper, order, form, NAMES) == expected


def test_drift_only_for_kinds_printed_and_against_the_frozen_columns():
    meeting = Meeting(org="o", year=2020, order=["a", "b"])
    assert printed_drift(meeting, [PaperKind.BALLOT], NAMES) == []  # never printed: nothing to disagree with
    printed = PrintedForm(kind=PaperKind.BALLOT, order=["a", "b"], at="2021-01-20T09:00:00")
    meeting = meeting.model_copy(update={"printed": [printed], "order": ["b", "a"]})
    assert printed_drift(meeting, [PaperKind.BALLOT], NAMES) == [
        "打印的测评票（2021-01-20 09:00）与现在不同：顺序变了：乙 第 2 位 → 第 1 位，甲 第 1 位 → 第 2 位"]
    assert printed_drift(meeting, [PaperKind.TALLY], NAMES) == []


def test_refusals():
    campaign = Campaign(year=2020, notice_date=date(2020, 12, 1), report_deadline=date(2021, 1, 5),
                        completion_deadline=date(2021, 1, 31))
    empty = Meeting(org="o", year=2020)
    assert refusals(PaperKind.BALLOT, empty, campaign) == ["还没有确定述职顺序：请先在评议会设置中排定述职人（抽签或手排）"]
    assert refusals(PaperKind.SIGN_IN, empty, campaign) == []
    indicators = Meeting(org="o", year=2020, order=["a"], form=BallotForm.INDICATORS)
    assert refusals(PaperKind.BALLOT, indicators, campaign) == ["指标打分式测评没有指标：请先在年度设置中填写测评指标（附件1）"]
    assert refusals(PaperKind.TALLY, indicators, campaign) == ["指标打分式测评须逐张录票，不能用计票表汇总"]


def test_old_meeting_files_load_without_printouts():
    assert Meeting.model_validate({"org": "o", "year": 2020}).printed == []


# ---------------------------------------------------------------- the printouts, read back


def test_ballot_master_one_variant_per_weighted_group(demo_archive, tmp_path):
    service = service_of(demo_archive)
    out = tmp_path / "chem.docx"
    printout = service.papers.print("chem", PaperKind.BALLOT, out)
    doc = Document(str(out))
    meeting = service.snapshot.meeting("chem").record
    order = meeting.frozen.columns  # chem's ballots are keyed: the paper follows the keying columns
    tables = tables_headed(doc, GRADE_HEADER)
    assert len(tables) == 2 == pages(doc) == printout.pages
    for table in tables:
        assert rows_of(table) == expected_rows(service, "chem", order)
        assert all(c.text == "" for r in table.rows[1:] for c in r.cells[3:])
    labels = [t for t in texts(doc) if t.startswith("【")]
    assert labels == ["【委员用票（占测评结果 60%）】", "【其他参会人员用票（占测评结果 40%）】"]
    assert "1. 本票不记名，请勿在票面书写姓名或作其他标记。" in texts(doc)
    assert "4. 对同一位书记划两个及以上“√”的，视为对该书记弃权。" in texts(doc)  # the demo's settings: not voiding
    boxes = [t for t in doc.tables if t.rows[0].cells[0].text == SERIAL_BOX]
    assert len(boxes) == 2 and all(len(t.rows) == 1 and t.rows[0].cells[1].text == "" for t in boxes)
    assert "2020年度党支部书记述职评议测评票" in texts(doc)


def test_ballot_page_setup_and_fonts(demo_archive, tmp_path):
    service = service_of(demo_archive)
    out = tmp_path / "logi.docx"
    service.papers.print("logi", PaperKind.BALLOT, out)
    doc = Document(str(out))
    section = doc.sections[0]
    mm = lambda length: round(length.mm, 1)  # noqa: E731 (stored in twips)
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(m) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [
        37, 35, 28, 26]
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        assert run.font.name == run._element.rPr.rFonts.get(qn("w:eastAsia")) in (TITLE_FONT, BODY_FONT)
    title = next(p for p in doc.paragraphs if p.text.endswith("测评票"))
    assert (title.runs[0].font.name, title.runs[0].font.size.pt) == (TITLE_FONT, 22)
    rule = next(p for p in doc.paragraphs if p.text.startswith("1. "))
    assert rule.runs[0].font.name == BODY_FONT
    assert rule.runs[0].font.size.pt == 16  # 3号: logi's four secretaries fit a page at the body size


def test_ballots_to_issue_one_page_each(demo_archive, tmp_path):
    service = service_of(demo_archive)
    out = tmp_path / "logi.docx"
    printout = service.papers.print("logi", PaperKind.BALLOT, out, copies=30)
    doc = Document(str(out))
    assert printout.copies == {"委员": 5, "其他参会人员": 25}
    assert pages(doc) == 30 == len(tables_headed(doc, GRADE_HEADER))
    labels = [t for t in texts(doc) if t.startswith("【")]
    assert labels.count("【委员用票（占测评结果 60%）】") == 5
    assert not any(ch.isdigit() for t in doc.tables if t.rows[0].cells[0].text == SERIAL_BOX
                   for ch in t.rows[0].cells[1].text)  # serial numbers are never printed


def test_signin_sheet(demo_archive, tmp_path):
    service = service_of(demo_archive)
    out = tmp_path / "signin.docx"
    service.papers.print("chem", PaperKind.SIGN_IN, out)
    doc = Document(str(out))
    meeting = service.snapshot.meeting("chem").record
    heads = [t for t in texts(doc) if "应到" in t]
    assert heads == [f"{n}、{a.group}（应到 {a.due} 人，实到＿＿＿人）" for n, a in zip("一二三四", meeting.attendance)]
    sign_tables = doc.tables[:4]
    for table, a in zip(sign_tables, meeting.attendance):
        cells = [c for r in table.rows for c in r.cells]
        assert len(cells) >= a.due and all(c.text == "" for c in cells)
    assert "五、列席人员" in texts(doc)
    observers = doc.tables[4]
    assert [r.cells[0].text for r in observers.rows] == meeting.observers
    assert all(r.cells[1].text == "" for r in observers.rows)


def test_tally_sheet_one_per_rater_group(demo_archive, tmp_path):
    service = service_of(demo_archive)
    out = tmp_path / "tally.docx"
    service.papers.print("logi", PaperKind.TALLY, out)
    doc = Document(str(out))
    meeting = service.snapshot.meeting("logi").record
    tables = tables_headed(doc, TALLY_HEADER)
    assert len(tables) == 2 == pages(doc)
    for table in tables:
        assert rows_of(table) == expected_rows(service, "logi", meeting.order)
        assert all(c.text == "" for r in table.rows[1:] for c in r.cells[3:])
    totals = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["发出票数", "收回票数", "有效票", "无效票"]]
    assert len(totals) == 2
    assert texts(doc).count("计票人（签名）：＿＿＿＿＿＿　　监票人（签名）：＿＿＿＿＿＿") == 2
    assert [t for t in texts(doc) if t.startswith("【")] == ["【委员票计票表】", "【其他参会人员票计票表】"]


# ---------------------------------------------------------------- one order, checked


def test_printout_is_recorded_and_a_later_order_change_is_detected(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=4)
    service = service_of(archive)
    service.papers.print("o", PaperKind.BALLOT, tmp_path / "b.docx", copies=20)
    stored = service.snapshot.meeting("o")
    [printed] = stored.record.printed
    assert (printed.kind, printed.order, printed.form, printed.copies) == (PaperKind.BALLOT, ["b01", "b02", "b03", "b04"],
                                                                             BallotForm.GRADES, 20)
    assert printed.at.startswith("2021-01-20T")
    on_disk = Archive.open(archive.root, "测试员").read(Meeting, stored.path).record
    assert on_disk.printed == [printed]
    subject = archive.git.run("log", "-1", "--format=%s")
    assert subject == "打印测评票：测试学院党委（20 份）"
    assert printed_drift(stored.record, [PaperKind.BALLOT], {}) == []
    service.save(stored, stored.record.model_copy(update={"order": ["b02", "b01", "b03", "b04"]}), "调整述职顺序")
    names = {f"b{n:02d}": s for n, s in enumerate(SECRETARIES, start=1)}
    assert printed_drift(service.snapshot.meeting("o").record, [PaperKind.BALLOT], names) == [
        f"打印的测评票（{printed.at[:16].replace('T', ' ')}）与现在不同：顺序变了：李静 第 2 位 → 第 1 位，王晓明 第 1 位 → 第 2 位"]


def test_a_printout_that_cannot_be_recorded_leaves_no_file(tmp_path, monkeypatch):
    archive = meeting_archive(tmp_path / "a", secretaries=3)
    service = service_of(archive)

    def refuse(*_a, **_k):
        raise StoreError("档案是只读的")

    monkeypatch.setattr(service, "save", refuse)
    out = tmp_path / "b.docx"
    with pytest.raises(StoreError):
        service.papers.print("o", PaperKind.BALLOT, out)
    assert not out.exists()


def test_pdf_without_libreoffice_says_so(tmp_path, monkeypatch):
    archive = meeting_archive(tmp_path / "a", secretaries=3)
    service = service_of(archive)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(StoreError, match="本机没有安装 LibreOffice（找不到 soffice），无法生成 PDF"):
        service.papers.print("o", PaperKind.BALLOT, tmp_path / "b.pdf")
    assert not (tmp_path / "b.pdf").exists()
    assert service.snapshot.meeting("o").record.printed == []


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None, reason="LibreOffice 未安装")
def test_pdf_one_page_per_ballot(demo_archive, tmp_path):
    service = service_of(demo_archive)
    out = tmp_path / "chem.pdf"
    service.papers.print("chem", PaperKind.BALLOT, out, copies=3)  # 委员 3, the other group none left
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           3" in info and "(A4)" in info


# ---------------------------------------------------------------- the command


def shuping(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "SHUPING_TODAY": "2021-01-20"})


def test_cli_prints_and_refuses_in_chinese(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3)
    root = str(archive.root)
    result = shuping("meeting", "print", "-a", root, "--org", "o", "--signin", "-o", str(tmp_path / "s.docx"))
    assert (result.returncode, result.stdout.strip()) == (0, f"已输出签到表（母版 1 页）：{tmp_path / 's.docx'}")
    result = shuping("meeting", "print", "-a", root, "--org", "x", "--ballot", "-o", str(tmp_path / "b.docx"))
    assert result.returncode == 2 and "错误：没有 id 为 “x” 的二级党组织" in result.stderr
    result = shuping("meeting", "print", "-a", root, "--org", "o", "--ballot", "-o", f"{root}/orgs/o/b.docx")
    assert result.returncode == 2 and "错误：不能把打印文件存到档案的记录文件夹里（orgs/o/b.docx）" in result.stderr
    result = shuping("meeting", "print", "-a", root, "--org", "o", "-o", str(tmp_path / "b.docx"))
    assert result.returncode == 2 and "请选择要打印的用纸" in result.stderr
    service = service_of(archive)
    stored = service.snapshot.meeting("o")
    service.save(stored, stored.record.model_copy(update={"order": []}), "清空述职顺序")
    result = shuping("meeting", "print", "-a", root, "--org", "o", "--tally", "-o", str(tmp_path / "t.docx"))
    assert result.returncode == 2
    assert "错误：无法打印计票表：还没有确定述职顺序：请先在评议会设置中排定述职人（抽签或手排）" in result.stderr
    assert not (tmp_path / "t.docx").exists()
    assert [p.kind for p in Archive.open(root, "测试员").read(Meeting, stored.path).record.printed] == [PaperKind.SIGN_IN]


def test_keying_asks_first_when_the_order_changed_after_printing(tmp_path):
    import asyncio

    from tui.app import ShupingApp

    archive = meeting_archive(tmp_path / "a", secretaries=3)
    service = service_of(archive)
    service.papers.print("o", PaperKind.BALLOT, tmp_path / "b.docx")
    stored = service.snapshot.meeting("o")
    service.save(stored, stored.record.model_copy(update={"order": ["b02", "b01", "b03"]}), "调整述职顺序")

    async def run():
        app = ShupingApp(Archive.open(archive.root, "测试员"))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f5", "enter")
            assert type(app.screen).__name__ == "GuideScreen"
            await pilot.press("k")
            dialog = app.screen
            assert type(dialog).__name__ == "ConfirmDialog"
            shown = " ".join(str(w.render()) for w in dialog.query("Static"))
            assert "打印的测评票与现在不一致" in shown
            assert "顺序变了：李静 第 2 位 → 第 1 位，王晓明 第 1 位 → 第 2 位" in shown
            await pilot.press("escape")
            assert type(app.screen).__name__ == "GuideScreen"  # nothing keyed
            await pilot.press("k", "enter")
            assert type(app.screen).__name__ == "KeyingScreen"

    asyncio.run(run())
