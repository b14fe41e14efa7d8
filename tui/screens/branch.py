"""One branch: its master record as a form with validation in place, and its scope."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from schema.branch_form import DATE_FIELDS, FIELDS, BranchForm, save_message, scope_exception_message
from schema.kinds import BranchKind
from schema.records import Branch, ScopeException
from tui.dialogs import Dialog, required
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.history import HistoryScreen


class BranchScreen(AppScreen):
    SCOPE = "党支部记录"
    BINDINGS = register(
        SCOPE,
        [
            Action("branch.save", "ctrl+s", "save", "保存", "校验并保存，生成一次提交"),
            Action("branch.scope", "ctrl+o", "scope_exception", "范围例外", "记录纳入/不纳入的例外及原因"),
            Action("branch.history", "ctrl+g", "history", "历史", "这条记录的修改历史"),
            Action("branch.back", "escape", "back", "返回", "返回上一界面（未保存的修改会提示）"),
        ],
    )

    def __init__(self, branch_id: str):
        super().__init__()
        self.branch_id = branch_id
        self.stored = None  # the record the form was filled from
        self.form: BranchForm | None = None

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="scope", classes="subtitle")
        with VerticalScroll(id="form"):
            for key, label, _ in FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    if key == "kind":
                        yield Select([(k.value, k.value) for k in BranchKind], id=key, allow_blank=False, compact=True)
                    else:
                        yield Input(id=key, placeholder="如 2021-01-30" if key in DATE_FIELDS else "", compact=True)
                yield Static("", id=f"{key}-error", classes="field-error -empty")
        yield from self.footer()

    def on_mount(self) -> None:
        self.load_record()
        self.query_one("#name", Input).focus()

    def load_record(self) -> None:
        self.stored = self.snap.branches[self.branch_id]
        self.form = BranchForm.of(self.stored.record)
        for key, value in self.form.values.items():
            self.query_one(f"#{key}").value = value  # type: ignore[attr-defined]  # Input or Select
        self.show_scope()

    def read_widgets(self) -> BranchForm:
        assert self.form is not None
        return self.form.with_values(**{key: self.query_one(f"#{key}").value for key, _, _ in FIELDS})  # type: ignore[attr-defined]

    def show_scope(self) -> None:
        org = self.snap.orgs[self.stored.record.org].record
        result = self.snap.scope(self.branch_id)
        self.query_one("#scope", Static).update(
            f"{org.name} · id {self.branch_id} · 本年度{result.label}：{result.detail}"
        )

    def refresh_data(self) -> None:
        if not self.stored:
            return
        current = self.snap.branches.get(self.branch_id)
        if current is not None and current.version != self.stored.version and not self.saving():
            self.changed_by_other(current.version, current.path, f"党支部记录“{current.record.name}”", self.load_record)
        self.show_scope()

    def dirty(self) -> bool:
        return self.form is not None and self.read_widgets().dirty()

    def has_unsaved(self) -> bool:
        return self.dirty()

    def discard_unsaved(self) -> None:
        self.load_record()

    def validate_form(self) -> Branch | None:
        branch, errors = self.read_widgets().read()
        for key, messages in errors.items():
            box = self.query_one(f"#{key}-error", Static)
            box.update("；".join(messages))
            box.set_class(not messages, "-empty")
        return branch

    def action_save(self) -> None:
        branch = self.validate_form()
        if branch is None:
            self.notify("有填写错误，请按提示修改后再保存。", severity="error")
            return
        message = save_message(self.stored.record, branch)
        if not message:
            self.notify("没有修改。")
            return
        self.save_worker(branch, message)

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, branch: Branch, message: str) -> None:
        app = self.shuping
        saved = app.apply(app.service.records.save_branch, self.branch_id, branch, self.stored, saved=message)
        if saved is not None:
            app.call_from_thread(self._saved, saved)

    def _saved(self, saved) -> None:
        self.stored = saved
        self.form = BranchForm.of(saved.record)
        self.show_scope()

    def action_scope_exception(self) -> None:
        self.app.push_screen(ScopeExceptionDialog(self.snap.scope(self.branch_id).in_scope), self._record_exception)

    def _record_exception(self, exception: ScopeException | None) -> None:
        if exception is not None:
            self.exception_worker(exception, scope_exception_message(self.stored.record.name, exception))

    @work(thread=True, exclusive=True, group="save")
    def exception_worker(self, exception: ScopeException, message: str) -> None:
        app = self.shuping
        if app.apply(app.service.records.set_scope_exception, self.branch_id, exception, saved=message) is not None:
            app.call_from_thread(self.show_scope)

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.stored.path, self.stored.record.name))

    def action_back(self) -> None:
        self.leave(self.app.pop_screen)


class ScopeExceptionDialog(Dialog):
    """纳入 or 不纳入 against the rule, with the reason (required: it is kept in the history)."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "确定")]
    KEYS_TEXT = "Ctrl+S 确定 · Esc 取消"

    def __init__(self, currently_in: bool):
        super().__init__("记录范围例外（会写入历史）")
        self.currently_in = currently_in

    def body(self) -> ComposeResult:
        yield Select([("纳入", True), ("不纳入", False)], value=not self.currently_in, allow_blank=False, id="in")
        yield Input(placeholder="原因（必填）", id="reason")
        yield Static("", id="error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        try:
            reason = required("原因")(self.query_one("#reason", Input).value)
        except ValueError as e:
            self.query_one("#error", Static).update(str(e))
            return
        self.dismiss(ScopeException(in_scope=bool(self.query_one("#in", Select).value), reason=reason))


__all__ = ["BranchScreen", "ScopeExceptionDialog"]
