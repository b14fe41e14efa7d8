"""Every screen survives its own keys: from a cold app, open a screen, press what its footer
and its help list, then Enter, Esc and Tab on whatever opens; the app must still answer."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Select

from store.archive import Archive
from tests.conftest import OPERATOR
from tui.app import ShupingApp
from tui.dialogs import UnsavedDialog
from tui.keys import GLOBAL, NAV_PREFIX, REGISTRY
from tui.screens.dashboard import DashboardScreen

# Actions never pressed, by the action they run (the key may change)
SKIPPED = {
    "app.quit": "leaves the app",
    "external": "runs $EDITOR in a blocking subprocess, the app suspended (述职报告编辑 Ctrl+O)",
}
GLOBALS = REGISTRY[GLOBAL]
NAV_KEYS = [a.key for a in GLOBALS if a.action.startswith(NAV_PREFIX)]  # F2…F10
OPENERS = ["f1", *NAV_KEYS, "ctrl+y"]  # F1 help and Ctrl+Y sync (no remote: fails at once)
SIZES = [(80, 24), (120, 40)]


WORK_TIMEOUT = 30  # seconds a key's background work may take before the walk calls it a hang


async def settle(app: ShupingApp, pilot) -> None:
    await asyncio.wait_for(app.workers.wait_for_complete(), WORK_TIMEOUT)
    await pilot.pause()


def walk_keys(screen: Screen) -> list[str]:
    """The keys the screen's footer and its F1 help list: its registered actions (a dialog's own
    bindings), the focused widget's shown bindings, the footer's, and the global keys that are no
    F-key (those leave the screen; the random walk presses them). Skipped actions left out."""
    pairs = [(a.key, a.action) for a in REGISTRY.get(getattr(screen, "SCOPE", ""), [])]
    pairs += [(b.key, b.action) for _, b in screen._bindings if b.show]  # a dialog's own, as help lists them
    for node in screen.focused.ancestors_with_self if screen.focused else []:
        if node is screen:
            break
        pairs += [(b.key, b.action) for _, b in node._bindings if b.show and b.description]
    pairs += [(key, active.binding.action) for key, active in screen.active_bindings.items() if active.binding.show]
    # Ctrl+Y does the same over every screen: its own walk (OPENERS) covers it
    pairs += [(a.key, a.action) for a in GLOBALS if not a.action.startswith(NAV_PREFIX) and a.action != "app.sync"]
    keys: list[str] = []
    for key, action in pairs:
        if action.removeprefix("screen.") in SKIPPED:
            continue
        for k in key.split(","):
            if k.strip() and k.strip() not in keys and k.strip() not in NAV_KEYS:
                keys.append(k.strip())
    return keys


class Walker:
    """Presses keys one at a time, remembering them, so a crash names the way it was reached."""

    def __init__(self, app: ShupingApp, pilot) -> None:
        self.app, self.pilot = app, pilot
        self.trail: list[str] = []

    async def press(self, key: str) -> None:
        self.trail.append(key)
        await self.pilot.press(key)
        await settle(self.app, self.pilot)
        if self.app.return_code is not None:  # the exception itself is raised when run_test ends
            raise AssertionError(f"the app ended after {' '.join(self.trail)} on {self.app.screen!r}")

    async def back_to(self, home: Screen, opener: str) -> Screen:
        """Esc until ``home`` is in front again; open it afresh if it was closed (help, sync) or
        another mode is in front (F-key back to it, then Esc out of what is open over it)."""
        for _ in range(8):
            if self.app.screen is home:
                break
            if home in self.app.screen_stack or len(self.app.screen_stack) > 1:
                await self.press(self.out_key())
            else:
                await self.press(opener)
                if opener not in NAV_KEYS:  # a new help or sync screen
                    home = self.app.screen
        return home

    async def answers(self) -> None:
        """Out of whatever is open, F2 and Esc show the dashboard with its title (a screen opened
        over the dashboard, as sync, stays in its mode: Esc closes it)."""
        await self.escape_all()
        await self.press("f2")
        await self.escape_all()
        screen = self.app.screen
        assert isinstance(screen, DashboardScreen), f"F2 after {' '.join(self.trail)} shows {screen!r}"
        assert str(screen.query_one("#title").render()).startswith("概览")

    async def escape_all(self) -> None:
        for _ in range(6):
            if len(self.app.screen_stack) == 1:
                break
            await self.press(self.out_key())

    def out_key(self) -> str:
        """Esc, but on the 保存 / 放弃 / 取消 question (the walk typed into a form) 放弃: Esc there stays."""
        return "d" if isinstance(self.app.screen, UnsavedDialog) else "escape"


def test_enter_on_the_dashboard_opens_the_organisations_branches_from_a_cold_start(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            org = app.snapshot.sorted_orgs()[0].id
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.current_mode == "branches"
            assert app.screen.query_one("#org", Select).value == org
            assert app.screen._found and {row.org for row in app.screen._found} == {org}

    asyncio.run(run())


def test_enter_on_the_dashboard_filters_the_browser_under_an_open_branch(demo_archive: Archive):
    """F3, open a branch, F2, Enter on an organisation: the browser under the branch form is
    filtered (the form stays where the user left it), rather than the form being asked to filter."""

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("f3")
            await settle(app, pilot)
            browser = app.screen
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen is not browser
            await pilot.press("f2")
            await settle(app, pilot)
            org = app.snapshot.sorted_orgs()[1].id
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert app.current_mode == "branches"
            assert browser.query_one("#org", Select).value == org

    asyncio.run(run())


@pytest.fixture(params=["demo", "empty"])
def walk_archive(request, tmp_path: Path, monkeypatch) -> Archive:
    """A tmp copy of the demo, or a fresh empty archive; the working folder is a tmp one too, so
    an export confirmed with Enter writes there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EDITOR", "true")  # in case a key reaches the external editor after all
    if request.param == "demo":
        return request.getfixturevalue("demo_archive")
    return Archive.init(tmp_path / "empty", "测试大学", OPERATOR)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("opener", OPENERS)
def test_every_key_of_a_screen_and_of_what_it_opens(walk_archive: Archive, opener: str, size):
    async def run():
        app = ShupingApp(walk_archive)
        async with app.run_test(size=size) as pilot:
            walker = Walker(app, pilot)
            await settle(app, pilot)
            await walker.press(opener)
            home = app.screen
            for key in walk_keys(home):
                home = await walker.back_to(home, opener)
                await walker.press(key)
                if app.screen is not home and home in app.screen_stack:  # a screen or dialog opened over it
                    for extra in ("enter", "escape", "tab"):
                        await walker.press(extra)
            await walker.answers()

    asyncio.run(run())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_walk_over_the_f_keys_and_the_screen_keys(
    demo_archive: Archive, tmp_path: Path, monkeypatch, seed: int
):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(seed)

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=SIZES[seed % 2]) as pilot:
            walker = Walker(app, pilot)
            await settle(app, pilot)
            for _ in range(60):
                await walker.press(rng.choice([*OPENERS, *walk_keys(app.screen), "enter", "escape", "tab"]))
            await walker.answers()

    asyncio.run(run())


def test_a_screen_key_over_help_over_the_palette_leaves_neither_behind(demo_archive: Archive):
    """Ctrl+P, F1, F6 once closed the help and switched screens with the palette still open
    under it; the next Ctrl+P elsewhere then crashed (DuplicateIds '--command-palette')."""

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+p", "f1", "f6")
            await settle(app, pilot)
            assert app.current_mode == "dashboard" and app.screen.has_class("--textual-command-palette")
            await pilot.press("escape", "f6", "ctrl+p")
            await settle(app, pilot)
            assert app.current_mode == "grading" and app.screen.has_class("--textual-command-palette")

    asyncio.run(run())
