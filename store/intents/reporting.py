"""What organisations send up (F8): statistics, the work report, the stamped scan."""

from __future__ import annotations

from store.intents.base import Intents


class ReportingIntents(Intents):
    pass


__all__ = ["ReportingIntents"]
