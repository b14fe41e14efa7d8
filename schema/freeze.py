"""What a finalised grading freezes, file by file: the rule the commit path applies to every
change, whoever makes it (a screen, the CLI, an import, a publish).

Once an organisation's grading for a year is finalised (``org-year.toml``'s ``grading``),
these may not change until it is reopened:

* its reviews' grades, grading inputs, tallies and scope exceptions (``FROZEN_PARTS``);
* its meeting's results: the rated list, ballot counts, publication and the frozen settings;
* its ballots, committed or not;
* the grading record itself, except by reopening;
* a branch or the organisation in a way that moves a branch in or out of that year's scope.

Everything else (feedback, 约谈, rectification, the work report, the submission) goes on.
"""

from __future__ import annotations

from typing import Callable

from schema.grading import frozen_changes, frozen_message
from schema.records import Finalisation, Meeting, OrgYear, Record, Review

MEETING_PARTS: dict[str, str] = {
    "order": "述职名单",
    "ballots": "测评票数",
    "published": "测评结果的公布",
    "frozen": "测评设置",
    "form": "测评方式",
}


def frozen_parts(kind: str, old: Record | None, new: Record | None, scope: Callable[[Record | None], object] | None = None) -> list[str]:
    """The frozen parts a change from ``old`` to ``new`` (None: no file) of a record of ``kind``
    (a key of ``RECORD_TYPES``) touches, given that its organisation's year is finalised.

    ``scope``: for branch and organisation records, what the finalised year's scope makes of
    the record (a branch's, or every branch's, in/out and reason); a change is frozen when
    that differs."""
    if old == new:
        return []
    if kind == "review":
        before = old if isinstance(old, Review) else None
        after = new if isinstance(new, Review) else None
        if before is None or after is None:
            return ["评议记录"]
        return frozen_changes(before, after)
    if kind == "meeting":
        if not isinstance(old, Meeting) or not isinstance(new, Meeting):
            return ["评议会记录"]
        return [label for part, label in MEETING_PARTS.items() if getattr(old, part) != getattr(new, part)]
    if kind == "ballot":
        return ["测评票"]
    if kind == "org_year":
        if not isinstance(old, OrgYear) or not isinstance(new, OrgYear):
            return ["定档记录"]
        if new.grading != old.grading and not is_reopening(old.grading, new.grading):
            return ["定档记录"]
        return []
    if kind in ("branch", "org") and scope is not None:
        return ["述职范围"] if scope(old) != scope(new) else []
    return []


def is_reopening(old: Finalisation, new: Finalisation) -> bool:
    """Lifting the freeze the one allowed way: not finalised any more, a reason added."""
    return (old.finalised and not new.finalised
            and len(new.reopen_reasons) == len(old.reopen_reasons) + 1
            and new.reopen_reasons[: len(old.reopen_reasons)] == old.reopen_reasons)


def refusal(org_name: str, fin: Finalisation, path: str, parts: list[str]) -> str:
    """The message a frozen change is refused with: who froze what, where, and how to reopen."""
    return f"{frozen_message(org_name, fin, parts)}（{path}）"


__all__ = ["MEETING_PARTS", "frozen_parts", "is_reopening", "refusal"]
