"""The business's calendar (common/dates.py): where its days start, in Python and in SQL.

`local_day_number` must give the same local day on SQLite, MariaDB and
PostgreSQL, across a daylight-saving change, without the databases' own time
zone support; `within_days` and `today` follow BUSINESS_TIMEZONE.
"""

from datetime import UTC, date, datetime
from unittest.mock import patch

import pytest
from sqlalchemy import insert, select

from inventory_api import create_app
from inventory_api.categories.models import Category
from inventory_api.common import dates
from inventory_api.extensions import db

# instant (UTC) → the day it is in Europe/Madrid (UTC+1 in winter, UTC+2 in summer;
# clocks went forward at 01:00 UTC on 2026-03-29 and back at 01:00 UTC on 2026-10-25)
MADRID_DAYS = [
    (datetime(2026, 1, 10, 22, 59, 59, tzinfo=UTC), date(2026, 1, 10)),
    (datetime(2026, 1, 10, 23, 0, 0, tzinfo=UTC), date(2026, 1, 11)),
    (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 29)),
    (datetime(2026, 7, 1, 21, 59, tzinfo=UTC), date(2026, 7, 1)),
    (datetime(2026, 7, 1, 22, 0, tzinfo=UTC), date(2026, 7, 2)),
    (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), date(2026, 10, 24)),
    (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), date(2026, 10, 25)),
    (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), date(2026, 10, 25)),
    (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 26)),
]


@pytest.fixture
def madrid(app):
    saved = app.config.get("BUSINESS_TIMEZONE")
    app.config["BUSINESS_TIMEZONE"] = "Europe/Madrid"
    yield
    app.config["BUSINESS_TIMEZONE"] = saved


def _stamp_categories(instants):
    db.session.execute(insert(Category), [
        {"name": f"c{i}", "created_at": instant} for i, instant in enumerate(instants)])
    db.session.flush()


def test_local_day_number_matches_python_across_dst_changes(app, madrid):
    with app.app_context():
        _stamp_categories([instant for instant, _ in MADRID_DAYS])
        day = dates.local_day_number(Category.created_at, datetime(2026, 1, 1, tzinfo=UTC),
                                     datetime(2026, 12, 31, tzinfo=UTC))
        got = db.session.execute(select(Category.name, day).order_by(Category.id)).all()
        assert [dates.day_from_number(n) for _, n in got] == [d for _, d in MADRID_DAYS]
        assert [dates.local_date(instant) for instant, _ in MADRID_DAYS] == \
            [d for _, d in MADRID_DAYS]


def test_local_day_number_in_utc_has_no_case(app):
    with app.app_context():
        _stamp_categories([datetime(2026, 5, 1, 23, 59, 59, tzinfo=UTC),
                           datetime(2026, 5, 2, 0, 0, tzinfo=UTC)])
        day = dates.local_day_number(Category.created_at, datetime(2026, 1, 1, tzinfo=UTC),
                                     datetime(2026, 12, 31, tzinfo=UTC))
        assert "CASE" not in str(day.compile(db.engine)).upper()
        got = db.session.scalars(select(day).order_by(Category.id)).all()
        assert [dates.day_from_number(n) for n in got] == [date(2026, 5, 1), date(2026, 5, 2)]


def test_within_days_takes_whole_local_days(app, madrid):
    with app.app_context():
        _stamp_categories([instant for instant, _ in MADRID_DAYS])
        names = db.session.scalars(select(Category.name).where(
            *dates.within_days(Category.created_at, date(2026, 10, 25), date(2026, 10, 25)))
            .order_by(Category.id)).all()
        # the two instants of 25 October, Madrid time (one before, one after the change)
        assert names == ["c6", "c7"]


def test_today_is_the_business_day(app, madrid):
    late_evening_utc = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 July in Madrid
    with app.app_context(), patch.object(dates, "now", return_value=late_evening_utc):
        assert dates.today() == date(2026, 7, 2)
        assert dates.day_start(date(2026, 7, 2)) == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)


def test_offsets_between_finds_each_change_to_the_second():
    spans = dates.offsets_between(datetime(2026, 1, 1, tzinfo=UTC),
                                  datetime(2026, 12, 31, tzinfo=UTC),
                                  dates.zone_named("Europe/Madrid"))
    assert spans == [(None, 3600),
                     (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
                     (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 3600)]


def test_an_unknown_zone_stops_the_app_at_start():
    with pytest.raises(RuntimeError, match="BUSINESS_TIMEZONE.*Mars/Olympus"):
        create_app({"APP_ENV": "testing", "BUSINESS_TIMEZONE": "Mars/Olympus"})
