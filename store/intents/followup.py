"""After grading: feedback, 约谈, 通报 and rectification tasks with their evidence."""

from __future__ import annotations

from store.intents.base import Intents


class FollowupIntents(Intents):
    pass


__all__ = ["FollowupIntents"]
