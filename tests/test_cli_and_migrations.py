import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from inventory_api.extensions import db
from tests.conftest import assert_error

ROOT = Path(__file__).resolve().parent.parent


def test_create_admin_then_reset_password(app, runner, client):
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.com", "--password", "boss-pass-1"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    login = client.post("/api/v1/auth/login", json={"email": "boss@example.com", "password": "boss-pass-1"})
    assert login.json["user"]["role"] == "admin"

    again = runner.invoke(args=["create-admin", "--email", "boss@example.com", "--password", "other-pass-2"])
    assert again.exit_code == 0 and "Password reset" in again.output
    assert client.post("/api/v1/auth/login", json={"email": "boss@example.com", "password": "other-pass-2"}).status_code == 200


def test_create_admin_rejects_bad_input_with_nonzero_exit(runner, make_user):
    short = runner.invoke(args=["create-admin", "--email", "a@example.com", "--password", "short"])
    assert short.exit_code != 0 and "password" in short.output.lower()
    make_user("customer", email="cust@example.com")
    clash = runner.invoke(args=["create-admin", "--email", "cust@example.com", "--password", "long-enough-1"])
    assert clash.exit_code != 0 and "customer" in clash.output


def test_create_api_key_prints_a_working_key(runner, client):
    result = runner.invoke(args=["create-api-key", "--name", "erp", "--role", "admin"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[0]
    assert key.startswith("ik_")
    assert client.get("/api/v1/users/", headers={"X-API-Key": key}).status_code == 200
    bad = runner.invoke(args=["create-api-key", "--name", "erp", "--role", "customer"])
    assert bad.exit_code != 0


def test_schema_matches_migration_head(app):
    """Models and migrations agree: autogenerate finds nothing to do."""
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert diff == [], diff
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    assert current == head


def test_db_upgrade_from_empty_via_cli(tmp_path):
    """`flask --app wsgi db upgrade` builds the schema on an empty SQLite file."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/fresh.db", APP_ENV="development")
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    up = subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    down = subprocess.run(flask + ["db", "downgrade", "base"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert down.returncode == 0, down.stderr
    again = subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    check = subprocess.run(flask + ["db", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_production_refuses_default_secrets():
    env = dict(os.environ, APP_ENV="production", SECRET_KEY="", JWT_SECRET_KEY="")
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "default secrets" in result.stderr


def test_sqlite_has_foreign_keys_on(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_inactive_user_via_cli_admin_reset_reactivates(app, runner, make_user, client):
    user = make_user("admin", email="old@example.com", active=False)
    runner.invoke(args=["create-admin", "--email", "old@example.com", "--password", "new-pass-123"])
    from inventory_api.users.models import User

    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.id == user["id"])) is True
    assert_error(client.post("/api/v1/auth/login", json={"email": "old@example.com", "password": "wrong-pass"}), 401)


def test_prune_idempotency_keys_keeps_recent_ones(app, runner):
    from datetime import datetime, timedelta

    from inventory_api.common.models import IdempotencyKey

    now = datetime.now(UTC)
    with app.app_context():
        db.session.add_all([
            IdempotencyKey(owner="user:1", key="old", request_hash="h", status_code=201,
                           response_body="{}", created_at=now - timedelta(hours=100)),
            IdempotencyKey(owner="user:1", key="new", request_hash="h", status_code=201,
                           response_body="{}", created_at=now - timedelta(hours=30)),
        ])
        db.session.commit()
    result = runner.invoke(args=["prune-idempotency-keys"])
    assert result.exit_code == 0 and "Deleted 1 " in result.output
    too_short = runner.invoke(args=["prune-idempotency-keys", "--older-than-hours", "2"])
    assert too_short.exit_code != 0
    with app.app_context():
        assert list(db.session.scalars(select(IdempotencyKey.key))) == ["new"]


def test_database_urls_pick_our_drivers():
    """PostgreSQL URLs use psycopg 3 however they are spelled; MySQL gets utf8mb4."""
    from inventory_api import _database_uri

    assert _database_uri("postgresql://u:p@db:5432/inv") == "postgresql+psycopg://u:p@db:5432/inv"
    assert _database_uri("postgres://u@db/inv") == "postgresql+psycopg://u@db/inv"
    assert _database_uri("postgresql+psycopg://u@db/inv") == "postgresql+psycopg://u@db/inv"
    assert _database_uri("mysql+pymysql://u@db/inv") == "mysql+pymysql://u@db/inv?charset=utf8mb4"
    assert _database_uri("mysql+pymysql://u@db/inv?charset=latin1").endswith("?charset=latin1")
    assert _database_uri("sqlite:///x.db") == "sqlite:///x.db"
