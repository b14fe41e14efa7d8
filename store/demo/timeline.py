"""The demo's clock: its commits are dated along its own story (roster in December 2020,
reports in early January, each meeting on its day, grading after, all by the demo's today
2021-01-25), not when the demo happens to be built."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from store.archive import active_commit_clock

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2020, 12, 24, 9, 0, tzinfo=TZ)  # the archive is set up and the roster imported
STEP = timedelta(minutes=2)  # between one commit and the next


class Timeline:
    """Each call dates one commit, ``STEP`` after the last; ``at`` moves on to a later moment."""

    def __init__(self, start: datetime = START, step: timedelta = STEP):
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        now = self.now
        self.now += self.step
        return now

    def at(self, when: datetime) -> None:
        self.now = max(self.now, when)  # never back: the history stays in order


def at(when: datetime) -> None:
    """Move the demo's clock on to ``when``; nothing outside the demo builder (a step run on
    its own commits at the current time)."""
    clock = active_commit_clock()
    if isinstance(clock, Timeline):
        clock.at(when)


def on(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of the demo's story, in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)
