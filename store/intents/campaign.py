"""The campaign (F9): its settings, the roster import, a new year."""

from __future__ import annotations

from store.intents.base import Intents


class CampaignIntents(Intents):
    pass


__all__ = ["CampaignIntents"]
