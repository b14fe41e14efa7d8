"""The grading screen as a user drives it: over the cap, reasons, finalise, frozen, reopen."""

from __future__ import annotations

import asyncio
import tomllib
from datetime import date

import pytest
from textual.widgets import DataTable

from schema.records import OrgYear, Review, Tally
from store import layout
from store.archive import Archive
from store.errors import StoreError
from store.grading import FrozenError, finalise_tags, read_org_year, save_review
from store.snapshot import load
from tests.conftest import git_log
from tui.app import ShupingApp
from tui.screens.help import help_sections

TODAY = date(2021, 1, 25)
LANG_SCORES = [96, 94, 92, 85, 80, 70, 55]  # 外国语学院: N = 7, cap 2


def set_lang_tallies(archive: Archive) -> list[str]:
    """Known meeting results for 外国语学院 (arranged through the store): branch ids by score."""
    snap = load(archive)
    ids = sorted(b.id for b in snap.org_branches("lang") if snap.scope(b.id).in_scope)
    assert len(ids) == 7
    for branch_id, score in zip(ids, LANG_SCORES):
        stored = snap.review(branch_id)
        archive.save(stored, stored.record.model_copy(update={"tally": Tally(counts={"好": 30}, valid=30, score=score)}),
                     "测试：会议结果")
    return ids


def review_file(archive: Archive, branch_id: str) -> dict:
    return tomllib.loads((archive.root / layout.review_path("lang", 2020, branch_id)).read_text())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def type_into_editor(pilot, text: str) -> None:
    editor = pilot.app.screen.query_one("#editor #value")
    editor.value = text
    await pilot.press("enter")
    await pilot.pause()


def test_grade_refuse_over_cap_reason_finalise_frozen_reopen(demo_archive: Archive):
    asyncio.run(grade_refuse_over_cap_reason_finalise_frozen_reopen(demo_archive))


async def grade_refuse_over_cap_reason_finalise_frozen_reopen(demo_archive: Archive):
    ids = set_lang_tallies(demo_archive)
    head = demo_archive.head()
    app = ShupingApp(demo_archive, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6", "n", "n")  # 化学 → 数学 → 外国语
        screen = app.screen
        assert screen.org_id == "lang"
        assert "“好”不超过 2 个（30% × 7 = 2.1，向下取整）" in text_of(screen, "#org")
        assert [s.suggested.value for s in screen.sheet.order] == ["好", "好", "较好", "较好", "较好", "一般", "差"]
        assert screen.sheet.order[2].note == "超出“好”的名额"

        # accept the suggestions, then a third 好: refused with the numbers, nothing committed
        await pilot.press("a", "down", "down", "1", "ctrl+s")
        await settle(pilot)
        assert "好 3 个，上限 2 个（30% × 7 = 2.1，向下取整）" in text_of(screen, "#message")
        assert demo_archive.head() == head

        # give up one 好 instead: two departures from the suggestion now need reasons
        await pilot.press("up", "2", "ctrl+s")
        await settle(pilot)
        message = text_of(screen, "#message")
        assert "最终等次“较好”与建议“好”不同，请填写理由" in message
        assert "最终等次“好”与建议“较好”不同，请填写理由" in message
        assert demo_archive.head() == head

        await pilot.press("r")
        await type_into_editor(pilot, "主动让出名额")
        await pilot.press("down", "r")
        await type_into_editor(pilot, "疫情防控表现突出")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(screen, "#message") == ""
        subject = git_log(demo_archive, "-1")[0]
        assert subject == "测试员|评定：外国语学院党委 7 个党支部的等次（好 2、较好 3、一般 1、差 1）"
        body = demo_archive.git.run("log", "-1", "--format=%b")
        assert "等次 （空） → 较好；建议 （空） → 好；理由：主动让出名额" in body
        saved = review_file(demo_archive, ids[2])["grade"]
        assert saved == {"suggested": "较好", "final": "好", "reason": "疫情防控表现突出"}
        assert len(demo_archive.git.run("show", "--name-only", "--format=", "HEAD").splitlines()) == 7

        # finalise: one commit and a tag on it; the org-year says so
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert finalise_tags(demo_archive, "lang", 2020) == ["finalise/2020/lang/1"]
        assert demo_archive.git.run("rev-list", "-n1", "finalise/2020/lang/1") == demo_archive.head()
        assert git_log(demo_archive, "-1")[0] == "测试员|定档：外国语学院党委2020年度评定（好 2、较好 3、一般 1、差 1）"
        org_year = read_org_year(demo_archive, "lang", 2020).record.grading
        assert (org_year.finalised, org_year.by, org_year.tag) == (True, "测试员", "finalise/2020/lang/1")
        assert "已定档（第1次，2021年1月25日）" in text_of(screen, "#org")  # the tag, read for people
        assert "finalise" not in text_of(screen, "#org")

        # a later edit is refused on screen and by the store, and nothing is committed
        head = demo_archive.head()
        await pilot.press("3")
        await pilot.pause()
        assert "外国语学院党委的评定已定档（第1次，2021年1月25日）" in text_of(screen, "#message")
        assert "不能修改等次" in text_of(screen, "#message")
        assert screen.sheet.edit[ids[2]].grade.final.value == "好"
        stored = load(demo_archive).reviews[ids[3]]
        changed = stored.record.model_copy(update={"components": stored.record.components.model_copy(update={"daily": 99})})
        with pytest.raises(FrozenError, match="不能修改评定输入"):
            save_review(demo_archive, stored, changed, "测试：改日常了解")
        with pytest.raises(StoreError, match="不能修改测评结果"):
            save_review(demo_archive, stored, stored.record.model_copy(update={"tally": None}), "测试：删计票")
        # what finalising does not freeze still saves: feedback
        later = stored.record.model_copy(update={"feedback": stored.record.feedback.model_copy(update={"text": "反馈"})})
        save_review(demo_archive, stored, later, "反馈：测试")
        assert git_log(demo_archive, "-1")[0] == "测试员|反馈：测试"
        head = demo_archive.head()

        # reopen needs a reason: an empty one is not accepted
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "请填写原因" in text_of(app.screen, "#error")
        app.screen.query_one("#answer").value = "更正录入错误"
        await pilot.press("enter")
        await settle(pilot)
        assert git_log(demo_archive, "-1")[0] == "测试员|重新打开评定：外国语学院党委2020年度（更正录入错误）"
        record = demo_archive.read(OrgYear, layout.org_year_path("lang", 2020)).record.grading
        assert record.finalised is False and record.reopen_reasons[0].endswith("测试员：更正录入错误")

        # now the edit goes through
        await pilot.press("3")
        await pilot.pause()
        assert screen.sheet.edit[ids[2]].grade.final.value == "一般"
        assert "已定档" not in text_of(screen, "#org")
    assert isinstance(load(demo_archive).reviews[ids[0]].record, Review)


def test_rollup_and_calibration_are_read_only_views(demo_archive: Archive):
    asyncio.run(rollup_and_calibration(demo_archive))


async def rollup_and_calibration(demo_archive: Archive):
    app = ShupingApp(demo_archive, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        grading = app.screen
        suggested = [s.suggested.value for s in grading.sheet.order]
        finals = [grading.sheet.edit[i].grade.final.value for i in grading.sheet.ids]
        await pilot.press("c")
        await pilot.pause()
        table = app.screen.query_one("#dist")
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert [r[0] for r in rows] == ["好", "较好", "一般", "差", "未定"]
        assert [r[1:4] for r in rows[:4]] == [[str(suggested.count(g)), str(finals.count(g)), str(finals.count(g))]
                                              for g in ("好", "较好", "一般", "差")]
        await pilot.press("escape", "u")
        await pilot.pause()
        rollup = app.screen.query_one("#rollup")
        rows = {str(rollup.get_row_at(i)[0]): [str(c) for c in rollup.get_row_at(i)] for i in range(rollup.row_count)}
        assert rows["化学与材料学院党委"][1:3] == ["12", "3"] and rows["化学与材料学院党委"][-1] == "已定档"
        assert rows["外国语学院党委"][-1] == "未评定"


def test_grading_screen_snapshot(snap_compare, demo_archive: Archive):
    assert snap_compare(ShupingApp(demo_archive, today=TODAY), terminal_size=(80, 24), press=["f6"])


def test_screens_open_on_an_empty_archive(empty_archive: Archive):
    async def run():
        app = ShupingApp(empty_archive, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f6", "1", "ctrl+s", "f", "c", "f1")
            await pilot.pause()
            assert [title for title, _ in help_sections(app.screen.for_screen)] == ["评定", "全局"]
            await pilot.press("escape", "f7", "a", "space", "x", "r")
            await pilot.pause()
            assert [str(c) for c in app.screen.query_one("#rates").get_row_at(0)][:2] == ["合计", "0"]
            await pilot.press("escape")
            assert text_of(app.screen, "#rates") == "没有整改任务（按 a 新增）"
    asyncio.run(run())
    assert git_log(empty_archive) == ["测试员|新建档案：测试大学"]


def test_unsaved_edits_keep_the_organisation_until_saved_or_discarded(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive, today=TODAY)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f6", "n", "n", "1", "n")  # 外国语学院: an unsaved grade, then try to move on
            await pilot.pause()
            screen = app.screen
            assert screen.org_id == "lang" and "有未保存的修改" in text_of(screen, "#message")
            assert "未保存 1 处" in text_of(screen, "#dist")
            await pilot.press("escape", "escape", "n")
            await pilot.pause()
            assert screen.org_id == "mech"
    asyncio.run(run())


def test_demo_chem_shows_every_meeting_score_and_a_readable_finalisation(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f6")
            await settle(pilot)
            screen = app.screen
            assert screen.org_id == "chem"
            table = screen.query_one(DataTable)
            ratings = [str(table.get_row_at(r)[2]) for r in range(table.row_count)]  # 测评
            assert len(ratings) == 12 and all(r not in ("", "—") for r in ratings), ratings
            tallies = [app.snapshot.review(b).record.tally for b in app.snapshot.branches if b in table.rows]
            assert sorted(ratings) == sorted(f"{t.score:.2f}" for t in tallies)  # as the projector reads them
            header = text_of(screen, "#org")
            assert "已定档（第1次，2021年1月21日）" in header and "finalise" not in header
    asyncio.run(run())
