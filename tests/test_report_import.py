"""述职报告 import that understands real reports: a corpus of layouts (tests/report_corpus.py)
each lands in the right sections; uncertain mappings are refused until confirmed or mapped
(CLI and TUI); tables, images, title and signature are reported, never dropped silently;
export then import gives the same sections; empty sections need a confirmation to move on."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, TextArea

from schema.campaign_setup import CampaignForm, notice_2020
from schema.clock import Clock
from schema.kinds import ReportStatus
from schema.records import Campaign, ReportSettings
from schema.report import ReportAction, parse_report
from schema.report_import import MappingError, Para, assemble, numbering, parse_mapping
from store import layout, reports
from store.archive import Archive
from store.service import Service, StoreError
from store.snapshot import load
from tests.conftest import OPERATOR, TODAY, git_log
from tests.report_corpus import BODIES, S1, S2, S3, S4, layouts, png
from tui.app import ShupingApp
from tui.dialogs import ConfirmDialog, PromptDialog

SETTINGS = ReportSettings()
TITLES = SETTINGS.sections
RETURNED = "b0062"  # logi, returned with a comment: editable
NOT_STARTED = "b0064"  # logi, no report yet


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("corpus")
    return {layout.name: (layout, layout.build(folder)) for layout in layouts(folder)}


@pytest.fixture
def service(demo_archive: Archive) -> Service:
    service = Service(demo_archive, Clock(fixed_today=TODAY))
    service.load()
    return service


def _unchanged(archive: Archive, head: str) -> None:
    assert archive.head() == head
    assert archive.git.run("status", "--porcelain") == ""


# ---------------------------------------------------------------- the corpus


def test_the_corpus_has_a_dozen_layouts_and_more(corpus):
    assert len(corpus) >= 12


@pytest.mark.parametrize("name", [
    "notice", "duty", "bold", "arabic", "paren-cn", "front-matter", "signature", "subheadings", "table", "image",
    "full-width", "reordered", "missing", "intro", "no-keywords", "outline-levels", "txt", "md"])
def test_each_layout_lands_in_the_right_sections(corpus, name):
    layout_, path = corpus[name]
    imported = reports.read_import(path, SETTINGS)
    assert imported.certain == layout_.certain, imported.doubts
    sections = parse_report(imported.text, TITLES).sections
    expected = list(layout_.sections)
    if name == "image":
        link = next(line for line in sections[0].splitlines() if line.startswith("![图片1]("))
        expected[0] = expected[0].replace("IMAGE", link[len("![图片1]("):-1])
    assert sections == expected
    for notice in layout_.notices:
        assert notice in imported.notices


def test_a_preamble_that_is_more_than_a_title_is_kept_before_section_one(corpus):
    imported = reports.read_import(corpus["intro"][1], SETTINGS)
    parsed = parse_report(imported.text, TITLES)
    assert "本人自2019年起任支部书记" in parsed.preamble and parsed.sections[0] == S1


# ---------------------------------------------------------------- the pure mapping


@pytest.mark.parametrize(
    "heading, kind, number",
    [("一、述个人履职情况", "cn", 1), ("（二）支部建设", "paren-cn", 2), ("(3)思想政治", "paren-arabic", 3),
     ("4.问题", "arabic", 4), ("1、履职", "arabic", 1), ("第三部分 思想政治工作", "part", 3), ("十、其他", "cn", 10),
     ("一是学习不够深入", "", None), ("2020年度述职报告", "", None), ("3.5万元", "", None)],
)
def test_numbering_kinds(heading, kind, number):
    assert numbering(heading)[:2] == (kind, number)


def test_key_words_decide_and_order_breaks_a_tie():
    # “支部建设存在问题”: one key word of section 2, one of section 4 → its number (四) decides
    paras = [Para("一、个人履职", 2), Para(S1), Para("二、组织生活", 2), Para(S2), Para("三、思想政治", 2), Para(S3),
             Para("四、支部建设存在问题", 2), Para(S4)]
    imported = assemble(paras, SETTINGS)
    assert imported.certain and parse_report(imported.text, TITLES).sections == BODIES


def test_sub_headings_in_the_section_headings_style_stay_inside():
    paras = [Para("一、个人履职", 2), Para("（一）学习", 2), Para(S1), Para("二、支部建设", 2), Para("（一）加强组织生活", 2),
             Para(S2), Para("三、思想政治", 2), Para(S3), Para("四、问题", 2), Para(S4)]
    imported = assemble(paras, SETTINGS)
    assert imported.certain, imported.doubts
    assert parse_report(imported.text, TITLES).sections == [f"### （一）学习\n\n{S1}", f"### （一）加强组织生活\n\n{S2}", S3, S4]


def test_two_headings_naming_one_section_are_uncertain():
    paras = [Para("一、个人履职", 2), Para(S1), Para("二、履职尽责", 2), Para(S2)]
    imported = assemble(paras, SETTINGS)
    assert not imported.certain
    assert "“一、个人履职”和“二、履职尽责”都对应“个人履职”" in imported.doubts


def test_a_users_mapping_overrides_and_is_certain():
    paras = [Para("一、工作回顾"), Para(S1), Para("二、主要做法"), Para(S2), Para("三、今后打算"), Para(S4)]
    imported = assemble(paras, SETTINGS, {"1": 1, "主要做法": 2, "3": 4})
    assert imported.certain and parse_report(imported.text, TITLES).sections == [S1, S2, "", S4]
    with pytest.raises(MappingError, match="部分编号应为 1–4"):
        assemble(paras, SETTINGS, {"1": 5})
    with pytest.raises(MappingError, match="没有第 9 个标题"):
        assemble(paras, SETTINGS, {"9": 1})
    with pytest.raises(MappingError, match="同一部分"):
        assemble(paras, SETTINGS, {"1": 1, "2": 1})


def test_parse_mapping():
    assert parse_mapping("2=3，述个人履职=1; 5=0") == {"2": 3, "述个人履职": 1, "5": 0}
    assert parse_mapping("  ") == {}
    with pytest.raises(MappingError, match="应写作"):
        parse_mapping("2:3")


def test_key_words_come_from_the_campaign():
    settings = ReportSettings(keywords={"思想政治工作": ["育人"]})
    paras = [Para("一、个人履职", 1), Para(S1), Para("二、支部建设", 1), Para(S2), Para("三、立德育人", 1), Para(S3),
             Para("四、问题", 1), Para(S4)]
    assert parse_report(assemble(paras, settings).text, TITLES).sections == BODIES
    assert settings.section_keywords()[0] == ["履职", "职责", "尽责"]  # the others keep their defaults


# ---------------------------------------------------------------- key words in the campaign and F9


def test_an_old_campaign_without_key_words_loads_and_keeps_its_file():
    old = notice_2020().model_dump(mode="json")
    del old["report"]["keywords"]
    campaign = Campaign.model_validate(old)
    assert campaign.report.keywords is None and campaign.report.section_keywords()[3][:2] == ["问题", "不足"]


def test_f9_form_edits_the_key_words():
    form = CampaignForm.of(notice_2020())
    assert form.text("keywords").startswith("履职/职责/尽责；支部建设/")
    unchanged, _ = form.read()
    assert unchanged.report.keywords is None  # shown but not written until edited
    edited, _ = form.with_values(keywords="履职；支部；育人/思政；问题/整改").read()
    assert edited.report.section_keywords() == [["履职"], ["支部"], ["育人", "思政"], ["问题", "整改"]]
    assert "述职报告要求" in form.with_values(keywords="履职；支部；育人/思政；问题/整改").changes()
    _, errors = form.with_values(keywords="履职；支部").read()
    assert errors["report"] == ["关键词有 2 组，报告部分有 4 个：每个部分一组，以“；”分隔"]


# ---------------------------------------------------------------- into the archive


def test_an_uncertain_mapping_is_refused_and_changes_nothing(service: Service, corpus):
    path = corpus["no-keywords"][1]
    head = service.archive.head()
    with pytest.raises(StoreError) as e:
        service.reports.import_file(RETURNED, path)
    assert "导入映射（不确定，未导入）" in str(e.value) and "1. “一、工作回顾” → 一、个人履职" in str(e.value)
    _unchanged(service.archive, head)
    saved = service.reports.import_file(RETURNED, path, confirmed=True)
    assert parse_report(saved.doc.text, TITLES).sections == BODIES
    body = service.archive.git.run("log", "-1", "--format=%b")
    assert "导入映射：1. “一、工作回顾” → 一、个人履职" in body  # the mapping used is in the commit


def test_images_become_attachments_in_the_same_commit(service: Service, corpus):
    saved = service.reports.import_file(RETURNED, corpus["image"][1])
    link = next(line for line in saved.doc.text.splitlines() if line.startswith("![图片1]("))
    target = link[len("![图片1]("):-1]
    assert target.startswith("../attachments/") and target.endswith(".png")
    stored = (service.archive.root / saved.doc.path).parent / target
    assert stored.resolve().read_bytes().startswith(b"\x89PNG")
    rel = str(stored.resolve().relative_to(service.archive.root.resolve()))
    assert rel.startswith(layout.org_year_dir("logi", 2020) + "/attachments/")
    changed = service.archive.git.run("show", "--name-only", "--format=", "HEAD").split()
    assert rel in changed and saved.doc.path in changed


def test_a_picture_in_a_table_is_linked_after_the_table(tmp_path):
    import docx

    picture = tmp_path / "p.png"
    picture.write_bytes(png())
    document = docx.Document()
    document.add_heading("一、个人履职", level=2)
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].add_run().add_picture(str(picture))
    document.save(str(tmp_path / "t.docx"))
    imported = reports.read_import(tmp_path / "t.docx", SETTINGS)
    first = parse_report(imported.text, TITLES).sections[0]
    assert first.startswith("|   |\n| --- |\n\n![图片1](") and "1 张图片已存为附件并在正文中链接。" in imported.notices


def test_export_then_import_gives_back_the_same_sections(service: Service, tmp_path):
    text = "\n\n".join([f"## 一、个人履职\n\n{S1}\n\n### 小结\n\n{S1}", f"## 二、支部建设情况和成效\n\n{S2}",
                        f"## 三、思想政治工作\n\n{S3}", f"## 四、存在问题及下一步思路举措\n\n{S4}"]) + "\n"
    service.reports.save_text(RETURNED, text)
    before = parse_report(text, TITLES).sections
    for suffix in (".docx", ".md"):
        out = tmp_path / f"export{suffix}"
        service.reports.export([RETURNED], out)
        imported = service.reports.preview_import(RETURNED, out)
        assert imported.certain, imported.doubts
        assert parse_report(imported.text, TITLES).sections == before


def test_moving_past_submitted_with_an_empty_section_needs_allow_empty(service: Service):
    service.reports.save_text(NOT_STARTED, f"## 一、个人履职\n\n{S1}\n\n## 二、支部建设情况和成效\n\n{S2}\n")
    head = service.archive.head()
    with pytest.raises(StoreError, match="以下部分还是空的：“思想政治工作”、“存在问题及下一步思路举措”"):
        service.reports.move(NOT_STARTED, ReportAction.SUBMIT)
    _unchanged(service.archive, head)
    service.reports.move(NOT_STARTED, ReportAction.SUBMIT, allow_empty=True)
    with pytest.raises(StoreError, match="以下部分还是空的"):
        service.reports.move(NOT_STARTED, ReportAction.APPROVE)
    service.reports.move(NOT_STARTED, ReportAction.RETURN, "请补充")  # a return needs no confirmation
    assert service.snapshot.review(NOT_STARTED).record.report.status == ReportStatus.RETURNED


# ---------------------------------------------------------------- the command line


def _cli(archive: Archive, *args: str):
    """The command in-process (a subprocess per call costs seconds; test_reports.py runs one)."""
    from click.testing import CliRunner

    from tui.cli import main

    return CliRunner().invoke(main, [*args, "--archive", str(archive.root), "--operator", OPERATOR])


def test_cli_refuses_an_uncertain_mapping_until_mapped_or_confirmed(demo_archive: Archive, corpus):
    path = str(corpus["no-keywords"][1])
    head = demo_archive.head()
    result = _cli(demo_archive, "report", "import", RETURNED, path)
    assert result.exit_code == 1, result.output
    assert "导入映射（不确定，未导入）：\n  1. “一、工作回顾” → 一、个人履职\n" in result.stdout
    assert "--map" in result.stderr and "--yes" in result.stderr
    _unchanged(demo_archive, head)
    result = _cli(demo_archive, "report", "import", RETURNED, path, "--map", "9=1")
    assert result.exit_code == 2 and "没有第 9 个标题（共 4 个）" in result.stderr
    _unchanged(demo_archive, head)
    result = _cli(demo_archive, "report", "import", RETURNED, path, "--map", "1=1,2=2", "--map", "典型经验=3", "--map", "4=0")
    assert result.exit_code == 0, result.output
    text = (demo_archive.root / layout.report_path("logi", 2020, RETURNED)).read_text()
    assert parse_report(text, TITLES).sections == [S1, S2, f"{S3}\n\n四、今后打算\n\n{S4}", ""]
    result = _cli(demo_archive, "report", "import", RETURNED, path, "--yes")
    assert result.exit_code == 0 and "导入映射：\n  1. “一、工作回顾” → 一、个人履职\n" in result.stdout
    text = (demo_archive.root / layout.report_path("logi", 2020, RETURNED)).read_text()
    assert parse_report(text, TITLES).sections == BODIES


def test_cli_imports_a_certain_mapping_and_prints_it(demo_archive: Archive, corpus):
    result = _cli(demo_archive, "report", "import", NOT_STARTED, str(corpus["signature"][1]))
    assert result.exit_code == 0, result.output
    assert "  4. “四、存在问题及下一步思路举措” → 四、存在问题及下一步思路举措" in result.stdout
    assert "提示：末尾的署名和日期未放入正文：述职人：张三 / 二〇二一年一月十日" in result.stdout


# ---------------------------------------------------------------- the screen


async def _settle(app: ShupingApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _open_editor(app: ShupingApp, pilot, branch_id: str):
    from textual.widgets import DataTable

    await pilot.press("f4")
    await _settle(app, pilot)
    queue = app.screen
    queue.query_one("#queue", DataTable).move_cursor(row=queue.row_ids.index(branch_id))
    await pilot.press("enter")
    await _settle(app, pilot)
    return app.screen


def test_the_editor_shows_the_mapping_to_change_and_asks_before_submitting_empty_sections(demo_archive: Archive, corpus):
    asyncio.run(_mapping_in_the_editor(demo_archive, str(corpus["no-keywords"][1])))


async def _mapping_in_the_editor(demo_archive: Archive, path: str):
    app = ShupingApp(demo_archive)
    head = demo_archive.head()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _open_editor(app, pilot, RETURNED)
        await pilot.press("ctrl+b")
        await pilot.pause()
        app.screen.query_one(Input).value = path
        await pilot.press("enter")
        await _settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, PromptDialog) and "对应不确定" in dialog.text
        assert "4. “四、今后打算” → 四、存在问题及下一步思路举措" in dialog.text
        dialog.query_one(Input).value = "4=0"  # the last heading stays inside section 3
        await pilot.press("enter")
        await _settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, PromptDialog) and "4. “四、今后打算” → （小标题，留在所在部分）" in dialog.text
        assert demo_archive.head() == head  # nothing written while the mapping is shown
        await pilot.press("enter")
        await _settle(app, pilot)
        text = editor.query_one("#text", TextArea).text
        assert parse_report(text, TITLES).sections[2:] == [f"{S3}\n\n四、今后打算\n\n{S4}", ""]
        assert git_log(demo_archive, "-1")[0].startswith(f"{OPERATOR}|导入述职报告：")
        head = demo_archive.head()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("enter")  # 提交, with section 4 empty
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "以下部分还没有内容：“存在问题及下一步思路举措”。" in app.screen.text
        await pilot.press("escape")
        await _settle(app, pilot)
        assert demo_archive.head() == head
    assert load(demo_archive).review(RETURNED).record.report.status == ReportStatus.RETURNED
