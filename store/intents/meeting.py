"""The meeting (F5): its record, the speaking order, reconciliation and publishing."""

from __future__ import annotations

from store.intents.base import Intents


class MeetingIntents(Intents):
    pass


__all__ = ["MeetingIntents"]
