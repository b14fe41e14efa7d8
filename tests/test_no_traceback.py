"""No tracebacks (issue 16): every kind of record broken by a hand edit — invalid TOML, and valid
TOML of the wrong shape — committed with plain git, then every command run on the archive. None
may end in a traceback; a command that cannot work exits non-zero naming the file; those that
count figures refuse while a record they count is unreadable.

By default each kind is broken one way (the two ways alternate over the kinds) and ``verify``
(a second each: ``git fsck``) runs on the kinds it once failed on and one more; set
``SHUPING_LONG_FAULTS=1`` to run every kind broken both ways with every command (about a minute)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.archive import Archive
from tests.conftest import OPERATOR
from tui.cli import main

BROKEN = {
    "toml": "x = [\n",  # not TOML
    "shape": "schema_version = 1\nyear = \"abc\"\nunknown = [1]\n",  # TOML, not the record
}
KINDS = {  # one file of each kind in the demo archive
    "settings": "shuping.toml",
    "access": "access.toml",
    "campaign": "campaigns/2020.toml",
    "org": "orgs/chem/org.toml",
    "branch": "orgs/chem/branches/b0001.toml",
    "review": "orgs/chem/2020/reviews/b0001.toml",
    "meeting": "orgs/chem/2020/meeting.toml",
    "ballot": "orgs/chem/2020/ballots/1/0001.toml",
    "org-year": "orgs/chem/2020/org-year.toml",
}
COMMANDS = {
    "check": ["check"],
    "scope": ["scope"],
    "log": ["log", "-n", "3"],
    "status": ["status"],
    "verify": ["verify"],
    "export stats": ["export", "stats", "--json"],
    "export work-report": ["export", "work-report", "--org", "chem", "-o", "{out}/wr.md"],
    "followup-export": ["followup-export", "--org", "chem", "--out", "{out}/followup"],
    "report export": ["report", "export", "--org", "chem", "-o", "{out}/reports.md"],
}
EVERYTHING = set(COMMANDS) - {"log"}  # log reads only git's history
FIGURES = {"status", "export stats", "export work-report", "followup-export"}
MUST_REFUSE = {  # commands that exit non-zero naming the file
    "settings": EVERYTHING,
    "campaign": EVERYTHING,
    "access": {"check", "verify"},
    "ballot": {"check", "verify"},
    "org": {"check", "verify", "report export"} | FIGURES,
    "branch": {"check", "verify"} | FIGURES,
    "review": {"check", "verify"} | FIGURES,
    "meeting": {"check", "verify"} | FIGURES,
    "org-year": {"check", "verify"} | FIGURES,
}
LONG = bool(os.environ.get("SHUPING_LONG_FAULTS"))
VERIFIED = set(KINDS) if LONG else {"settings", "campaign", "ballot", "branch"}
CASES = [(kind, shape) for n, kind in enumerate(KINDS) for shape in BROKEN
         if LONG or shape == list(BROKEN)[n % 2]]


def break_record(archive: Archive, rel: str, text: str) -> None:
    """A hand edit, committed with plain git (an uncommitted one is set aside on opening)."""
    (archive.root / rel).write_text(text)
    archive.git.run("add", "--", rel)
    archive.git.run("commit", "-qm", "手工修改")


def run(archive: Archive, args: list[str], out: Path):
    args = [a.replace("{out}", str(out)) for a in args]
    return CliRunner().invoke(main, ["--archive", str(archive.root), "--operator", OPERATOR, *args])


@pytest.mark.parametrize("kind,shape", CASES)
def test_every_command_names_a_broken_record(demo_archive: Archive, tmp_path: Path, kind: str, shape: str):
    rel = KINDS[kind]
    break_record(demo_archive, rel, BROKEN[shape])
    head = demo_archive.git.run("rev-parse", "HEAD")
    for name, args in COMMANDS.items():
        if name == "verify" and kind not in VERIFIED:
            continue
        out = tmp_path / name.replace(" ", "-")
        out.mkdir()
        result = run(demo_archive, args, out)
        said = result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, said, result.exception)
        assert "Traceback" not in said, (name, said)
        if name in MUST_REFUSE[kind]:
            assert result.exit_code != 0 and rel in said, (name, result.exit_code, said)
        elif result.exit_code != 0:
            assert rel in said, (name, said)
        if name in FIGURES & MUST_REFUSE[kind] and kind not in ("settings", "campaign", "org"):  # org: none to count
            assert result.exit_code == 1 and "统计不完整" in said, (name, said)  # refused, not failed
            assert not any(out.iterdir()), name  # nothing written
    assert demo_archive.git.run("rev-parse", "HEAD") == head


def test_allow_incomplete_exports_marked_in_their_titles(demo_archive: Archive, tmp_path: Path):
    import json

    import docx
    import openpyxl

    break_record(demo_archive, KINDS["branch"], BROKEN["toml"])
    stats = run(demo_archive, ["export", "stats", "--json", "-o", str(tmp_path / "t.xlsx"), "--allow-incomplete"], tmp_path)
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["incomplete"] == [KINDS["branch"]]
    title = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]["A1"].value
    assert title.endswith("（统计不完整：1 个记录无法读取）")
    report = run(demo_archive, ["export", "work-report", "--org", "chem", "-o", str(tmp_path / "wr.md"), "--allow-incomplete"],
                 tmp_path)
    assert report.exit_code == 0, report.output
    assert "（统计不完整：1 个记录无法读取）" in (tmp_path / "wr.md").read_text().splitlines()[0]
    followup = run(demo_archive, ["followup-export", "--org", "chem", "--out", str(tmp_path / "f"), "--allow-incomplete"], tmp_path)
    assert followup.exit_code == 0, followup.output
    for path in sorted((tmp_path / "f").glob("*.docx")):
        first = next(p.text for p in docx.Document(str(path)).paragraphs if p.text.strip())
        assert first.endswith("（统计不完整：1 个记录无法读取）"), (path.name, first)
    status = run(demo_archive, ["status", "--json", "--allow-incomplete"], tmp_path)
    assert status.exit_code == 0 and json.loads(status.stdout)["incomplete"] == [KINDS["branch"]]
    # another organisation's figures do not count chem's records: exported as they are
    other = run(demo_archive, ["export", "stats", "--json", "--org", "math"], tmp_path)
    assert other.exit_code == 0 and json.loads(other.stdout)["incomplete"] == []


# ---------------------------------------------------------------- the screens


def test_every_screen_opens_on_an_archive_with_broken_records(demo_archive: Archive):
    """Records of every kind but the settings and the campaign (see below) broken at once; F2–F10
    each open without an exception; the dashboard and F8 say the figures are incomplete."""
    from textual.widgets import Static

    from tests.test_key_walk import NAV_KEYS, settle
    from tui.app import ShupingApp

    broken = ["access", "branch", "review", "meeting", "ballot"]
    for n, kind in enumerate(broken):
        (demo_archive.root / KINDS[kind]).write_text(list(BROKEN.values())[n % 2])
    (demo_archive.root / "orgs/lib/org.toml").write_text(BROKEN["shape"])
    (demo_archive.root / "orgs/math/2020/org-year.toml").write_text(BROKEN["toml"])
    demo_archive.git.run("add", "-A")
    demo_archive.git.run("commit", "-qm", "手工修改")

    async def walk():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            warning = str(app.screen.query_one("#problems", Static).render())
            assert "统计不完整" in warning and "按 F10 查看" in warning, warning
            for key in NAV_KEYS:
                await pilot.press(key)
                await settle(app, pilot)
                assert app.return_code is None, key
                if key == "f8":
                    line = app.screen.query_one("#incomplete", Static)
                    assert line.display and str(line.render()) == warning
        assert app.return_code is None

    asyncio.run(walk())


@pytest.mark.parametrize("kind", ["settings", "campaign"])
def test_the_app_says_which_file_stops_it_opening(demo_archive: Archive, kind: str, capsys):
    """Without the settings or the year's campaign nothing can be shown: the app ends with the
    file named, as the command line does."""
    from store.service import Service
    from tui.app import ShupingApp

    break_record(demo_archive, KINDS[kind], BROKEN["toml"])
    root = demo_archive.root

    async def start():
        app = ShupingApp(lambda: Service.open(root, OPERATOR))
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(1200):  # until the background opening ends the app (a condition, not a time)
                if app.return_code is not None:
                    break
                await pilot.pause(0.05)
        return app

    app = asyncio.run(start())
    assert app.return_code == 2
    said = capsys.readouterr().err  # the app prints its exit message on leaving
    assert KINDS[kind] in said and "Traceback" not in said
