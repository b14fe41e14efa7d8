"""The keying screen's 已存草稿 follows the draft's real state: the drafts' thread reports each
version once it is written and fsynced, and until then the status line says 正在存草稿."""

from __future__ import annotations

import threading

import store.writer
from schema.records import Ballot
from store import layout
from tests.meeting_archive import meeting_archive
from tests.test_keying_faults import open_keying, status, sync, until
from tui.app import ShupingApp


def slowed(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Draft writes block until ``release`` is set; ``writing`` is set when one has started."""
    writing, release = threading.Event(), threading.Event()
    real = store.writer.atomic_write

    def slow_write(path, data, mode=0o660):
        if "drafts" in str(path):
            writing.set()
            release.wait(30)
        real(path, data, mode)

    monkeypatch.setattr(store.writer, "atomic_write", slow_write)
    return writing, release


def test_versions_are_reported_once_on_disk(tmp_path, monkeypatch):
    archive = meeting_archive(tmp_path / "a", secretaries=2, ballots=2)
    writing, release = slowed(monkeypatch)
    drafts = store.writer.DraftWriter(archive)
    reported: list[int] = []
    drafts.on_saved = reported.append
    path = layout.draft_path("o", 2020, 1)
    drafts.put(path, Ballot(org="o", year=2020, entry=1, serial=1, marks={"b01": "好"}))
    assert writing.wait(10)
    drafts.put(path, Ballot(org="o", year=2020, entry=1, serial=1, marks={"b01": "好", "b02": "差"}))
    assert drafts.version == 2 and not drafts.saved(1) and reported == []
    release.set()
    assert drafts.flush(10)
    assert drafts.saved(2) and reported == [2]  # one report once both are written, none for the first alone
    assert "差" in (archive.root / path).read_text()


@sync
async def test_status_says_saving_until_the_draft_is_on_disk(tmp_path, monkeypatch):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=2, double_entry=False)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_keying(pilot, app)
        writing, release = slowed(monkeypatch)
        await pilot.press("1")
        assert writing.wait(10)
        for _ in range(5):  # held for as long as the write is
            await pilot.pause(0.05)
            assert "正在存草稿" in status(app) and "已存草稿" not in status(app), status(app)
        release.set()
        await until(pilot, lambda: "已存草稿" in status(app))
        assert "正在存草稿" not in status(app)
        assert "好" in (archive.root / layout.draft_path("o", 2020, 1)).read_text()
