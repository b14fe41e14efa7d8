"""The command palette, saying in Chinese what Textual's says in English."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option


class Palette(CommandPalette):
    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with “没有匹配的命令” for “No matches found” (Textual has no hook for the text)."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text("没有匹配的命令", style="not bold")), disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


__all__ = ["Palette"]
