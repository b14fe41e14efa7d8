"""A one-line editor under a table (edit a cell without leaving the list), used by the
grading, follow-up and rectification screens; its look is in app.tcss. Dialogs are in
``tui.dialogs``."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label


class InlineEdit(Horizontal):
    """``ask(prompt, value, done)``: a one-line editor; Enter calls ``done(text)``, Esc cancels."""

    BINDINGS = [("escape", "cancel", "取消")]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._done: Callable[[str], None] | None = None
        self._return_to: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="prompt")
        yield Input(id="value")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def ask(self, prompt: str, value: str, done: Callable[[str], None]) -> None:
        self._return_to = self.screen.focused
        self._done = done
        self.query_one("#prompt", Label).update(prompt)
        box = self.query_one("#value", Input)
        box.value = value
        self.add_class("-open")
        box.focus()
        box.cursor_position = len(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        done = self._done
        self._close()
        if done:
            done(event.value)

    def action_cancel(self) -> None:
        self._close()

    def _close(self) -> None:
        self._done = None
        self.remove_class("-open")
        if self._return_to is not None:
            self._return_to.focus()
