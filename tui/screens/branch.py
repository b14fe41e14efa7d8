"""One branch: its master record as a form with validation in place, and its scope."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from schema.dates import form_date
from schema.kinds import BranchKind
from schema.records import Branch, ScopeException
from schema.validation import check_value
from tui.keys import Action, register
from tui.screens.base import AppScreen

FIELDS = [
    # key, label, optional
    ("name", "党支部名称", False),
    ("kind", "支部类型", False),
    ("founded", "成立日期", False),
    ("secretary", "支部书记", True),
    ("members", "党员人数", True),
    ("code", "支部编码", True),
    ("last_election", "上次换届", True),
    ("committee_size", "支委人数", True),
]
LABELS = dict((k, label) for k, label, _ in FIELDS)


def describe_changes(old: Branch, new: Branch) -> str:
    parts = []
    for key, label, _ in FIELDS:
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            parts.append(f"{label} {_show(a)} → {_show(b)}")
    return "；".join(parts)


def _show(value) -> str:
    if value is None or value == "":
        return "（空）"
    return getattr(value, "value", str(value))


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
        self.stored = None
        self._discard_armed = False

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
                        yield Input(id=key, placeholder="如 2021-01-30" if key in ("founded", "last_election") else "", compact=True)
                yield Static("", id=f"{key}-error", classes="field-error -empty")
        yield from self.footer()

    def on_mount(self) -> None:
        self.load_record()
        self.query_one("#name", Input).focus()

    def load_record(self) -> None:
        self.stored = self.snap.branches[self.branch_id]
        branch = self.stored.record
        for key, _, _ in FIELDS:
            value = getattr(branch, key)
            if key == "kind":
                self.query_one("#kind", Select).value = value.value
            else:
                self.query_one(f"#{key}", Input).value = "" if value is None else str(value)
        self.show_scope()

    def show_scope(self) -> None:
        org = self.snap.orgs[self.stored.record.org].record
        result = self.snap.scope(self.branch_id)
        self.query_one("#scope", Static).update(
            f"{org.name} · id {self.branch_id} · 本年度{result.label}：{result.detail}"
        )

    def refresh_data(self) -> None:
        if self.stored and self.snap.branches.get(self.branch_id) is not self.stored and not self.dirty():
            self.load_record()
        elif self.stored:
            self.show_scope()

    def form_data(self) -> dict:
        data = self.stored.record.model_dump(mode="python")
        for key, _, optional in FIELDS:
            if key == "kind":
                data[key] = self.query_one("#kind", Select).value
                continue
            raw = self.query_one(f"#{key}", Input).value.strip()
            data[key] = None if (optional and raw == "" and key != "secretary") else raw
            if key in ("founded", "last_election"):
                data[key] = form_date(raw)
        return data

    def dirty(self) -> bool:
        try:
            return Branch.model_validate(self.form_data()) != self.stored.record
        except Exception:
            return True

    def validate_form(self) -> Branch | None:
        data = self.form_data()
        problems = check_value(Branch, data)
        for key, _, _ in FIELDS:
            box = self.query_one(f"#{key}-error", Static)
            messages = [p.message for p in problems if p.key.split(".")[0] == key]
            box.update("；".join(messages))
            box.set_class(not messages, "-empty")
        if problems:
            return None
        return Branch.model_validate(data)

    def action_save(self) -> None:
        branch = self.validate_form()
        if branch is None:
            self.notify("有填写错误，请按提示修改后再保存。", severity="error")
            return
        changes = describe_changes(self.stored.record, branch)
        if not changes:
            self.notify("没有修改。")
            return
        self.save_worker(branch, f"修改党支部：{branch.name}（{changes}）")

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, branch: Branch, message: str) -> None:
        saved = self.shuping.save(self.stored, branch, message)
        if saved is not None:
            self.app.call_from_thread(self._saved, saved)

    def _saved(self, saved) -> None:
        self.stored = saved
        self.show_scope()

    def action_scope_exception(self) -> None:
        self.app.push_screen(ScopeExceptionDialog(self.snap.scope(self.branch_id).in_scope), self._record_exception)

    def _record_exception(self, exception: ScopeException | None) -> None:
        if exception is None:
            return
        stored = self.snap.review(self.branch_id)
        review = stored.record.model_copy(update={"scope_exception": exception})
        name = self.stored.record.name
        verdict = "纳入" if exception.in_scope else "不纳入"
        self.exception_worker(stored, review, f"范围例外：{name} → {verdict}（{exception.reason}）")

    @work(thread=True, exclusive=True, group="save")
    def exception_worker(self, stored, review, message: str) -> None:
        if self.shuping.save(stored, review, message) is not None:
            self.app.call_from_thread(self.show_scope)

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.stored.path, self.stored.record.name))

    def on_input_changed(self, _: Input.Changed) -> None:
        self._discard_armed = False

    def action_back(self) -> None:
        if self.dirty() and not self._discard_armed:
            self._discard_armed = True
            self.notify("有未保存的修改：按 Ctrl+S 保存，或再按一次 Esc 放弃。", severity="warning")
            return
        self.app.pop_screen()


class ScopeExceptionDialog(ModalScreen[ScopeException | None]):
    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "确定")]
    DEFAULT_CSS = """
    ScopeExceptionDialog { align: center middle; }
    #dialog { width: 60; height: auto; border: thick $accent; background: $panel; padding: 1 2; }
    """

    def __init__(self, currently_in: bool):
        super().__init__()
        self.currently_in = currently_in

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("记录范围例外（会写入历史）", classes="title")
            yield Select([("纳入", True), ("不纳入", False)], value=not self.currently_in, allow_blank=False, id="in")
            yield Input(placeholder="原因（必填）", id="reason")
            yield Static("", id="error", classes="error")
            yield Static("Ctrl+S 确定 · Esc 取消", classes="status")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#error", Static).update("请填写原因。")
            return
        self.dismiss(ScopeException(in_scope=bool(self.query_one("#in", Select).value), reason=reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
