"""The one clock: what day it is and what time, in the archive's time zone.

Made once where the program starts (``Clock.from_env``: ``SHUPING_TODAY`` fixes the day for
the demo and the tests) and passed to whatever needs the date; its time zone follows the
archive's settings (``in_zone``). Nothing else reads the system clock for dates people see.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Mapping
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
ENV_TODAY = "SHUPING_TODAY"


@dataclass(frozen=True)
class Clock:
    tz: str = DEFAULT_TZ
    fixed_today: date | None = None  # the demo's and the tests' day; None: the real one

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Clock:
        text = env.get(ENV_TODAY, "").strip()
        try:
            return cls(fixed_today=date.fromisoformat(text) if text else None)
        except ValueError:
            raise ValueError(f"环境变量 {ENV_TODAY}=“{text}”不是日期，应写作 2021-01-20") from None

    def in_zone(self, tz: str) -> Clock:
        return self if tz == self.tz else replace(self, tz=tz)

    def today(self) -> date:
        return self.fixed_today or datetime.now(ZoneInfo(self.tz)).date()

    def now(self) -> datetime:
        """Now in the archive's zone; on a fixed day, that day at the wall-clock time."""
        now = datetime.now(ZoneInfo(self.tz)).replace(microsecond=0)
        return datetime.combine(self.fixed_today, now.timetz()) if self.fixed_today else now


__all__ = ["Clock", "DEFAULT_TZ", "ENV_TODAY"]
