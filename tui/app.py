"""The shuping application: the shell every screen lives in."""

from __future__ import annotations

import gc
import importlib
import os
import time
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.reactive import var
from textual.worker import get_current_worker

from schema.clock import Clock
from store.errors import StoreError
from tui.keymap import load_keymap
from tui.palette import Palette
from tui.keys import GLOBAL, GLOBAL_BINDINGS, REGISTRY, key_display, keys_label, keys_of
from tui.messages import LoadProgress
from tui.typeahead import TypeAhead
from tui.screens.dashboard import DashboardScreen

# Textual's own words the user sees, in Chinese: the open list of a drop-down names its Esc
# key in the footer (bindings are merged when the class is made, hence the second line).

if TYPE_CHECKING:  # the store (git, pydantic) is imported after the first frame
    from store.archive import Archive, Stored
    from store.service import Service
    from store.snapshot import Snapshot

T = TypeVar("T")


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
        "reporting": lazy_screen("sendup", "SendUpScreen"),
        "grading": lazy_screen("grading", "GradingScreen"),
        "rectification": lazy_screen("rectification", "RectificationScreen"),
        "campaign": lazy_screen("campaign", "CampaignScreen"),
    }

    # the one source of truth: the service's latest snapshot; screens watch it and redraw
    snapshot: var[Snapshot | None] = var(None, init=False)

    def __init__(self, source: Service | Archive | Callable[[], Service | Archive], today: date | None = None,
                 year: int | None = None, clock: Clock | None = None):
        """``source`` is the service (or an open archive) read before the first screen is drawn
        (tests), or a function that opens one: the command line passes that, so the dashboard
        is drawn at once and filled in when the archive has been opened and read in the background."""
        super().__init__()
        self.service: Service = None  # type: ignore[assignment]  # set before any screen needs it
        self.load_progress = ""  # shown on the dashboard until the first snapshot is there
        self._progress_at = 0.0
        self._opener = source if callable(source) else None
        self._clock = clock or Clock.from_env(os.environ)
        if today:
            self._clock = replace(self._clock, fixed_today=today)
        self.year = year  # the campaign open: None follows the archive's current one
        self._typeahead = TypeAhead(self, super().on_event)
        if self._opener is None:
            self._attach(source)  # type: ignore[arg-type]

    def _attach(self, source: Service | Archive) -> None:
        from store.service import Service

        service = source if isinstance(source, Service) else Service(source, self._clock, self.year)
        service.on_maintain = lambda: self.call_from_thread(self.maintain)
        self.service = service

    @property
    def archive(self) -> Archive:
        """The service's archive (for what has no intent yet)."""
        return self.service.archive

    # ------------------------------------------------------------------ clock and data

    def today(self) -> date:
        return (self.service.clock if self.service else self._clock).today()

    def now(self) -> datetime:
        """When something happens: the app's today (fixed in the demo and tests) at the wall-clock time."""
        return (self.service.clock if self.service else self._clock).now()

    def on_mount(self) -> None:
        load_keymap(self)
        self.screen_change_signal.subscribe(self, self._drop_toasts, immediate=True)
        if self._opener:
            self.load_progress = "正在打开档案……"
            self.switch_mode("dashboard")
            self.open_in_background()
        else:
            self.snapshot = self.service.load(freeze=True)
            self.switch_mode("dashboard")
            self.notify_read_only()
            self.maintain()
        self.set_interval(3, self.poll_archive)

    def on_unmount(self) -> None:
        gc.unfreeze()  # the snapshots are frozen while the app runs (see store.snapshot.load)

    @work(thread=True, exclusive=True, group="reload", exit_on_error=False)
    def open_in_background(self) -> None:
        try:
            opened = self._opener()
            self.call_from_thread(self._attach, opened)
            snapshot = self.service.load(progress=self._progress, freeze=True)
        except StoreError as e:
            self.call_from_thread(self.exit, None, 2, f"错误：{e}")
            return
        self.call_from_thread(setattr, self, "snapshot", snapshot)
        self.call_from_thread(self.notify_read_only)
        self.call_from_thread(self.maintain)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._typeahead.key(event)  # keys typed after Tab/Enter wait for the focus to move
        else:
            await super().on_event(event)

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None, markup=True) -> None:
        """Every message is plain text: they quote records, paths and store errors
        (“在 access.toml 的 [operators] 中登记”), which markup would silently eat."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _drop_toasts(self, _screen) -> None:
        """A toast belongs to the screen it was raised on: it does not follow to the next one,
        except an error (something was not saved), which stays for its time. One raised by the
        key that changes the screen (“已保存”, then close) is still queued here and is shown."""
        for notification in list(self._notifications):
            if notification.severity != "error":
                self._unnotify(notification, refresh=False)
        self._refresh_notifications()

    def notify_read_only(self) -> None:
        """Say once, on opening, why nothing can be saved here (read-only files, no git, an
        operator access.toml does not list) and what to do."""
        reason = self.service.read_only
        if reason:
            self.notify(reason, title="只读", severity="warning", timeout=20)
        elif self.service.operator_standing() == "未登记":
            self.notify(f"操作人“{self.service.operator}”未在 access.toml 中登记，只能查看，不能保存。"
                        "请用 --operator 指定已登记的姓名（演示档案请用 shuping demo 打开），或请组织部在 access.toml 中登记。",
                        title="操作人未登记", severity="warning", timeout=20)

    def action_goto(self, mode: str) -> None:
        if self.snapshot is None:
            self.notify("正在读取档案，请稍候……")
            return
        if not self._leave_overlay():
            return
        if mode == self.current_mode:
            return
        self._leave(self.screen, lambda: self.switch_mode(mode), "切换界面")

    @staticmethod
    def _leave(screen: Screen, proceed: Callable[[], object], leaving: str) -> None:
        """``proceed`` now, or after 保存 / 放弃 / 取消 when ``screen`` holds unsaved edits."""
        leave = getattr(screen, "leave", None)  # the app's screens (tui.screens.base.AppScreen)
        if leave is None:
            proceed()
        else:
            leave(proceed, leaving)

    async def action_quit(self) -> None:
        """Ctrl+Q: quit, after asking about any screen (in any mode) with unsaved edits."""
        if type(self.screen).__name__ == "UnsavedDialog":
            return  # already asking
        for mode, stack in self._screen_stacks.items():
            for screen in reversed(stack):
                if getattr(screen, "has_unsaved", lambda: False)():
                    if mode != self.current_mode:
                        await self.switch_mode(mode)
                    self._leave(screen, self.action_quit_anyway, "退出")
                    return
        saving = [w for w in self.workers if w.group == "save" and not w.is_finished]
        if saving:  # a save asked for on the way out: its commit first (a refusal is its own news)
            try:
                await self.workers.wait_for_complete(saving)
            except Exception:  # noqa: BLE001  (failed or cancelled: said by the worker itself)
                pass
        self.exit()

    def action_quit_anyway(self) -> None:
        """Quit after the unsaved edits were saved or discarded: the next form with some asks too."""
        self.call_later(self.action_quit)

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
        """Ctrl+R: read the archive again; a form's unsaved edits are saved or reset first (asked)."""
        if self.snapshot is not None:
            self._leave(self.screen, self.reload, "重读档案")

    def switch_year(self, year: int) -> None:
        """Open another campaign (a past year's rectification goes on); the archive's current
        campaign stays as it is."""
        self.service.switch_year(year)
        self.year = self.service.year
        self.reload()

    @work(thread=True, exclusive=True, group="reload")
    def reload(self) -> None:
        snapshot = self.service.load(freeze=True)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(setattr, self, "snapshot", snapshot)

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
            self.screen.post_message(LoadProgress())

    @work(thread=True, exclusive=True, group="maintain", exit_on_error=False)
    def maintain(self) -> None:
        """Refresh the commit-graph so a record's history stays fast on long histories."""
        self.service.maintain()

    def poll_archive(self) -> None:
        """Another user's commit (or plain git) moved the archive: read it again."""
        if self.snapshot is not None and self.service.changed_elsewhere():
            self.reload()

    def take_snapshot(self) -> None:
        """Show the service's latest snapshot (after an intent). Safe from any thread."""
        try:
            self.call_from_thread(self._take_snapshot)
        except RuntimeError:  # already on the app's thread
            self._take_snapshot()

    def _take_snapshot(self) -> None:
        if self.service.loaded:
            self.snapshot = self.service.snapshot

    def apply(self, intent: Callable[..., T], *args, saved: str = "", **kwargs) -> T | None:
        """Run an intent from a worker thread (never the UI thread: git takes time). The new
        snapshot is shown; an error becomes a notification and nothing changes (the screen keeps
        its edits); ``saved`` is said once it is committed. Returns what the intent returns."""
        try:
            result = intent(*args, **kwargs)
        except StoreError as e:
            self.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return None
        self.take_snapshot()
        if saved:
            self.call_from_thread(self.notify, saved, title="已保存并提交")
        return result

    def save(self, stored: Stored, record, message: str, body: str = "") -> Stored | None:
        """Save one record as one commit, from a worker thread; None if refused (notified)."""
        result = self.apply(self.service.records.save, stored, record, message, body, saved=message)
        return result[1] if result else None

    def absorb(self, *saved: Stored) -> None:
        """Records committed here by other means (the writer): into the snapshot."""
        self.service.absorb(*saved)
        self.take_snapshot()

    # ------------------------------------------------------------------ palette

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(Palette(id="--command-palette", placeholder="输入命令名称查找……"))

    def get_key_display(self, binding: Binding) -> str:
        return key_display(binding)

    def action_help_quit(self) -> None:
        """Ctrl+C (reflex of many users) says how to quit, in Chinese and without markup."""
        quits = [active.binding for active in self.active_bindings.values() if active.binding.action in ("quit", "app.quit")]
        if quits:
            self.notify(f"退出请按 {self.get_key_display(quits[0])}（已保存的修改都已提交）。", title="要退出吗？")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        scopes = [getattr(screen, "SCOPE", ""), GLOBAL]
        for scope in scopes:
            for action in REGISTRY.get(scope, []):
                if action.action == "app.command_palette":
                    continue
                yield SystemCommand(
                    f"{action.label}（{keys_label(self, keys_of(self, action.id, action.key))}）",
                    action.help or action.label,
                    lambda a=action, s=screen: self._run_registered(a, s),
                )

    def _run_registered(self, action, screen: Screen):
        """The action's coroutine: the palette awaits what its callback returns."""
        target = action.action
        if target.startswith("app."):
            return self.run_action(target.removeprefix("app."))
        return self.run_action(target, screen)


__all__ = ["ShupingApp"]
