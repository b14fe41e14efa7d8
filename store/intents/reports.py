"""述职报告 (F4): import, edit and move a report through review."""

from __future__ import annotations

from store.intents.base import Intents


class ReportIntents(Intents):
    pass


__all__ = ["ReportIntents"]
