"""The one parser for dates as people write them (schema.dates.parse_date), and the F5 set-up using it."""

from __future__ import annotations

from datetime import date

import pytest

from schema.dates import DateError, NoSuchDay, form_date, parse_date

JAN_15 = date(2021, 1, 15)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021-01-15", JAN_15),
        ("2021-1-15", JAN_15),
        ("2021/1/15", JAN_15),
        ("2021/01/15", JAN_15),
        ("2021.1.15", JAN_15),
        ("2021年1月15日", JAN_15),
        ("2021年01月15日", JAN_15),
        ("2021年1月15", JAN_15),
        ("2021年1月15号", JAN_15),
        ("20210115", JAN_15),
        ("２０２１年１月１５日", JAN_15),  # full-width digits
        ("２０２１－０１－１５", JAN_15),
        ("２０２１／１／１５", JAN_15),
        ("２０２１．１．１５", JAN_15),
        ("２０２１０１１５", JAN_15),
        (" 2021 年 1 月 15 日　", JAN_15),  # half- and full-width spaces
        ("\u30002021 - 01 - 15\u3000", JAN_15),
        ("2020-02-29", date(2020, 2, 29)),
        ("", None),
        ("   ", None),
        ("\u3000", None),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("2021年2月30日", "没有这一天：2021年2月30日"),
        ("2021-02-30", "没有这一天：2021年2月30日"),
        ("２０２１－０２－３０", "没有这一天：2021年2月30日"),
        ("2021-02-29", "没有这一天：2021年2月29日"),
        ("2021/13/1", "没有这一天：2021年13月1日"),
        ("2021.4.31", "没有这一天：2021年4月31日"),
        ("20210132", "没有这一天：2021年1月32日"),
        ("2021-00-10", "没有这一天：2021年0月10日"),
    ],
)
def test_impossible_days(text, message):
    with pytest.raises(NoSuchDay) as e:
        parse_date(text)
    assert str(e.value) == message


@pytest.mark.parametrize(
    "text, shown",
    [
        ("1月15日", "1月15日"),
        ("明天", "明天"),
        ("2021/1-15", "2021/1-15"),  # mixed separators
        ("21-1-15", "21-1-15"),
        ("2021-01-15 09:00", "2021-01-15 09:00"),
        ("2021115", "2021115"),
        ("2021年1月", "2021年1月"),
        ("2021 1 15", "2021 1 15"),
        ("　去年五月　", "去年五月"),  # shown as typed, without the surrounding spaces
        ("٢٠٢١-٠١-١٥", "٢٠٢١-٠١-١٥"),  # other scripts' digits are not taken for ours
    ],
)
def test_not_a_date(text, shown):
    with pytest.raises(DateError) as e:
        parse_date(text)
    assert not isinstance(e.value, NoSuchDay)
    assert str(e.value) == f"“{shown}”不是日期，可写作 2021-01-15 或 2021年1月15日"


def test_errors_are_value_errors():
    """Callers that only know ValueError (forms, validators) still catch both."""
    assert issubclass(DateError, ValueError) and issubclass(NoSuchDay, DateError)


def test_setup_screen_takes_a_chinese_date(tmp_path):
    import asyncio

    from store.meeting import load_meeting
    from tests.meeting_archive import meeting_archive
    from tui.app import ShupingApp

    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10)
    app = ShupingApp(archive)

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f5", "enter", "s")
            held = app.screen.query_one("#held")
            held.value = ""
            await pilot.press(*"2021年2月30日", "ctrl+s")
            error = str(app.screen.query_one("#held-error").render())
            assert error == "没有这一天：2021年2月30日"  # under the date field
            assert str(app.screen.query_one("#error").render()).startswith("有 1 处填写错误")
            held.value = ""
            await pilot.press(*"2021年1月15日", "ctrl+s")  # the archive's own date, typed the Chinese way
            assert str(app.screen.query_one("#error").render()) == ""
            assert app.screen.read_form()[0].held == JAN_15
            held.value = ""
            await pilot.press(*"２０２１年１月１８日", "ctrl+s")
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            assert str(app.screen.query_one("#error").render()) == ""

    asyncio.run(run())
    assert load_meeting(archive, "o", 2020).record.held == date(2021, 1, 18)


def test_form_date_leaves_what_is_not_a_date_for_validation():
    assert form_date("2019年5月12日") == date(2019, 5, 12)
    assert form_date("") is None
    assert form_date("2019年2月30日") == "2019年2月30日"


def test_branch_screen_takes_a_chinese_founding_date(demo_archive):
    import asyncio

    from textual.widgets import Input

    from tui.app import ShupingApp
    from tui.screens.branch import BranchScreen

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(BranchScreen("b0001"))
            await pilot.pause()
            app.screen.query_one("#founded", Input).value = "２０１９年５月１２日"
            app.screen.query_one("#last_election", Input).value = "2020.11.3"
            branch = app.screen.validate_form()
            assert (branch.founded, branch.last_election) == (date(2019, 5, 12), date(2020, 11, 3))
            app.screen.query_one("#founded", Input).value = "去年"
            assert app.screen.validate_form() is None

    asyncio.run(run())
