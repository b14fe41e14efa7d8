"""Nothing a user must read is cut at 80×24 (and at 60×20): long branch names stay told apart
(cut in the middle), another year's dates fit their column, F6's refusals stand in its own
message line (no notification over the table), F9's report sections and F10's paths and
messages wrap."""

from __future__ import annotations

from datetime import date

import pytest

from schema.records import Feedback
from store.archive import Archive
from store.snapshot import load
from tests.test_campaign import _settle

NUMERALS = "一二三四五六七八九十"


def long_names(archive: Archive) -> None:
    """Every branch of 化学与材料学院 gets a name that differs from the next only near its end."""
    snap = load(archive)
    for n, branch in enumerate(sorted(snap.org_branches("chem"), key=lambda b: b.id)):
        stored = snap.branches[branch.id]
        number = NUMERALS[n] if n < 10 else f"十{NUMERALS[n - 10]}"
        archive.save(stored, stored.record.model_copy(update={"name": f"硕士研究生第{number}党支部"}), "改名")


def keys(*pressed: str):
    async def run(pilot) -> None:
        for key in pressed:
            await pilot.press(key)
            await _settle(pilot)

    return run


def test_fit_name_keeps_the_distinguishing_tail():
    from rich.cells import cell_len

    from tui.cells import fit_name

    assert fit_name("学生第三党支部", 14) == "学生第三党支部"
    assert fit_name("硕士研究生第一党支部", 14) == "硕士研究生第一"
    assert fit_name("机械工程学院本科生第一党支部", 14) == "机械…科生第一"
    assert fit_name("机械工程学院本科生第二党支部", 14) == "机械…科生第二"
    assert fit_name("计算机学院2019级本科生第十二党支部", 10) == "计…第十二"
    assert all(cell_len(fit_name("计算机学院2019级本科生第十二党支部", w)) <= w for w in range(4, 30))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_f6_long_names_and_the_quota_refusal(demo_archive: Archive, snap_compare, size):
    from tui.app import ShupingApp

    long_names(demo_archive)
    # 外国语学院 (n n): a third 好 over its cap of 2 is refused on the message line, not in a notification
    press = ["f6"] if size == (60, 20) else ["f6", "n", "n", "a", "down", "down", "1", "down", "1", "ctrl+s"]
    assert snap_compare(ShupingApp(demo_archive, today=date(2021, 1, 20)), terminal_size=size, run_before=keys(*press))


def test_f7_long_names(demo_archive: Archive, snap_compare):
    from tui.app import ShupingApp

    long_names(demo_archive)
    assert snap_compare(ShupingApp(demo_archive, today=date(2021, 1, 20)), terminal_size=(80, 24), run_before=keys("f7"))


def test_f6_followup_dates_of_another_year(demo_archive: Archive, snap_compare):
    from tui.app import ShupingApp

    snap = load(demo_archive)
    first = sorted(b.id for b in snap.org_branches("chem"))[0]
    stored = snap.review(first)
    feedback = Feedback(text=stored.record.feedback.text, delivered=date(2020, 12, 30))
    demo_archive.save(stored, stored.record.model_copy(update={"feedback": feedback}), "反馈")
    assert snap_compare(ShupingApp(demo_archive, today=date(2021, 1, 20)), terminal_size=(80, 24),
                        run_before=keys("f6", "v"))


def test_f9_report_sections_in_full_at_60x20(demo_archive: Archive, snap_compare):
    from tui.app import ShupingApp

    async def run(pilot) -> None:
        await keys("f9")(pilot)
        pilot.app.screen.query_one("#sections").focus()
        pilot.app.screen.query_one("#sections").cursor_blink = False
        pilot.app.screen.query_one("#sections-line").scroll_visible(animate=False)
        await _settle(pilot)

    assert snap_compare(ShupingApp(demo_archive), terminal_size=(60, 20), run_before=run)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_f10_paths_and_messages_wrap(demo_archive: Archive, snap_compare, size):
    from tui.app import ShupingApp

    path = demo_archive.root / "orgs/chem/branches/b0001.toml"
    path.write_text(path.read_text() + "members = = 3\n")
    assert snap_compare(ShupingApp(demo_archive), terminal_size=size, run_before=keys("f10"))
