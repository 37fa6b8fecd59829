"""PyMySQL column definitions parsed once per process (common/mysql_driver.py).

MariaDB/MySQL only: the app's connections are ours, a statement run again
reuses the parsed definitions, and columns of the same name but another
type, table or alias still get their own (values decoded by their type)."""

from datetime import datetime
from decimal import Decimal

import pytest
from pymysql.converters import convert_datetime
from sqlalchemy import text

from inventory_api.common import mysql_driver
from inventory_api.extensions import db


@pytest.fixture
def mysql_only(app):
    with app.app_context():
        if db.engine.dialect.driver != "pymysql":
            pytest.skip("PyMySQL only")


def test_date_times_read_as_pymysql_reads_them():
    for value in ("2026-12-04 10:11:12", "2026-12-04 10:11:12.5", "2026-12-04 10:11:12.123",
                 "2026-12-04 10:11:12.123456", "1000-01-01 00:00:00", "9999-12-31 23:59:59.999999",
                 "0000-00-00 00:00:00", "2026-02-30 10:00:00", "2026-12-04", "2026-12-04T10:11:12",
                 "2026-12-04 10:11:12+01:00", "2026-12-04 10:11:12.1234567", "garbage", ""):
        ours, theirs = mysql_driver.read_datetime(value), convert_datetime(value)
        assert ours == theirs and type(ours) is type(theirs), value


def _fields(statement):
    """The parsed column definitions of `statement`'s result, and its rows."""
    connection = db.session.connection().connection.dbapi_connection
    assert isinstance(connection, mysql_driver.Connection)
    rows = db.session.execute(text(statement)).all()
    return list(connection._result.fields), rows


def test_a_statement_run_again_reuses_its_parsed_column_definitions(app, mysql_only):
    with app.app_context():
        first, rows = _fields("SELECT id, sku, price FROM products ORDER BY id LIMIT 1")
        again, rows_again = _fields("SELECT id, sku, price FROM products ORDER BY id LIMIT 1")
        assert [f.name for f in first] == ["id", "sku", "price"]
        assert all(a is b for a, b in zip(first, again, strict=True))
        assert rows == rows_again


def test_columns_of_one_name_but_other_types_keep_their_own_definitions(app, mysql_only):
    with app.app_context():
        number, number_rows = _fields("SELECT 7 AS value")
        word, word_rows = _fields("SELECT 'seven' AS value")
        amount, amount_rows = _fields("SELECT CAST(7.25 AS DECIMAL(12,2)) AS value")
        moment, moment_rows = _fields("SELECT CAST('2026-12-04 10:11:12' AS DATETIME) AS value")
        _, fine_rows = _fields("SELECT CAST('2026-12-04 10:11:12.012' AS DATETIME(6)) AS value")
        renamed, _ = _fields("SELECT 7 AS other")
        assert len({id(number[0]), id(word[0]), id(amount[0]), id(moment[0]),
                    id(renamed[0])}) == 5
        assert number_rows[0].value == 7
        assert word_rows[0].value == "seven"
        assert amount_rows[0].value == Decimal("7.25")
        assert moment_rows[0].value == datetime(2026, 12, 4, 10, 11, 12)
        assert fine_rows[0].value == datetime(2026, 12, 4, 10, 11, 12, 12000)
        assert renamed[0].name == "other"


def test_a_full_cache_starts_over_and_reads_stay_right(app, monkeypatch, mysql_only):
    monkeypatch.setattr(mysql_driver, "MAX_DEFINITIONS", 2)
    monkeypatch.setattr(mysql_driver, "_parsed", {})
    with app.app_context():
        for n in range(5):
            fields, rows = _fields(f"SELECT {n} AS a, 'x{n}' AS b, {n} + 1 AS c")
            assert [f.name for f in fields] == ["a", "b", "c"]
            assert tuple(rows[0]) == (n, f"x{n}", n + 1)
            assert len(mysql_driver._parsed) <= 2
