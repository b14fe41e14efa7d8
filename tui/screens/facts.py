"""The branch's facts of the year (支部数据) as a form with validation in place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from schema.dates import form_date
from schema.records import BranchFacts
from schema.report import FACT_FIELDS, describe_facts_change
from schema.validation import check_value
from tui.dialogs import Dialog
from tui.screens.base import AppScreen

YES_NO = [("是", True), ("否", False)]


class FactsDialog(Dialog):
    """Edit the facts; dismisses with the valid facts (Ctrl+S) or None (Esc)."""

    BINDINGS = [("escape", "cancel", "取消"), ("ctrl+s", "confirm", "保存")]
    KEYS_TEXT = "Ctrl+S 保存 · Esc 取消"

    def __init__(self, facts: BranchFacts, branch_name: str):
        super().__init__(f"支部数据 · {branch_name}", "次数不能为负，党费月数 0–12，留空为未填")
        self.facts = facts

    def body(self) -> ComposeResult:
        for f in FACT_FIELDS:
            value = getattr(self.facts, f.key)
            with Horizontal(classes="form-row"):
                yield Label(f.label)
                if f.kind == "bool":
                    yield Select(YES_NO, prompt="未填", id=f.key, value=Select.NULL if value is None else value, compact=True)
                else:
                    yield Input(
                        "" if value is None else str(value),
                        id=f.key,
                        placeholder="如 2021-01-30" if f.kind == "date" else "",
                        compact=True,
                    )
            yield Static("", id=f"{f.key}-error", classes="field-error -empty")

    def on_mount(self) -> None:
        self.query_one(f"#{FACT_FIELDS[0].key}", Input).focus()

    def form_data(self) -> dict:
        data = {}
        for f in FACT_FIELDS:
            if f.kind == "bool":
                value = self.query_one(f"#{f.key}", Select).value
                data[f.key] = None if value is Select.NULL else value
            else:
                raw = self.query_one(f"#{f.key}", Input).value.strip()
                data[f.key] = raw if (raw or f.kind == "text") else None
                if f.kind == "date":
                    data[f.key] = form_date(raw)
        return data

    def validate_form(self) -> BranchFacts | None:
        data = self.form_data()
        problems = check_value(BranchFacts, data)
        for f in FACT_FIELDS:
            box = self.query_one(f"#{f.key}-error", Static)
            messages = [p.message for p in problems if p.key.split(".")[0] == f.key]
            box.update("；".join(messages))
            box.set_class(not messages, "-empty")
        return None if problems else BranchFacts.model_validate(data)

    def on_input_changed(self, _: Input.Changed) -> None:
        self.validate_form()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.focus_next()

    def action_confirm(self) -> None:
        facts = self.validate_form()
        if facts is None:
            self.notify("有填写错误，请按提示修改后再保存。", severity="error")
            return
        self.dismiss(facts)


def edit_facts(screen: AppScreen, branch_id: str) -> None:
    """Open the form over ``screen``; a change is saved (one commit) from a worker thread."""
    snap = screen.snap
    before = snap.review(branch_id).record.facts
    app = screen.shuping

    def save(facts: BranchFacts) -> None:
        result = app.apply(app.service.reports.save_facts, branch_id, facts)
        if result is not None:
            app.call_from_thread(app.notify, result.message, title="已保存并提交")

    def entered(facts: BranchFacts | None) -> None:
        if facts is None:
            return
        if not describe_facts_change(before, facts):
            screen.notify("没有修改。")
            return
        screen.run_worker(lambda: save(facts), thread=True, group="save", exclusive=True)

    app.push_screen(FactsDialog(before, snap.branches[branch_id].record.name), entered)
