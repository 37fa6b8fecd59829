"""Fixtures: one app per session on a schema built by the migrations, a clean
database for every test, and users/tokens per role.

Runs on SQLite (a temporary file) by default, on MySQL/MariaDB or PostgreSQL
when `TEST_DATABASE_URL` is set (e.g.
`mysql+pymysql://inv:inv@127.0.0.1:3306/inventory_test` or
`postgresql+psycopg://postgres@127.0.0.1:5432/inventory_test`).
"""

import os
import tempfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, text

from inventory_api import create_app
from inventory_api.extensions import db, limiter

PASSWORD = "correct-horse-battery"


def _database_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    folder = tempfile.mkdtemp(prefix="inventory-tests-")
    return f"sqlite:///{folder}/test.db"


def _drop_everything():
    """Drop every table (also ones no model knows any more) so migrations start from empty."""
    engine = db.engine
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "mysql":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in meta.sorted_tables:
                conn.execute(text(f"DROP TABLE IF EXISTS `{table.name}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
        elif engine.dialect.name == "postgresql":
            if meta.tables:  # one statement; CASCADE also takes foreign keys in cycles
                names = ", ".join(f'"{name}"' for name in meta.tables)
                conn.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
            enums = conn.execute(text(  # types a migration may have created
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                " WHERE t.typtype = 'e' AND n.nspname = current_schema()")).scalars().all()
            for name in enums:
                conn.execute(text(f'DROP TYPE IF EXISTS "{name}" CASCADE'))
        else:
            meta.drop_all(bind=conn)


def pytest_collection_modifyitems(config, items):
    """`server_db` tests (real concurrency) need MySQL/MariaDB or PostgreSQL."""
    if not _database_url_is_sqlite():
        return
    skip = pytest.mark.skip(reason="needs MySQL/MariaDB or PostgreSQL (set TEST_DATABASE_URL):"
                                   " SQLite serializes all writers, so concurrency proves nothing")
    for item in items:
        if "server_db" in item.keywords:
            item.add_marker(skip)


def _database_url_is_sqlite():
    return (os.environ.get("TEST_DATABASE_URL") or "sqlite").startswith("sqlite")


@pytest.fixture(scope="session")
def app():
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": _database_url()})
    with app.app_context():
        _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _wipe(app):
    """Empty every table. A DELETE per table, children first: on PostgreSQL it
    takes ~3 ms for our tables where TRUNCATE ... RESTART IDENTITY CASCADE takes
    ~75 ms; ids are not restarted on any database, so no test may assume them."""
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "mysql":
                conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in tables:
                conn.execute(table.delete())
            if db.engine.dialect.name == "mysql":
                conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture(autouse=True)
def clean_db(app):
    """Every test starts with empty tables and fresh rate-limit counters."""
    yield
    _wipe(app)
    limiter.reset()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user of a role directly through the service; returns its id."""
    from inventory_api.users.service import create_user

    counter = {"n": 0}

    def make(role="employee", email=None, store_ids=(), password=PASSWORD, active=True):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.com"
        with app.app_context():
            user = create_user({
                "email": email, "password": password, "name": f"{role.title()} {counter['n']}",
                "role": role, "store_ids": list(store_ids), "active": active,
            })
            return {"id": user.id, "email": user.email, "client_id": user.client_id,
                    "password": password}

    return make


@pytest.fixture
def login(client):
    def do(email, password=PASSWORD):
        response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.json
        return response.json

    return do


@pytest.fixture
def auth(make_user, login):
    """`auth("manager")` → headers with a fresh bearer token for a new user of that role."""

    def headers(role="admin", **kwargs):
        user = make_user(role, **kwargs)
        tokens = login(user["email"], user["password"])
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    return headers


def assert_error(response, code):
    """The contract's error shape, with the expected status."""
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    return body


pytest_plugins = ["tests.stock_fixtures"]
