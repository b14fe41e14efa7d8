"""A branch's master record as a form (F3 → Enter): the text in each field, read back into a
record with a problem per field, and what a save changed, said for the commit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from schema.changes import changes, summary
from schema.dates import form_date
from schema.records import Branch, ScopeException
from schema.validation import check_value

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
DATE_FIELDS = ("founded", "last_election")


def describe_changes(old: Branch, new: Branch) -> str:
    """“支部书记 张三 → 李四；党员人数 20 → 21”: what a save changed, for the commit message."""
    return summary(changes(old, new, [(key, label) for key, label, _ in FIELDS]))


def save_message(old: Branch, new: Branch) -> str:
    """The commit subject of a branch's save (and what the user is told); "" when nothing changed."""
    what = describe_changes(old, new)
    return f"修改党支部：{new.name}（{what}）" if what else ""


def scope_exception_message(name: str, exception: ScopeException) -> str:
    verdict = "纳入" if exception.in_scope else "不纳入"
    return f"范围例外：{name} → {verdict}（{exception.reason}）"


@dataclass(frozen=True)
class BranchForm:
    base: Branch
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, branch: Branch) -> BranchForm:
        values = {}
        for key, _, _ in FIELDS:
            value = getattr(branch, key)
            values[key] = "" if value is None else str(getattr(value, "value", value))
        return cls(branch, values)

    def with_values(self, **values: str) -> BranchForm:
        return replace(self, values={**self.values, **values})

    def data(self) -> dict:
        data = self.base.model_dump(mode="python")
        for key, _, optional in FIELDS:
            raw = str(self.values.get(key, "")).strip()
            data[key] = None if (optional and raw == "" and key != "secretary") else raw
            if key in DATE_FIELDS:
                data[key] = form_date(raw)
        return data

    def read(self) -> tuple[Branch | None, dict[str, list[str]]]:
        """The record the form describes, or None; the problems by field key."""
        data = self.data()
        problems = check_value(Branch, data)
        errors = {key: [p.message for p in problems if p.key.split(".")[0] == key] for key, _, _ in FIELDS}
        if problems:
            return None, errors
        return Branch.model_validate(data), errors

    def dirty(self) -> bool:
        branch, _ = self.read()
        return branch != self.base


__all__ = ["BranchForm", "DATE_FIELDS", "FIELDS", "describe_changes", "save_message", "scope_exception_message"]
