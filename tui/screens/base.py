"""What every shuping screen shares: the title line, the footer and data refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from tui.dialogs import ConfirmDialog, UnsavedDialog


if TYPE_CHECKING:
    from store.snapshot import Snapshot
    from tui.app import ShupingApp


class AppScreen(Screen):
    SCOPE = ""  # the screen's title in the help screen and the action registry
    _drawn: object = None  # the snapshot this screen last drew

    @property
    def shuping(self) -> ShupingApp:
        return self.app  # type: ignore[return-value]

    @property
    def snap(self) -> Snapshot:
        snapshot = self.shuping.snapshot
        assert snapshot is not None
        return snapshot

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """What the footer lists. A focused table's own Enter (select the row; not shown) would
        hide the screen's Enter 打开 from it: show the screen's, which is what the row selection
        runs (not over an empty table, where Enter does nothing)."""
        bindings = super().active_bindings
        for key, active in bindings.items():
            mine = self._bindings.key_to_bindings.get(key, [])
            table = active.node
            if active.binding.action == "select_cursor" and mine and mine[0].show and table.row_count:
                bindings[key] = ActiveBinding(self, mine[0], active.enabled, mine[0].tooltip)
        return bindings

    def title_text(self) -> str:
        """The screen, the archive and who is at the keyboard (and whether they may save)."""
        app = self.shuping
        snap = app.snapshot
        if snap is None:
            return f"{self.SCOPE} · shuping 述评"
        past = "（往年）" if snap.past_year else ""
        archive = f"{snap.settings.university} · {snap.campaign.title or f'{snap.year}年度党支部书记述职评议考核'}{past}"
        return f"{self.SCOPE} · {archive}"

    def title_org(self) -> str | None:
        """The organisation this screen shows, if one: the operator's standing is for it."""
        org = getattr(self, "org_id", None) or getattr(self, "org", None)
        return org if isinstance(org, str) else None

    def who_text(self) -> str:
        """Who is at the keyboard, and whether they may save what this screen shows."""
        service = self.shuping.service
        if service is None:
            return ""
        standing = service.operator_standing(self.title_org())
        return f"操作人 {service.operator}" + (f"（{standing}）" if standing else "")

    def title_bar(self) -> ComposeResult:
        with Horizontal(classes="title-bar"):
            yield Static(self.title_text(), classes="title", id="title", markup=False)
            yield Static(self.who_text(), classes="who", id="who", markup=False)

    def show_title(self) -> None:
        """The title line, marked 未保存 while the form holds unsaved edits."""
        mark = "● 未保存 · " if self.has_unsaved() else ""
        for title in self.query("#title").results(Static):
            title.update(mark + self.title_text())

    def footer(self) -> ComposeResult:
        with Vertical(classes="bottom-bars"):
            yield Static(id="navbar", classes="navbar")
            yield Footer(compact=True, show_command_palette=False)  # room for every key at 80 columns; F1 names Ctrl+P

    def on_mount(self) -> None:
        self.watch(self.app, "snapshot", self._snapshot_changed, init=False)

    def _snapshot_changed(self, _snapshot) -> None:
        if self.is_current:  # a screen out of sight catches up when shown again
            self._catch_up()

    def on_screen_resume(self) -> None:
        from tui.keys import nav_markup

        for bar in self.query("#navbar").results(Static):
            bar.update(nav_markup(self.app))
        if self._drawn is not self.shuping.snapshot:
            self._catch_up()

    def _catch_up(self) -> None:
        self._drawn = self.shuping.snapshot
        for who in self.query("#who").results(Static):
            who.update(self.who_text())  # access.toml may have changed
        self.refresh_data()
        self.show_title()  # the current campaign may have changed

    def refresh_data(self) -> None:
        """Redraw from ``self.snap``; screens that show data override this."""

    # ------------------------------------------------------------------ unsaved edits

    _after_save: Callable[[], object] | None = None  # what waits for the save asked for on leaving
    _unsaved_shown = False
    _other_seen: object = None  # the other user's version already announced

    def has_unsaved(self) -> bool:
        """Whether the screen holds edits that are not saved; forms override this."""
        return False

    def discard_unsaved(self) -> None:
        """Drop the unsaved edits: the form shows what is stored again. Forms override this."""

    def leave(self, proceed: Callable[[], object], leaving: str = "离开") -> None:
        """Run ``proceed`` (leave the screen, switch screens, quit, read again) now or, with
        unsaved edits, once the user has answered 保存 / 放弃 / 取消."""
        if not self.has_unsaved():
            proceed()
            return

        def answered(answer: str | None) -> None:
            if answer == "discard":
                self.discard_unsaved()
                self.show_title()
                proceed()
            elif answer == "save":
                self._after_save = proceed
                self.action_save()  # type: ignore[attr-defined]  # every form has one
                if not self.saving():  # refused before any commit (a wrong value, nothing changed)
                    self._save_ended()

        self.app.push_screen(UnsavedDialog(self.SCOPE, leaving), answered)

    def saving(self) -> bool:
        """Whether a save of this screen is under way (its own commit is not someone else's change)."""
        return any(w.node is self and w.group == "save" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   for w in self.app.workers)

    def _save_ended(self) -> None:
        proceed, self._after_save = self._after_save, None
        self.show_title()
        if proceed is not None and not self.has_unsaved():
            proceed()  # saved: what waited goes ahead; refused: the user stays with the edits

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "save" and event.worker.node is self and event.state in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._save_ended()

    def _edited(self) -> None:
        unsaved = self.has_unsaved()
        if unsaved != self._unsaved_shown:
            self._unsaved_shown = unsaved
            self.show_title()

    def on_input_changed(self, _: Input.Changed) -> None:
        self._edited()

    def on_select_changed(self, _: Select.Changed) -> None:
        self._edited()

    def on_checkbox_changed(self, _: Checkbox.Changed) -> None:
        self._edited()

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        self._edited()

    def changed_by_other(self, version: object, path: str, what: str, show_theirs: Callable[[], object]) -> None:
        """The record this form shows was committed by someone else: say so and who (the
        commit's author), then show their version — asking first while edits here are unsaved."""
        if version == self._other_seen:
            return
        self._other_seen = version
        self.run_worker(lambda: self._other_author(path, what, show_theirs), thread=True, group="other")

    def _other_author(self, path: str, what: str, show_theirs: Callable[[], object]) -> None:
        commits = self.shuping.service.history(path, limit=1)
        author = commits[0].author if commits else "其他用户"
        self.app.call_from_thread(self._announce_other, author, what, show_theirs)

    def _announce_other(self, author: str, what: str, show_theirs: Callable[[], object]) -> None:
        if not self.has_unsaved():
            show_theirs()
            self.show_title()
            if author != self.shuping.service.operator:  # one's own change made elsewhere needs no news
                self.notify(f"{what}刚被 {author} 修改并提交，已显示最新内容。", title="记录已更新", severity="warning", timeout=10)
            return

        def answered(take: bool | None) -> None:
            if take:
                show_theirs()
                self.show_title()

        self.app.push_screen(ConfirmDialog(
            f"{what}刚被 {author} 修改并提交",
            "这里还有未保存的修改。Enter：放弃这里的修改，显示最新内容；"
            "Esc：保留这里的修改（保存时会因记录已变而被拒绝，可先记下再按 Ctrl+R 重读）。"), answered)


class TextEditorScreen(AppScreen):
    """A screen editing one text through a ``schema.text_form`` form (``self.form``) in a
    TextArea (``self.area``): leaving with unsaved changes asks 保存 / 放弃 / 取消."""

    def has_unsaved(self) -> bool:
        if not self.is_mounted or not self.query("#text"):
            return False
        self.form.edit(self.area.text)
        return self.form.dirty

    def discard_unsaved(self) -> None:
        self.area.load_text(self.form.baseline)
        self.form.edit(self.form.baseline)

    def action_back(self) -> None:
        self.leave(self.app.pop_screen)
