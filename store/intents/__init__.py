"""The service's intents, one module per area of work. Each area is a class taking the
service; ``Service`` makes one of each, reached as ``service.<area>``."""

from __future__ import annotations

from store.intents.ballots import BallotIntents
from store.intents.base import Intents
from store.intents.campaign import CampaignIntents
from store.intents.followup import FollowupIntents
from store.intents.grading import GradingIntents
from store.intents.meeting import MeetingIntents
from store.intents.papers import PaperIntents
from store.intents.records import RecordIntents
from store.intents.reports import ReportIntents
from store.intents.sendup import SendUpIntents
from store.intents.sync import SyncIntents


def areas() -> dict[str, type[Intents]]:
    return {
        "records": RecordIntents,
        "grading": GradingIntents,
        "followup": FollowupIntents,
        "meeting": MeetingIntents,
        "ballots": BallotIntents,
        "reports": ReportIntents,
        "sendup": SendUpIntents,
        "campaign": CampaignIntents,
        "papers": PaperIntents,
        "sync": SyncIntents,
    }


__all__ = ["areas"]
