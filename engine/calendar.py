"""Danish working days: weekends and public holidays are not working days."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DANISH_TIME = ZoneInfo("Europe/Copenhagen")


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.Denmark(years=year).keys())


def is_working_day(day: date) -> bool:
    """True on Monday–Friday that is not a Danish public holiday."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: datetime, count: int) -> datetime:
    """The moment `count` working days after `start`, same time of day in Danish time."""
    local = start.astimezone(DANISH_TIME)
    day = local.date()
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), DANISH_TIME)
