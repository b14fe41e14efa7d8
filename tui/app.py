"""The shuping application: the shell every screen lives in."""

from __future__ import annotations

import gc
import importlib
import os
import time
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable
from zoneinfo import ZoneInfo

from textual import work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.worker import get_current_worker

from schema.dates import today as local_today
from store.errors import StoreError
from tui.keys import GLOBAL, GLOBAL_BINDINGS, REGISTRY
from tui.messages import ArchiveReloaded
from tui.screens.dashboard import DashboardScreen

# Textual's own words the user sees, in Chinese: the open list of a drop-down names its Esc
# key in the footer (bindings are merged when the class is made, hence the second line).

if TYPE_CHECKING:  # the store (git, pydantic) is imported after the first frame
    from store.archive import Archive, Stored
    from store.snapshot import Snapshot


def lazy_screen(module: str, name: str) -> Callable[[], Screen]:
    """A mode's screen whose module is imported when the mode is first shown: the screens
    import the store, spreadsheets and documents, which the first frame does not need."""

    def make() -> Screen:
        return getattr(importlib.import_module(f"tui.screens.{module}"), name)()

    return make


class ShupingApp(App):
    TITLE = "shuping 述评"
    CSS_PATH = "app.tcss"
    BINDINGS = GLOBAL_BINDINGS
    MODES = {
        "dashboard": DashboardScreen,
        "branches": lazy_screen("branches", "BranchBrowserScreen"),
        "problems": lazy_screen("problems", "ProblemsScreen"),
        "meeting": lazy_screen("meeting", "MeetingListScreen"),
        "reports": lazy_screen("reports", "ReportQueueScreen"),
        "reporting": lazy_screen("reporting", "ReportingScreen"),
        "grading": lazy_screen("grading", "GradingScreen"),
        "rectification": lazy_screen("rectification", "RectificationScreen"),
        "campaign": lazy_screen("campaign", "CampaignScreen"),
    }

    def __init__(self, archive: Archive | Callable[[], Archive], today: date | None = None, year: int | None = None):
        """``archive`` is an open archive, read before the first screen is drawn (tests), or a
        function that opens one: the command line passes that, so the dashboard is drawn at
        once and filled in when the archive has been opened and read in the background."""
        super().__init__()
        self.archive: Archive = None  # type: ignore[assignment]  # set before any screen needs it
        self.snapshot: Snapshot | None = None
        self.load_progress = ""  # shown on the dashboard until the first snapshot is there
        self._progress_at = 0.0
        self._opener = archive if callable(archive) else None
        self._commits_since_maintain = 0
        self._head_stamp = 0.0
        self.generation = 0  # counts snapshot changes, so screens of other modes know they are stale
        env_today = os.environ.get("SHUPING_TODAY")
        self._today = today or (date.fromisoformat(env_today) if env_today else None)
        self.year = year  # the campaign open: None follows the archive's current one
        if self._opener is None:
            self._attach(archive)  # type: ignore[arg-type]

    def _attach(self, archive: Archive) -> None:
        self.archive = archive
        archive.after_commit.append(self._count_commit)
        self._head_stamp = self._head_mtime()

    # ------------------------------------------------------------------ clock and data

    def today(self) -> date:
        if self._today:
            return self._today
        tz = self.snapshot.settings.timezone if self.snapshot else "Asia/Shanghai"
        return local_today(tz)

    def now(self) -> datetime:
        """When something happens: the app's today (fixed in the demo and tests) at the wall-clock time."""
        tz = ZoneInfo(self.snapshot.settings.timezone if self.snapshot else "Asia/Shanghai")
        return datetime.combine(self.today(), datetime.now(tz).time().replace(microsecond=0), tz)

    def on_mount(self) -> None:
        if self._opener:
            self.load_progress = "正在打开档案……"
            self.switch_mode("dashboard")
            self.open_in_background()
        else:
            from store.snapshot import load

            self.snapshot = load(self.archive, freeze=True, year=self.year)
            self.switch_mode("dashboard")
            self.notify_read_only()
            self.maintain()
        self.set_interval(3, self._watch_head)

    def on_unmount(self) -> None:
        gc.unfreeze()  # the snapshots are frozen while the app runs (see store.snapshot.load)

    @work(thread=True, exclusive=True, group="reload", exit_on_error=False)
    def open_in_background(self) -> None:
        from store.snapshot import load

        try:
            archive = self._opener()
            self.call_from_thread(self._attach, archive)
            snapshot = load(archive, progress=self._progress, freeze=True, year=self.year)
        except StoreError as e:
            self.call_from_thread(self.exit, None, 2, f"错误：{e}")
            return
        self.call_from_thread(self._set_snapshot, snapshot)
        self.call_from_thread(self.notify_read_only)
        self.call_from_thread(self.maintain)

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None, markup=True) -> None:
        """Every message is plain text: they quote records, paths and store errors
        (“在 access.toml 的 [operators] 中登记”), which markup would silently eat."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def notify_read_only(self) -> None:
        """Say once, on opening, why nothing can be saved here (read-only files, no git)."""
        reason = getattr(self.archive, "read_only", "")
        if reason:
            self.notify(reason, title="只读", severity="warning", timeout=20)

    def action_goto(self, mode: str) -> None:
        if self.snapshot is None:
            self.notify("正在读取档案，请稍候……")
            return
        if not self._leave_overlay():
            return
        self.switch_mode(mode)

    def action_help(self) -> None:
        """F1 opens help for the screen in front; F1 again closes it."""
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.screen))

    def _leave_overlay(self) -> bool:
        """The screen keys are priority bindings, so they reach the app over dialogs too: views
        that hold nothing (help, tables) close; a dialog that may hold typing stays until the
        user finishes or cancels it."""
        screen = self.screen
        if not isinstance(screen, ModalScreen):
            return True
        if getattr(screen, "CLOSE_ON_NAV", False):
            screen.dismiss()
            return self._leave_overlay()  # help over a dialog (or the palette): that one decides
        self.notify("请先完成或关闭当前对话框（Esc 取消）。")
        return False

    def action_sync(self) -> None:
        from tui.screens.sync import SyncScreen

        if isinstance(self.screen, SyncScreen):
            self.screen.again()
        else:
            self.push_screen(SyncScreen())

    def action_reload(self) -> None:
        if self.snapshot is not None:
            self.reload()

    def switch_year(self, year: int) -> None:
        """Open another campaign (a past year's rectification goes on); the archive's current
        campaign stays as it is."""
        self.year = None if self.snapshot and year == self.snapshot.archive_year else year
        self.reload()

    @work(thread=True, exclusive=True, group="reload")
    def reload(self) -> None:
        from store.snapshot import load

        snapshot = load(self.archive, freeze=True, year=self.year)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._set_snapshot, snapshot)

    PROGRESS_EVERY = 0.1  # seconds between progress lines: each waits for the UI thread

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._progress_at < self.PROGRESS_EVERY:
            return
        self._progress_at = now
        self.call_from_thread(self._show_progress, f"正在读取档案……（{done}/{total} 个二级党组织）")

    def _show_progress(self, text: str) -> None:
        if self.snapshot is None:
            self.load_progress = text
            self.screen.post_message(ArchiveReloaded())

    MAINTAIN_EVERY = 200  # commits between commit-graph refreshes

    @work(thread=True, exclusive=True, group="maintain", exit_on_error=False)
    def maintain(self) -> None:
        """Refresh the commit-graph so a record's history stays fast on long histories."""
        try:
            self.archive.maintain()
        except StoreError:
            pass  # only speed is lost; the next start-up tries again

    def _count_commit(self, _sha: str, _paths: list[str]) -> None:
        self._commits_since_maintain += 1
        if self._commits_since_maintain >= self.MAINTAIN_EVERY:
            self._commits_since_maintain = 0
            try:
                self.call_from_thread(self.maintain)
            except RuntimeError:  # already on the app's thread
                self.maintain()

    def _set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.generation += 1
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
        if self.snapshot is None:
            return  # still opening
        stamp = self._head_mtime()
        if stamp != self._head_stamp:
            self._head_stamp = stamp
            self.reload()

    def stored_saved(self, stored: Stored) -> None:
        """Put a record the app just saved into the snapshot, without re-reading the archive."""
        from schema.records import Branch, Campaign, Review

        snap = self.snapshot
        assert snap is not None
        if isinstance(stored.record, Branch):
            snap.branches[stored.record.id] = stored
        elif isinstance(stored.record, Review) and stored.record.year == snap.year:
            snap.reviews[stored.record.branch] = stored
        elif isinstance(stored.record, Campaign):
            snap.campaigns[stored.record.year] = stored
        self.generation += 1
        self._head_stamp = self._head_mtime()
        for screen in self.screen_stack:
            screen.post_message(ArchiveReloaded())

    def save(self, stored: Stored, record, message: str, body: str = "") -> Stored | None:
        """Save and commit from a thread worker (never the UI thread: git takes time).

        Errors become a notification and nothing changes; the screen keeps its edits."""
        from schema.records import Review
        from store.grading import save_review

        try:
            if isinstance(record, Review):  # refuses edits to what a finalised grading froze
                saved = save_review(self.archive, stored, record, message, body, org_name=self._org_name(record.org))
            else:
                saved = self.archive.save(stored, record, message, body)
        except StoreError as e:
            self.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return None
        self.call_from_thread(self._after_save, saved, message)
        return saved

    def _org_name(self, org_id: str) -> str:
        org = self.snapshot.orgs.get(org_id) if self.snapshot else None
        return org.record.name if org else org_id

    def _after_save(self, saved: Stored, message: str) -> None:
        self.stored_saved(saved)
        self.notify(message, title="已保存并提交")

    # ------------------------------------------------------------------ palette

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="输入命令名称查找……"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tui.screens.help import key_label

        scopes = [getattr(screen, "SCOPE", ""), GLOBAL]
        for scope in scopes:
            for action in REGISTRY.get(scope, []):
                if action.action == "app.command_palette":
                    continue
                yield SystemCommand(
                    f"{action.label}（{key_label(action.key)}）",
                    action.help or action.label,
                    lambda a=action, s=screen: self._run_registered(a, s),
                )

    def _run_registered(self, action, screen: Screen):
        """The action's coroutine: the palette awaits what its callback returns."""
        target = action.action
        if target.startswith("app."):
            return self.run_action(target.removeprefix("app."))
        return self.run_action(target, screen)


def archive_title(app: ShupingApp) -> str:
    snap = app.snapshot
    if snap is None:
        return "shuping 述评"
    past = "（往年）" if snap.past_year else ""
    return f"{snap.settings.university} · {snap.campaign.title or f'{snap.year}年度党支部书记述职评议考核'}{past}"


__all__ = ["ShupingApp", "archive_title"]
