"""What every shuping screen shares: the title line, the footer and data refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static


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
        for title in self.query("#title").results(Static):
            title.update(self.title_text())  # the current campaign may have changed
        for who in self.query("#who").results(Static):
            who.update(self.who_text())  # access.toml may have changed
        self.refresh_data()

    def refresh_data(self) -> None:
        """Redraw from ``self.snap``; screens that show data override this."""


class TextEditorScreen(AppScreen):
    """A screen editing one text through a ``schema.text_form`` form (``self.form``) in a
    TextArea (``self.area``): Esc leaves, asking twice while there are unsaved changes."""

    def action_back(self) -> None:
        self.form.edit(self.area.text)
        if not self.form.may("back"):
            self.notify("有未保存的修改：按 Ctrl+S 保存，或再按一次 Esc 放弃。", severity="warning")
            return
        self.app.pop_screen()
