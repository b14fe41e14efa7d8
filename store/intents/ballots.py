"""Ballots keyed at a meeting: finish, correct, invalidate, the open ballot's draft."""

from __future__ import annotations

from store.intents.base import Intents


class BallotIntents(Intents):
    pass


__all__ = ["BallotIntents"]
