"""Grading (F6): save an organisation's grades, finalise, reopen."""

from __future__ import annotations

from store.intents.base import Intents


class GradingIntents(Intents):
    pass


__all__ = ["GradingIntents"]
