"""Dates and times as users read them: 2021年1月30日."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def cn_date(d: date | None) -> str:
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日"


def cn_short_date(d: date | None, today: date) -> str:
    """For narrow tables: 6月30日 within the current year, 2022年6月30日 otherwise."""
    if d is None:
        return "—"
    return f"{d.month}月{d.day}日" if d.year == today.year else cn_date(d)


def cn_datetime(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    local = dt.astimezone(ZoneInfo(tz))
    return f"{cn_date(local.date())} {local:%H:%M}"


def today(tz: str = DEFAULT_TZ) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def parse_date(text: str) -> date | None:
    """A date as users type it: 2021-01-30, 2021-1-30, 2021/1/30 or 2021年1月30日; blank → None."""
    import re

    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not m:
        raise ValueError(f"“{text}”不是日期，请写成 2021-01-30")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"没有这一天：{text}") from None
