"""A one-line editor under a table (edit a cell without leaving the list), used by the
grading, follow-up and rectification screens; its look is in app.tcss. Dialogs are in
``tui.dialogs``."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label

from tui.dialogs import UnsavedDialog


class InlineEdit(Horizontal):
    """``ask(prompt, value, done)``: a one-line editor; Enter calls ``done(text)``, Esc closes it
    (asking 保存 / 放弃 / 取消 first when the text was changed, as every form does on leaving)."""

    BINDINGS = [("escape", "cancel", "取消")]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._done: Callable[[str], None] | None = None
        self._return_to: Widget | None = None
        self._original = ""

    def compose(self) -> ComposeResult:
        yield Label("", id="prompt")
        yield Input(id="value")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def ask(self, prompt: str, value: str, done: Callable[[str], None]) -> None:
        self._return_to = self.screen.focused
        self._done = done
        self._original = value
        self.query_one("#prompt", Label).update(prompt)
        box = self.query_one("#value", Input)
        box.value = value
        self.add_class("-open")
        box.focus()
        box.cursor_position = len(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    def _submit(self, text: str) -> None:
        done = self._done
        self._close()
        if done:
            done(text)

    def action_cancel(self) -> None:
        box = self.query_one("#value", Input)
        if box.value == self._original:
            self._close()
            return

        def answered(answer: str | None) -> None:
            if not self.is_open:
                return
            if answer == "save":
                self._submit(box.value)
            elif answer == "discard":
                self._close()
            else:
                box.focus()

        self.app.push_screen(UnsavedDialog("编辑栏", "关闭编辑栏"), answered)

    def _close(self) -> None:
        self._done = None
        self.remove_class("-open")
        if self._return_to is not None:
            self._return_to.focus()
