"""The business's calendar: where its days start, for filters, reports and aging.

Timestamps are stored and answered in UTC. Days, weeks and months are the
business's own: `BUSINESS_TIMEZONE` (an IANA name such as `Europe/Madrid`,
default `UTC`) says where a day starts. Everything that turns a timestamp
into a day goes through this module:

* `within_days(column, date_from, date_to)`: the SQL conditions of the
  `date_from` / `date_to` query args (whole local days, both included);
* `today()`, `day_start(day)`, `local_date(instant)`: the same calendar in
  Python;
* `local_day_number(column, first, last)`: a SQL expression giving the local
  day of a timestamp column as an integer (days since 1970-01-01), the same
  on SQLite, MySQL/MariaDB and PostgreSQL, for reports that group by day
  (`day_from_number` turns it back into a date).

No database's time zone support is used (MariaDB ships without its zone
tables; SQLite has none): the offsets of the zone between two instants are
read from Python's `zoneinfo` and written into the statement.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import BigInteger, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86400


@lru_cache(maxsize=16)
def zone_named(name):
    """The `ZoneInfo` for an IANA name; ValueError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {name!r}: use an IANA name such as "
                         "'UTC' or 'Europe/Madrid'.") from None


def business_zone():
    return zone_named(current_app.config.get("BUSINESS_TIMEZONE") or "UTC")


def now():
    return datetime.now(UTC)


def today():
    """The business's current date."""
    return now().astimezone(business_zone()).date()


def local_date(instant):
    """The business's date of an aware instant."""
    return instant.astimezone(business_zone()).date()


def day_start(day):
    """The first instant of the business's `day`, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=business_zone()).astimezone(UTC)


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


def offsets_between(first, last, zone=None):
    """The zone's UTC offsets from instant `first` to `last`: `[(since, seconds)]`.

    The first entry's `since` is None (it holds before the first change); each
    later one starts at a change of offset (daylight saving time). Found by
    reading the offset once a day and narrowing each change to the second.
    """
    zone = zone or business_zone()
    first, last = first.astimezone(UTC), last.astimezone(UTC)

    def offset(instant):
        return int(instant.astimezone(zone).utcoffset().total_seconds())

    spans = [(None, offset(first))]
    step = timedelta(days=1)
    probe = first
    while probe < last:
        following = min(probe + step, last)
        if offset(following) != spans[-1][1]:
            low, high = probe, following  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            spans.append((high.replace(microsecond=0), offset(following)))
        probe = following
    return spans


class epoch_seconds(FunctionElement):  # noqa: N801  (used like a SQL function)
    """Whole seconds since 1970-01-01 of a naive-UTC timestamp column."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds)
def _epoch_postgresql(element, compiler, **kw):
    # a `timestamp without time zone` is taken as it stands: stored UTC stays UTC
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "mysql")
@compiles(epoch_seconds, "mariadb")
def _epoch_mysql(element, compiler, **kw):
    # arithmetic on the stored value (UNIX_TIMESTAMP would apply the session's zone)
    return ("TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', "
            f"{compiler.process(element.clauses, **kw)})")


class whole_days(FunctionElement):  # noqa: N801
    """Integer division of a non-negative number of seconds by a day."""

    type = BigInteger()
    inherit_cache = True
    name = "whole_days"


@compiles(whole_days)
def _whole_days(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) / {SECONDS_PER_DAY})"


@compiles(whole_days, "mysql")
@compiles(whole_days, "mariadb")
def _whole_days_mysql(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) DIV {SECONDS_PER_DAY})"


def local_day_number(column, first, last):
    """SQL: the business's day of `column` as days since 1970-01-01 (an integer).

    `first` and `last` bound the instants the statement may meet (e.g. the
    report's period); outside them the nearest offset applies. In a zone
    without daylight saving time the expression has no CASE at all.
    """
    seconds = epoch_seconds(column)
    spans = offsets_between(first, last)
    if len(spans) == 1:
        shifted = seconds + literal(spans[0][1]) if spans[0][1] else seconds
    else:
        whens = [(seconds < int(since.timestamp()), previous)
                 for (since, _), (_, previous) in zip(spans[1:], spans, strict=False)]
        shifted = seconds + case(*whens, else_=spans[-1][1])
    return whole_days(shifted)


def day_from_number(number):
    """The date `local_day_number` gave as an integer."""
    return EPOCH + timedelta(days=int(number))


def number_of_day(day):
    return (day - EPOCH).days
