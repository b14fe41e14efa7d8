"""Dates and times as users read and write them: 2021年1月30日."""

import re
import unicodedata
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


class DateError(ValueError):
    """Text that is not a date; the message says so in Chinese."""


class NoSuchDay(DateError):
    """Year, month and day written correctly, but the calendar has no such day (2021年2月30日)."""


_SEPARATED = re.compile(r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})")
_CHINESE = re.compile(r"([0-9]{4})\s*(年)\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?")
_COMPACT = re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})")


def parse_date(text: str) -> date | None:
    """The one parser for dates as people write them; blank → None.

    2021-01-15, 2021-1-15, 2021/1/15, 2021.1.15, 2021年1月15日 (or 15号) or 20210115, with full-width
    digits and spaces allowed. Raises DateError (NoSuchDay for 2021年2月30日) with a Chinese message.
    """
    shown = text.strip()
    normal = unicodedata.normalize("NFKC", text).strip()
    if not normal:
        return None
    for form in (_SEPARATED, _CHINESE, _COMPACT):
        m = form.fullmatch(normal)
        if m:
            year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
            try:
                return date(year, month, day)
            except ValueError:
                raise NoSuchDay(f"没有这一天：{year}年{month}月{day}日") from None
    raise DateError(f"“{shown}”不是日期，可写作 2021-01-15 或 2021年1月15日")


def form_date(text: str) -> date | str | None:
    """A form's date field on its way to record validation: the date when the text is one, else the
    text as typed, for validation to refuse with the field's name."""
    try:
        return parse_date(text)
    except DateError:
        return text
