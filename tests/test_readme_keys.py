"""The README says what the app does: its key tables list, per screen, exactly the keys, names
and descriptions F1 shows (one registry, ``tui.keys.REGISTRY``, with the default keymap), and
its .gitignore names the folder the demo is really built in.

After changing a key, regenerate the tables with ``SHUPING_WRITE_README_KEYS=1`` and this test.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from pathlib import Path

from textual.binding import Binding

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- keys:begin (tests/test_readme_keys.py) -->", "<!-- keys:end -->"


def registry() -> dict[str, list[tuple[str, str, str]]]:
    """Scope → (keys as F1 shows them, name, what it does), for every screen of the app."""
    import tui.app  # noqa: F401  (the global keys)
    import tui.screens
    from tui.keys import GLOBAL, REGISTRY, key_display

    for module in pkgutil.iter_modules(tui.screens.__path__):
        importlib.import_module(f"tui.screens.{module.name}")
    scopes = [GLOBAL, *sorted(s for s in REGISTRY if s != GLOBAL)]
    return {
        scope: [(" / ".join(key_display(Binding(k.strip(), "")) for k in a.key.split(",")), a.label, a.help)
                for a in REGISTRY[scope]]
        for scope in scopes
    }


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def tables(keys: dict[str, list[tuple[str, str, str]]]) -> str:
    lines = [BEGIN]
    for scope, rows in keys.items():
        lines += ["", f"#### {scope}", "", "| 按键 | 名称 | 作用 |", "|---|---|---|"]
        lines += [f"| {cell(k)} | {cell(n)} | {cell(w)} |" for k, n, w in rows]
    return "\n".join([*lines, "", END])


def parse(readme: str) -> dict[str, list[tuple[str, str, str]]]:
    """The README's key tables: #### scope, then | 按键 | 名称 | 作用 | rows."""
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    parsed: dict[str, list[tuple[str, str, str]]] = {}
    scope = None
    for line in block.splitlines():
        if line.startswith("#### "):
            scope = line[5:].strip()
            parsed[scope] = []
        elif line.startswith("| ") and not line.startswith("| 按键") and scope:
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            parsed[scope].append(tuple(cells))  # type: ignore[arg-type]
    return parsed


def test_the_readme_key_tables_are_what_f1_shows():
    text = README.read_text(encoding="utf-8")
    keys = registry()
    if os.environ.get("SHUPING_WRITE_README_KEYS"):
        start, end = text.index(BEGIN), text.index(END) + len(END)
        README.write_text(text[:start] + tables(keys) + text[end:], encoding="utf-8")
        text = README.read_text(encoding="utf-8")
    written = parse(text)
    assert set(written) == set(keys), "screens missing from the README or no longer in the app"
    for scope, rows in keys.items():
        assert written[scope] == rows, f"README's keys of {scope} differ from F1's"


def test_the_help_screen_lists_the_same_keys(demo_archive):
    """What F1 draws for a screen is the registry the README is checked against."""
    import asyncio

    from tui.app import ShupingApp
    from tui.screens.help import help_sections

    async def run() -> None:
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in ("f6", "f9"):
                await pilot.press(key)
                await pilot.pause()
                scope = app.screen.SCOPE
                shown = {(r.label, r.name, r.what) for _, rows in help_sections(app.screen) for r in rows}
                assert set(registry()[scope]) <= shown, scope

    asyncio.run(run())


def test_gitignore_names_the_demo_folder():
    from tui.cli import DEMO_DEFAULT

    ignored = (README.parent / ".gitignore").read_text().splitlines()
    assert f"/{DEMO_DEFAULT}/" in ignored
