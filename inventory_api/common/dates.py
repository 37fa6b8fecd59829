"""Date filters: `date_from` / `date_to` (whole days, both included) on timestamp columns.

Days are UTC days today; this is the one place that decides where a day starts.
"""

from datetime import UTC, datetime, time, timedelta


def day_start(day):
    """The first instant of `day` (an aware UTC datetime)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def within_days(column, date_from=None, date_to=None):
    """SQL conditions for `column` on or after `date_from` and on or before `date_to`.

    Either bound may be None (no condition). Returns a list for `.where(*...)`.
    """
    conditions = []
    if date_from is not None:
        conditions.append(column >= day_start(date_from))
    if date_to is not None:
        conditions.append(column < day_start(date_to + timedelta(days=1)))
    return conditions
