"""The day a check is made as of, and how to read one from the command line.

Nothing in the library reads the real date: the CLI asks a clock (a callable returning a
:class:`datetime.date`, :func:`datetime.date.today` unless a caller injects another) once per
command and passes the day down as ``as_of``. That is what lets anyone reproduce what was
valid on a past day, and lets the tests name the day they mean.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

#: Something that tells the day: :func:`datetime.date.today`, or a fixed day in a test.
Clock = Callable[[], dt.date]

SYSTEM_CLOCK: Clock = dt.date.today

# date.fromisoformat also takes 20270701 and 2027-W26-4; a day on the command line is
# written one way only, so that a typo is not read as some other day.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> dt.date:
    """Read a day written ``YYYY-MM-DD``; raise ValueError saying what was wrong.

    >>> parse_day("2028-02-29")
    datetime.date(2028, 2, 29)
    >>> parse_day("2027-02-29")
    Traceback (most recent call last):
    ...
    ValueError: '2027-02-29' is not a day of the calendar (day is out of range for month)
    """
    value = text.strip()
    if not _DAY.fullmatch(value):
        raise ValueError(f"'{text}' is not a day (expected YYYY-MM-DD, e.g. 2027-07-01)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a day of the calendar ({err})") from None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month if it is shorter.

    >>> add_months(dt.date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> add_months(dt.date(2022, 1, 31), 1)
    datetime.date(2022, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
