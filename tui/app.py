"""The shuping application: the shell every screen lives in."""

from __future__ import annotations

import os
from datetime import date
from typing import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import get_current_worker

from schema.dates import today as local_today
from store.archive import Archive, Stored
from store.errors import StoreError
from store.snapshot import Snapshot, load
from tui.keys import GLOBAL, GLOBAL_BINDINGS, REGISTRY
from tui.messages import ArchiveReloaded
from tui.screens.branches import BranchBrowserScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.help import HelpScreen
from tui.screens.meeting import MeetingListScreen
from tui.screens.problems import ProblemsScreen


class ShupingApp(App):
    TITLE = "shuping 述评"
    CSS_PATH = "app.tcss"
    BINDINGS = GLOBAL_BINDINGS
    MODES = {
        "dashboard": DashboardScreen,
        "branches": BranchBrowserScreen,
        "problems": ProblemsScreen,
        "meeting": MeetingListScreen,
    }

    def __init__(self, archive: Archive, today: date | None = None):
        super().__init__()
        self.archive = archive
        self.snapshot: Snapshot | None = None
        env_today = os.environ.get("SHUPING_TODAY")
        self._today = today or (date.fromisoformat(env_today) if env_today else None)
        self._head_stamp = self._head_mtime()

    # ------------------------------------------------------------------ clock and data

    def today(self) -> date:
        if self._today:
            return self._today
        tz = self.snapshot.settings.timezone if self.snapshot else "Asia/Shanghai"
        return local_today(tz)

    def on_mount(self) -> None:
        self.snapshot = load(self.archive)
        self.switch_mode("dashboard")
        self.set_interval(3, self._watch_head)

    def action_goto(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="reload")
    def reload(self) -> None:
        snapshot = load(self.archive)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._set_snapshot, snapshot)

    def _set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._head_stamp = self._head_mtime()
        for screen in self.screen_stack:
            screen.post_message(ArchiveReloaded())

    def _head_mtime(self) -> float:
        """Cheap change detection: other users' commits move the branch ref."""
        try:
            head = (self.archive.git.git_dir / "HEAD").read_text().strip()
            ref = head.removeprefix("ref: ") if head.startswith("ref: ") else "HEAD"
            path = self.archive.git.git_dir / ref
            return path.stat().st_mtime if path.exists() else (self.archive.git.git_dir / "packed-refs").stat().st_mtime
        except OSError:
            return 0.0

    def _watch_head(self) -> None:
        stamp = self._head_mtime()
        if stamp != self._head_stamp:
            self._head_stamp = stamp
            self.reload()

    def stored_saved(self, stored: Stored) -> None:
        """Put a record the app just saved into the snapshot, without re-reading the archive."""
        from schema.records import Branch, Review

        snap = self.snapshot
        assert snap is not None
        if isinstance(stored.record, Branch):
            snap.branches[stored.record.id] = stored
        elif isinstance(stored.record, Review) and stored.record.year == snap.year:
            snap.reviews[stored.record.branch] = stored
        self._head_stamp = self._head_mtime()
        for screen in self.screen_stack:
            screen.post_message(ArchiveReloaded())

    def save(self, stored: Stored, record, message: str, body: str = "") -> Stored | None:
        """Save and commit from a thread worker (never the UI thread: git takes time).

        Errors become a notification and nothing changes; the screen keeps its edits."""
        try:
            saved = self.archive.save(stored, record, message, body)
        except StoreError as e:
            self.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return None
        self.call_from_thread(self._after_save, saved, message)
        return saved

    def _after_save(self, saved: Stored, message: str) -> None:
        self.stored_saved(saved)
        self.notify(message, title="已保存并提交")

    # ------------------------------------------------------------------ palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        scopes = [GLOBAL, getattr(screen, "SCOPE", "")]
        for scope in scopes:
            for action in REGISTRY.get(scope, []):
                yield SystemCommand(
                    f"{action.label}（{action.key}）",
                    action.help or action.label,
                    lambda a=action, s=screen: self._run_registered(a, s),
                )

    def _run_registered(self, action, screen: Screen) -> None:
        target = action.action
        if target.startswith("app."):
            self.run_action(target.removeprefix("app."))
        else:
            self.run_action(target, screen)


def archive_title(app: ShupingApp) -> str:
    snap = app.snapshot
    if snap is None:
        return "shuping 述评"
    return f"{snap.settings.university} · {snap.campaign.title or f'{snap.year}年度党支部书记述职评议考核'}"


__all__ = ["ShupingApp", "archive_title"]
