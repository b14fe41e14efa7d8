"""What every shuping screen shares: the title line, the footer and data refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.messages import ArchiveReloaded

if TYPE_CHECKING:
    from store.snapshot import Snapshot
    from tui.app import ShupingApp


class AppScreen(Screen):
    SCOPE = ""  # the screen's title in the help screen and the action registry
    _drawn = 0  # the app's data generation this screen last drew

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

    def title_bar(self) -> ComposeResult:
        from tui.app import archive_title

        yield Static(f"{self.SCOPE} · {archive_title(self.shuping)}", classes="title", id="title")

    def footer(self) -> ComposeResult:
        with Vertical(classes="bottom-bars"):
            yield Static(id="navbar", classes="navbar")
            yield Footer(compact=True, show_command_palette=False)  # room for every key at 80 columns; F1 names Ctrl+P

    def on_archive_reloaded(self, _: ArchiveReloaded) -> None:
        self._catch_up()

    def on_screen_resume(self) -> None:
        from tui.keys import nav_markup

        for bar in self.query("#navbar").results(Static):
            bar.update(nav_markup(self.app))
        # screens of other modes miss ArchiveReloaded: catch up when shown again
        if self._drawn != self.shuping.generation:
            self._catch_up()

    def _catch_up(self) -> None:
        from tui.app import archive_title

        self._drawn = self.shuping.generation
        for title in self.query("#title").results(Static):
            title.update(f"{self.SCOPE} · {archive_title(self.shuping)}")  # the current campaign may have changed
        self.refresh_data()

    def refresh_data(self) -> None:
        """Redraw from ``self.snap``; screens that show data override this."""
