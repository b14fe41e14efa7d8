"""Keys typed right after Tab or Enter land in the field that has focus next (tui/typeahead.py),
in the meeting set-up form and the double-entry resolve dialog, typed with no wait between keys."""

from __future__ import annotations

from schema.kinds import BallotStatus
from schema.records import Ballot
from store.ballots import ballot_change
from tests.meeting_archive import meeting_archive
from store.ballots import load_ballots
from tests.test_meeting_tui import sync, type_fast, until, wait_writer
from tui.app import ShupingApp


def keys(text: str) -> list[str]:
    return list(text)


@sync
async def test_setup_form_fields_typed_ahead_over_tab(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "s")
        await until(pilot, lambda: type(app.screen).__name__ == "SetupScreen")
        setup = app.screen
        for field in ("held", "place", "chair"):
            setup.query_one(f"#{field}").value = ""
        await pilot.pause()
        assert app.focused.id == "held"
        await type_fast(pilot, [*keys("2021-01-15"), "tab", *keys("行政楼"), "tab", *keys("王书记")])
        await until(pilot, lambda: setup.query_one("#chair").value == "王书记")
        assert [setup.query_one(f"#{f}").value for f in ("held", "place", "chair")] == ["2021-01-15", "行政楼", "王书记"]
        assert app.focused.id == "chair"

        setup.query_one("#minutes").value = ""
        setup.query_one("#double").focus()  # from a checkbox too
        await pilot.pause()
        await type_fast(pilot, ["tab", "8", "tab", "2"])
        await until(pilot, lambda: setup.query_one("#warn").value.endswith("2"))
        assert setup.query_one("#minutes").value == "8" and app.focused.id == "warn"


@sync
async def test_resolve_dialog_value_and_reason_typed_ahead_over_enter(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=2, ballots=3)
    done = BallotStatus.FINISHED
    keyed = [Ballot(org="o", year=2020, entry=1, serial=1, marks={"b01": "好", "b02": "较好"}, status=done),
             Ballot(org="o", year=2020, entry=2, serial=1, marks={"b01": "好", "b02": "一般"}, status=done)]
    archive.commit([ballot_change(b, None)[0] for b in keyed], "测试：两遍录入")
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "m")
        compare = app.screen
        await until(pilot, lambda: compare.comparison is not None)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ResolveDialog")
        dialog = app.screen
        await type_fast(pilot, ["2", "enter", *keys("核对纸质票")])
        await until(pilot, lambda: dialog.query_one("#reason").value == "核对纸质票")
        assert dialog.query_one("#value").value == "2"
        await type_fast(pilot, ["enter", "escape"])  # the dialog closes on Enter: Esc goes to the screen under it
        await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
        await wait_writer(pilot, app)
    assert [b.record.marks["b02"] for b in (load_ballots(archive, "o", 2020, e)[1] for e in (1, 2))] == ["较好", "较好"]
