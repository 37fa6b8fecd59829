"""`flask backup` / `flask restore` on the test database's own engine.

SQLite restores into a new file under tmp_path; MySQL/MariaDB and
PostgreSQL into a second database on the same server, named after the test
database with `_restore` appended (created when missing, emptied around
every test).
"""

import stat
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import MetaData, func, make_url, select, text

from inventory_api import create_app
from inventory_api.extensions import db
from inventory_api.ops.backup import drop_everything
from inventory_api.seed import seed_demo
from inventory_api.stock import queries
from inventory_api.stock.models import Movement
from inventory_api.stock.service import Change, post_movements

MAX_WRITES = 400  # posts by the writer thread, at most
WRITE_SECONDS = 30  # and for at most this long


def _backend(app):
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def _create_database(engine, name):
    if engine.dialect.name == "mysql":
        with engine.begin() as conn:
            conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{name}` "
                              "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                        {"name": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))


@pytest.fixture
def target_app(app, tmp_path):
    """An app on an empty database to restore into."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if source.get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        target = source.set(database=f"{source.database}_restore")
        with app.app_context():
            _create_database(db.engine, target.database)
        url = target.render_as_string(hide_password=False)
    target_app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with target_app.app_context():
        drop_everything(db.engine)  # whatever an interrupted run left there
    yield target_app
    with target_app.app_context():
        db.session.remove()
        drop_everything(db.engine)
        db.engine.dispose()


@pytest.fixture
def backups(tmp_path):
    """An empty folder for the backup files (and nothing else)."""
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def every_row(app):
    """{table: its rows ordered by primary key} for every table of the app's database."""
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        with db.engine.connect() as conn:
            return {name: conn.execute(select(table).order_by(
                        *(table.primary_key.columns or table.columns))).all()
                    for name, table in meta.tables.items()}


def assert_ledger_ok(app):
    with app.app_context():
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["check-ledger"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Ledger OK")


def backup(app, path, *extra):
    return app.test_cli_runner().invoke(args=["backup", "--output", str(path), *extra])


def restore(app, path, *extra):
    return app.test_cli_runner().invoke(args=["restore", "--input", str(path), *extra])


def add_foreign_table(app):
    """A table none of our models knows, holding one row."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(20))"))
        conn.execute(text("INSERT INTO notes (id, body) VALUES (1, 'keep?')"))


def table_names(app):
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        return set(meta.tables)


def test_restore_of_a_backup_has_every_row_and_a_ledger_without_drift(app, target_app,
                                                                        backups):
    with app.app_context():
        seeded = seed_demo("small")
    source = every_row(app)
    assert len(source["movements"]) == seeded["movements"]

    file = backups / "inventory.backup"
    made = backup(app, file)
    assert made.exit_code == 0, made.output
    assert f"to {file} (" in made.stdout
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # it holds password hashes
    assert list(backups.iterdir()) == [file]  # no temporary file left beside it

    done = restore(target_app, file)
    assert done.exit_code == 0, done.output
    assert f"Restored {file}" in done.stdout
    restored = every_row(target_app)
    assert set(restored) == set(source)
    assert {name: len(rows) for name, rows in restored.items()} == {
        name: len(rows) for name, rows in source.items()}
    assert restored == source
    assert_ledger_ok(target_app)


def test_backup_taken_while_movements_are_posted_restores_a_consistent_ledger(
        app, target_app, shop, tmp_path):
    """A writer thread keeps posting three-line documents (each its own
    transaction) before, during and after the backup; the restored ledger has
    no drift and only whole documents."""
    state = {"posted": 0, "errors": [], "running": threading.Event(),
             "stop": threading.Event()}

    def write():
        deadline = time.monotonic() + WRITE_SECONDS
        with app.app_context():
            try:
                for n in range(MAX_WRITES):
                    if state["stop"].is_set() or time.monotonic() > deadline:
                        break
                    store = shop["north"] if n % 2 else shop["south"]
                    post_movements([
                        Change(type="issue", product_id=shop["widget"], store_id=store,
                               quantity=Decimal("-1")),
                        Change(type="receipt", product_id=shop["widget"], store_id=store,
                               quantity=Decimal("2")),
                        Change(type="receipt", product_id=shop["gadget"], store_id=store,
                               quantity=Decimal("0.5")),
                    ], reason="backup test")
                    db.session.commit()
                    state["posted"] += 1
                    if state["posted"] == 20:
                        state["running"].set()
            except Exception as error:  # reported by the main thread
                state["errors"].append(error)
            finally:
                db.session.remove()
                state["running"].set()

    with app.app_context():
        post_movements([Change(type="receipt", product_id=shop["widget"], store_id=store,
                               quantity=Decimal("100")) for store in (shop["north"], shop["south"])])
        db.session.commit()
        db.session.remove()
    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert state["running"].wait(WRITE_SECONDS)
        posted_before = state["posted"]
        made = backup(app, tmp_path / "live.backup")
        posted_after = state["posted"]
        deadline = time.monotonic() + 10
        while state["posted"] == posted_after and writer.is_alive() \
                and time.monotonic() < deadline:  # the writer goes on after the backup
            time.sleep(0.01)
    finally:
        state["stop"].set()
        writer.join(WRITE_SECONDS + 10)
    assert not writer.is_alive() and state["errors"] == []
    assert made.exit_code == 0, made.output
    assert 20 <= posted_before <= posted_after < state["posted"] <= MAX_WRITES

    done = restore(target_app, tmp_path / "live.backup")
    assert done.exit_code == 0, done.output
    with target_app.app_context():
        movements = db.session.scalar(select(func.count()).select_from(Movement))
        db.session.remove()
    documents, part = divmod(movements - 2, 3)  # the two first receipts, then documents
    assert part == 0  # whole documents only
    # a document committed just before the snapshot may not be counted yet
    assert posted_before <= documents <= posted_after + 1
    assert_ledger_ok(target_app)


def test_restore_refuses_a_database_with_our_tables_or_any_rows_unless_forced(
        app, target_app, shop, tmp_path):
    file = tmp_path / "shop.backup"
    assert backup(app, file).exit_code == 0
    source = every_row(app)

    add_foreign_table(target_app)  # only someone else's table, but it has a row
    refused = restore(target_app, file)
    assert refused.exit_code == 1
    assert "not empty (tables notes)" in refused.stderr and "--force" in refused.stderr
    assert table_names(target_app) == {"notes"}

    forced = restore(target_app, file, "--force")
    assert forced.exit_code == 0, forced.output
    assert every_row(target_app) == source  # `notes` dropped with everything else

    again = restore(target_app, file)  # our tables are there now
    assert again.exit_code == 1
    assert "not empty (tables alembic_version, api_keys," in again.stderr


def test_restore_refuses_our_empty_tables_unless_forced(app, target_app, shop, tmp_path):
    """Someone built the schema on the new database first (`db upgrade`): our
    empty tables would clash with the backup's; --force replaces them."""
    with target_app.app_context():
        db.create_all()
    file = tmp_path / "shop.backup"
    assert backup(app, file).exit_code == 0
    refused = restore(target_app, file)
    assert refused.exit_code == 1 and "not empty" in refused.stderr
    forced = restore(target_app, file, "--force")
    assert forced.exit_code == 0, forced.output
    assert every_row(target_app) == every_row(app)
    assert_ledger_ok(target_app)


def test_restore_checks_the_file_before_dropping_anything(app, target_app, tmp_path):
    add_foreign_table(target_app)
    missing = restore(target_app, tmp_path / "nothing-here", "--force")
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    other = tmp_path / "notes.txt"
    other.write_text("-- just some text\n")
    wrong = restore(target_app, other, "--force")
    assert wrong.exit_code == 1
    assert f"{other} is not " in wrong.stderr
    assert table_names(target_app) == {"notes"}  # nothing dropped


def test_backup_refuses_to_overwrite_a_non_empty_file_unless_forced(app, shop, tmp_path):
    file = tmp_path / "precious.txt"
    file.write_text("keep me")
    refused = backup(app, file)
    assert refused.exit_code == 1
    assert "already exists and is not empty; use --force" in refused.stderr
    assert file.read_text() == "keep me"
    assert list(tmp_path.iterdir()) == [file]

    empty = tmp_path / "empty.backup"
    empty.touch()  # e.g. made by `mktemp`: nothing to lose
    assert backup(app, empty).exit_code == 0
    assert empty.stat().st_size > 0

    forced = backup(app, file, "--force")
    assert forced.exit_code == 0, forced.output
    assert file.read_bytes()[:5] != b"keep "


def test_backup_needs_a_writable_place(app, tmp_path):
    folder = backup(app, tmp_path)
    assert folder.exit_code != 0
    nowhere = backup(app, tmp_path / "no" / "such" / "folder.backup")
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.stderr


def test_in_memory_sqlite_has_nothing_to_back_up(tmp_path):
    memory = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})
    result = backup(memory, tmp_path / "memory.backup")
    assert result.exit_code == 1 and "in-memory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_client_tool_is_named(app, target_app, tmp_path, monkeypatch):
    if _backend(app) == "sqlite":
        pytest.skip("SQLite needs no client tool")
    file = tmp_path / "db.backup"
    assert backup(app, file).exit_code == 0
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    dump = {"mysql": "mariadb-dump or mysqldump", "postgresql": "pg_dump"}[_backend(app)]
    load = {"mysql": "mariadb or mysql", "postgresql": "pg_restore"}[_backend(app)]
    made = backup(app, tmp_path / "other.backup")
    assert made.exit_code == 1 and f"{dump} not found on PATH" in made.stderr
    assert not (tmp_path / "other.backup").exists()
    loaded = restore(target_app, file)
    assert loaded.exit_code == 1 and f"{load} not found on PATH" in loaded.stderr


def test_a_failing_tool_reports_its_message(app, tmp_path):
    if _backend(app) == "sqlite":
        pytest.skip("SQLite needs no client tool")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(database="ops_no_such_database")
    other = create_app({"APP_ENV": "testing",
                        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)})
    result = backup(other, tmp_path / "x.backup")
    assert result.exit_code == 1
    assert "failed (exit" in result.stderr and "ops_no_such_database" in result.stderr
    assert list(tmp_path.iterdir()) == []
