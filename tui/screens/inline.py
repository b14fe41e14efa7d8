"""Small editors used by the grading, follow-up and rectification screens: a one-line
editor under a table (edit without leaving the list), a confirmation and a reason dialog."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static


class InlineEdit(Horizontal):
    """``ask(prompt, value, done)``: a one-line editor; Enter calls ``done(text)``, Esc cancels."""

    BINDINGS = [("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    InlineEdit { height: 1; display: none; background: $boost; }
    InlineEdit.-open { display: block; }
    InlineEdit Label { width: auto; padding: 0 1; color: $accent; }
    InlineEdit Input, InlineEdit Input:focus { width: 1fr; height: 1; border: none; padding: 0; }
    """

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


class ConfirmDialog(ModalScreen[bool]):
    """Enter confirms, Esc cancels."""

    BINDINGS = [("escape", "answer(False)", "取消"), ("enter", "answer(True)", "确定")]
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > VerticalScroll { width: 64; height: auto; max-height: 20; border: thick $accent; background: $panel; padding: 0 1; }
    """

    def __init__(self, title: str, text: str):
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.title_text, classes="title")
            yield Static(self.text)
            yield Static("Enter 确定 · Esc 取消", classes="status")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ReasonDialog(ModalScreen[str | None]):
    """Asks for a reason that must not be blank."""

    BINDINGS = [("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    ReasonDialog { align: center middle; }
    ReasonDialog > VerticalScroll { width: 64; height: auto; border: thick $accent; background: $panel; padding: 0 1; }
    """

    def __init__(self, title: str, text: str = ""):
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.title_text, classes="title")
            if self.text:
                yield Static(self.text)
            yield Input(placeholder="原因（必填，会写入记录和历史）", id="reason")
            yield Static("", id="error", classes="error")
            yield Static("Enter 确定 · Esc 取消", classes="status")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.query_one("#error", Static).update("请填写原因。")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
