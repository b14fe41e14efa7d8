"""The app's dialogs: one frame (the ``.dialog`` look in app.tcss), a question that is never
cut (it wraps), and two kinds — a confirmation and a prompt whose answer a validator checks.

    PromptDialog("宣布第 3 号票无效", "请填写原因", validate=required("原因"))
    ConfirmDialog("公布测评结果", "将公布 12 位书记的测评结果……")

A validator takes the text typed and returns the value to hand back, or raises ValueError
with the Chinese message shown under the field (the dialog stays open).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

Validator = Callable[[str], Any]


def required(what: str = "原因") -> Validator:
    """A validator for text that must not be blank (a reason is written to the record and history)."""

    def check(text: str) -> str:
        text = text.strip()
        if not text:
            raise ValueError(f"请填写{what}。")
        return text

    return check


class Dialog(ModalScreen):
    """The frame every dialog shares: title, text, body, a status line of keys."""

    CLOSE_ON_NAV = False  # may hold typing: the F-keys wait until it is answered or cancelled
    BINDINGS = [("escape", "cancel", "取消")]
    KEYS_TEXT = "Enter 确定 · Esc 取消"
    ASK_ON_CANCEL = False  # a form (feedback, 约谈): Esc or Ctrl+Q with edits asks 保存 / 放弃 / 取消
    _pristine: list | None = None

    def __init__(self, title: str, text: str = ""):
        super().__init__(classes="dialog")
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Static(self.title_text, classes="title dialog-title", markup=False)
            if self.text:
                yield Static(self.text, classes="dialog-text", markup=False)
            yield from self.body()
            yield Static(self.KEYS_TEXT, classes="status")

    def body(self) -> ComposeResult:
        yield from ()

    def action_cancel(self) -> None:
        self.dismiss(None)

    # ------------------------------------------------------------------ a form's unsaved edits

    def _values(self) -> list:
        return [w.text if isinstance(w, TextArea) else w.value for w in self.query("Input, TextArea")]

    @on(events.Mount)
    def _remember_values(self) -> None:
        self._pristine = self._values() if self.ASK_ON_CANCEL else None

    def has_unsaved(self) -> bool:
        return self._pristine is not None and self.is_mounted and self._values() != self._pristine

    def leave(self, proceed: Callable[[], object], leaving: str = "关闭") -> None:
        """``proceed`` now, or with edits once 保存 (``action_confirm``, which closes the dialog
        when the values are right) / 放弃 / 取消 is answered."""
        if not self.has_unsaved():
            proceed()
            return

        def answered(answer: str | None) -> None:
            if answer == "discard":
                self._pristine = None
                proceed()
            elif answer == "save":
                self.action_confirm()  # type: ignore[attr-defined]  # every form dialog has one
                if self.app.screen is not self:  # saved and closed: what waited goes ahead
                    proceed()

        self.app.push_screen(UnsavedDialog(self.title_text, leaving), answered)

    def action_close_form(self) -> None:
        self.leave(lambda: self.dismiss(None) if self.is_current else None)


class ConfirmDialog(Dialog):
    """Enter confirms (True), Esc cancels (False)."""

    BINDINGS = [("escape", "cancel", "取消"), ("enter", "confirm", "确定")]

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptDialog(Dialog):
    """One line of text, checked by ``validate`` on Enter; Esc hands back None."""

    def __init__(self, title: str, text: str = "", *, value: str = "", placeholder: str = "",
                 validate: Validator = required()):
        super().__init__(title, text)
        self.value, self.placeholder, self.validate = value, placeholder, validate

    def body(self) -> ComposeResult:
        yield Input(self.value, placeholder=self.placeholder, id="answer")
        yield Static("", id="error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            answer = self.validate(event.value)
        except ValueError as e:
            self.query_one("#error", Static).update(str(e))
            return
        self.dismiss(answer)


class UnsavedDialog(Dialog):
    """Leaving (or quitting, or reading again) with unsaved edits: hands back "save",
    "discard", or None (stay, nothing lost)."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s,enter", "answer('save')", "保存"), ("d", "answer('discard')", "放弃")]
    KEYS_TEXT = "Enter/Ctrl+S 保存 · D 放弃修改 · Esc 取消（留在这里）"

    def __init__(self, what: str, leaving: str = "离开"):
        super().__init__(f"{what}有未保存的修改", f"{leaving}之前：保存这些修改，放弃它们，还是取消{leaving}？")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


def reason_dialog(title: str, text: str = "") -> PromptDialog:
    """A prompt for a reason that must not be blank (kept on the record and in the history)."""
    return PromptDialog(title, text, placeholder="原因（必填，会写入记录和历史）", validate=required("原因"))


def path_dialog(title: str, default: str = "", text: str = "") -> PromptDialog:
    """A prompt for a file's path (to write or to read), offering ``default``."""
    return PromptDialog(title, text, value=default, placeholder="文件路径", validate=required("文件路径"))


class PathDialog(PromptDialog):
    """Where to write an export: what is typed goes through ``resolve`` (a file name lands in
    the export folder) and the full path is shown under the field as it is typed, wrapped —
    a path never hides behind the field's 80 columns."""

    def __init__(self, title: str, folder: Path, value: str, resolve: Callable[[str], Path]):
        super().__init__(title, f"导出文件夹（可在 F9 年度设置中按 Ctrl+F 修改）：{folder}", value=value,
                         placeholder="文件名或完整路径", validate=self._checked)
        self.folder, self.resolve = folder, resolve

    def body(self) -> ComposeResult:
        yield from super().body()
        yield Static("", id="full-path", classes="dialog-text", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._show(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)
        self.query_one("#error", Static).update("")

    def _full(self, typed: str) -> Path:
        path = Path(typed.strip()).expanduser()
        return path if path.is_absolute() else self.folder / path

    def _show(self, typed: str) -> None:
        self.query_one("#full-path", Static).update(f"将写入：{self._full(typed)}" if typed.strip() else "")

    def _checked(self, typed: str) -> str:
        from store.service import StoreError  # the first frame does without the store

        required("文件路径")(typed)
        try:
            return str(self.resolve(typed))
        except StoreError as e:
            raise ValueError(str(e)) from None


def export_dialog(app: Any, title: str, name: str = "") -> PathDialog | None:
    """Where to write an export: ``name`` in the export folder set in the archive settings
    (F9), the same from every screen; no ``name``: the folder itself (for several files).
    None (said) when the folder set cannot be used."""
    from store.service import StoreError

    try:
        folder = app.service.export_folder()
    except StoreError as e:
        app.notify(str(e), title="导出文件夹不可用", severity="error", timeout=12)
        return None
    if name:
        return PathDialog(title, folder, name, app.service.export_path)
    return PathDialog(title, folder, str(folder), lambda typed: app.service.check_output(folder / typed, folder=True))


__all__ = ["ConfirmDialog", "Dialog", "PathDialog", "PromptDialog", "UnsavedDialog", "Validator", "export_dialog", "path_dialog", "reason_dialog", "required"]
