"""Campaign records the store creates: the 2020 notice, and next year's from this year's."""

from __future__ import annotations

from datetime import date

from schema.records import Campaign


def notice_2020() -> Campaign:
    return Campaign(
        year=2020,
        title="2020年度党支部书记述职评议考核",
        notice_date=date(2020, 12, 23),
        report_deadline=date(2021, 1, 30),
        completion_deadline=date(2021, 1, 31),
    )
