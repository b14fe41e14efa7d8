"""Records changed one at a time: a branch, an organisation's own year record, any record a
screen edits as a form."""

from __future__ import annotations

from schema.branch_form import save_message, scope_exception_message
from schema.records import Branch, Record, ScopeException
from store.archive import Stored
from store.intents.base import Intents


class RecordIntents(Intents):
    def save(self, stored: Stored, record: Record, message: str, body: str = ""):
        """Write one record over the version read, as one commit; returns (Saved, new Stored)."""
        return self.service.save(stored, record, message, body)

    def save_branch(self, branch_id: str, branch: Branch, base: Stored[Branch] | None = None) -> Stored[Branch] | None:
        """Save a branch's master record as one commit (“修改党支部：名称（支部书记 甲 → 乙）”);
        None when nothing changed. ``base`` is the version the form was filled from (default:
        the snapshot's), so that someone else's change meanwhile is refused, not overwritten."""
        base = base or self.snapshot.branches[branch_id]
        message = save_message(base.record, branch)
        if not message:
            return None
        _, saved = self.service.save(base, branch, message)
        return saved

    def set_scope_exception(self, branch_id: str, exception: ScopeException) -> Stored:
        """Record that a branch is in (or out of) this year's scope against the rule, and why;
        kept on its review. Returns the saved review."""
        stored = self.snapshot.review(branch_id)
        review = stored.record.model_copy(update={"scope_exception": exception})
        name = self.snapshot.branches[branch_id].record.name
        _, saved = self.service.save(stored, review, scope_exception_message(name, exception))
        return saved


__all__ = ["RecordIntents"]
