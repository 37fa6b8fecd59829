"""The server pool (common/pool.py): no ROLLBACK after a COMMIT, a rollback when a
transaction is still open, and a ping only for connections idle long enough.

Run against MariaDB and PostgreSQL (SQLite keeps its own pool)."""

from datetime import datetime

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from inventory_api.categories.models import Category
from inventory_api.common import pool
from inventory_api.extensions import db

pytestmark = pytest.mark.server_db


@pytest.fixture
def count_rollbacks(app, monkeypatch):
    """Counts the driver's own `rollback()` calls (and still runs them)."""
    with app.app_context():
        raw = db.engine.raw_connection()
        driver_class = type(raw.dbapi_connection)
        raw.close()
    calls = []
    original = driver_class.rollback

    def counted(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(driver_class, "rollback", counted)
    return calls


def _engine(app, ping_idle_seconds, **options):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **pool.engine_options({
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_size": 1, "max_overflow": 0}))
    pool.configure(engine, ping_idle_seconds, **options)
    return engine


def _server_id(connection):
    if connection.dialect.name == "mysql":
        return connection.execute(text("SELECT CONNECTION_ID()")).scalar_one()
    return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _kill(app, server_id):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "mysql":
            connection.execute(text(f"KILL {int(server_id)}"))
        else:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": server_id})


def test_a_committed_write_returns_its_connection_without_a_rollback(
        client, auth, count_rollbacks):
    headers = auth("admin")
    count_rollbacks.clear()
    response = client.post("/api/v1/categories", json={"name": "Pooled"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert count_rollbacks == []  # COMMIT, then back to the pool as it is
    response = client.get(f"/api/v1/categories/{response.get_json()['id']}", headers=headers)
    assert response.get_json()["name"] == "Pooled"
    assert len(count_rollbacks) == 1  # a read ends its transaction with one rollback


def test_a_connection_returned_inside_a_transaction_is_rolled_back(app):
    engine = _engine(app, ping_idle_seconds=None)
    try:
        statement = insert(Category.__table__).values(
            name="Left open", name_key="left open", created_at=datetime(2026, 1, 1),
            updated_at=datetime(2026, 1, 1))
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
        raw = engine.raw_connection()  # no SQLAlchemy transaction: only the pool can end it
        raw.cursor().execute(sql)
        raw.close()
        with engine.begin() as connection:  # the same (only) connection, then COMMIT
            left = connection.execute(select(func.count()).select_from(Category.__table__)
                                      .where(Category.name == "Left open")).scalar_one()
        assert left == 0
    finally:
        engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced_by_the_ping(app):
    engine = _engine(app, ping_idle_seconds=0)
    try:
        with engine.connect() as connection:
            first = _server_id(connection)
        _kill(app, first)
        with engine.connect() as connection:
            second = _server_id(connection)
        assert second != first
    finally:
        engine.dispose()


@pytest.mark.parametrize("ping_idle_seconds", [None, 3600])
def test_without_a_ping_a_dropped_connection_fails_once_then_the_pool_is_fresh(
        app, ping_idle_seconds):
    engine = _engine(app, ping_idle_seconds)
    try:
        with engine.connect() as connection:
            first = _server_id(connection)
        _kill(app, first)
        connection = engine.connect()
        with pytest.raises(DBAPIError) as raised:
            _server_id(connection)
        assert raised.value.connection_invalidated
        connection.close()
        with app.test_request_context("/api/v1/products"):  # what a request would answer
            response = app.make_response(app.handle_user_exception(raised.value))
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        assert response.get_json()["code"] == 503
        assert "connection was lost" in response.get_json()["message"]
        with engine.connect() as connection:
            assert _server_id(connection) != first
    finally:
        engine.dispose()


@pytest.mark.parametrize("status, open_", [(0, False), (1, True), (3, True), (2, False)])
def test_in_transaction_reads_the_mysql_status_flag(status, open_):
    class Driver:
        server_status = status

    assert pool.in_transaction(Driver()) is open_


def test_a_plan_each_time_statement_is_never_prepared(app):
    """psycopg prepares a statement after 5 runs; one marked `PLAN_EACH_TIME` (a
    counted product page) stays unprepared, a plain one is prepared as usual."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements: PostgreSQL (psycopg) only")
        marked = select(Category.id, text("'marked-statement'")).execution_options(
            **{pool.PLAN_EACH_TIME: True})
        plain = select(Category.id, text("'plain-statement'"))
        for _ in range(8):
            db.session.execute(marked).all()
            db.session.execute(plain).all()
        prepared = list(db.session.scalars(text("SELECT statement FROM pg_prepared_statements")))
        assert any("plain-statement" in s for s in prepared), prepared
        assert not any("marked-statement" in s for s in prepared), prepared


def _transaction_ids(connection):
    """The server's transaction id of two statements in a row."""
    return [connection.execute(text("SELECT txid_current()")).scalar_one() for _ in range(2)]


def test_a_read_only_request_on_postgresql_runs_without_a_transaction(app):
    """No BEGIN (each statement is its own transaction) and no ROLLBACK to send; the
    connection goes back to the pool transactional again for the next request."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("autocommit reads: PostgreSQL (psycopg) only")
    request = {"read_only": True}
    engine = _engine(app, None, read_only=lambda: request["read_only"])
    try:
        with engine.connect() as connection:
            first, second = _transaction_ids(connection)
            raw = connection.connection.dbapi_connection
            assert raw.autocommit is True
            assert raw.info.transaction_status.name == "IDLE"  # nothing open to end
        assert first != second
        request["read_only"] = False
        with engine.connect() as connection:
            first, second = _transaction_ids(connection)
            assert connection.connection.dbapi_connection is raw  # the pool's only one
            assert raw.autocommit is False
            assert raw.info.transaction_status.name == "INTRANS"
        assert first == second
    finally:
        engine.dispose()


def test_a_read_only_request_on_mariadb_keeps_its_transaction(app):
    """PyMySQL would need a SET round trip each way: reads stay in a transaction."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("MariaDB/MySQL behaviour")
    engine = _engine(app, None, read_only=lambda: True)
    try:
        with engine.connect() as connection:
            connection.execute(select(func.count()).select_from(Category.__table__))
            state = connection.execute(text("SELECT @@autocommit, @@in_transaction")).one()
            assert tuple(state) == (0, 1)
    finally:
        engine.dispose()


def test_a_get_reads_what_a_write_committed_a_moment_before(client, auth):
    """Through the app: the read (autocommit on PostgreSQL) sees the write, and a
    write after it (transactional again) commits as one unit."""
    headers = auth("admin")
    for name in ("One", "Two"):
        created = client.post("/api/v1/categories", json={"name": name}, headers=headers)
        assert created.status_code == 201, created.get_json()
        read = client.get(f"/api/v1/categories/{created.get_json()['id']}", headers=headers)
        assert read.status_code == 200 and read.get_json()["name"] == name
    listed = client.get("/api/v1/categories?page_size=50", headers=headers).get_json()
    assert sorted(c["name"] for c in listed) == ["One", "Two"]
