"""Records changed one at a time: a branch, an organisation's own year record, any record a
screen edits as a form."""

from __future__ import annotations

from schema.records import Record
from store.archive import Stored
from store.intents.base import Intents


class RecordIntents(Intents):
    def save(self, stored: Stored, record: Record, message: str, body: str = ""):
        """Write one record over the version read, as one commit; returns (Saved, new Stored)."""
        return self.service.save(stored, record, message, body)


__all__ = ["RecordIntents"]
