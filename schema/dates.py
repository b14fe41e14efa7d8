"""Dates and times as users read them: 2021年1月30日."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def cn_date(d: date | None) -> str:
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    local = dt.astimezone(ZoneInfo(tz))
    return f"{cn_date(local.date())} {local:%H:%M}"


def today(tz: str = DEFAULT_TZ) -> date:
    return datetime.now(ZoneInfo(tz)).date()
