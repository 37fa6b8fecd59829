"""One transaction boundary (common/uow.py, common/idempotency.py).

A service called inside another unit of work only flushes: a failure after it
leaves nothing written. An idempotent request whose work spans two services
stores its key and every effect together, or nothing. What was written is
always checked through a separate connection (a new engine, outside the
session), so an uncommitted flush cannot pass for a commit. Runs on every
database.
"""

from decimal import Decimal

import pytest
from flask import Response, json, request
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from inventory_api import create_app
from inventory_api.auth import current_principal, require
from inventory_api.clients.models import Client
from inventory_api.clients.service import create_client
from inventory_api.common.idempotency import unit_of_work
from inventory_api.common.models import IdempotencyKey
from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.stock import documents
from inventory_api.stock.models import Movement
from tests.conftest import assert_error


class Boom(RuntimeError):
    """A failure after the services have done (and flushed) their work."""


@pytest.fixture
def outside(app):
    """A connection of its own (new engine, no pool): sees only what is committed."""
    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def count_rows(conn, model, *where):
    conn.rollback()  # a fresh snapshot
    return conn.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_failure_after_a_nested_service_writes_nothing(app, outside):
    with app.app_context():
        with pytest.raises(Boom), transaction():
            client = create_client({"name": "Half Done"})  # @atomic, nested: flushes only
            assert client.id is not None  # flushed ...
            assert count_rows(outside, Client, Client.name == "Half Done") == 0  # ... not committed
            raise Boom()
        db.session.remove()
    assert count_rows(outside, Client, Client.name == "Half Done") == 0


def test_nested_services_commit_once_at_the_outer_edge(app, outside):
    with app.app_context():
        with transaction():
            create_client({"name": "First"})
            create_client({"name": "Second"})
            assert count_rows(outside, Client) == 0  # neither nested call committed
        db.session.remove()
    assert count_rows(outside, Client) == 2


@pytest.fixture
def two_service_app(app):
    """Our app on the test database plus one test-only route under `@unit_of_work`
    whose work spans two services: it creates a client (clients.service) and posts
    a receipt (stock.documents), then fails when the body says so."""
    test_app = create_app({"APP_ENV": "testing",
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @require("stock:move")
    @unit_of_work
    def walk_in_receipt():
        data = request.get_json()
        client = create_client({"name": data["client"]})
        [movement] = documents.post_manual_movement({
            "type": "receipt", "product_id": data["product_id"], "store_id": data["store_id"],
            "quantity": Decimal(data["quantity"])}, current_principal())
        if data.get("fail"):
            raise Boom("after both services")
        body = {"client_id": client.id, "movement_id": movement.id}
        return Response(json.dumps(body), status=201, mimetype="application/json")

    test_app.add_url_rule("/test/walk-in-receipt", view_func=walk_in_receipt, methods=["POST"])
    yield test_app
    with test_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_idempotent_request_over_two_services_stores_key_and_effects_together(
        two_service_app, shop, auth, outside):
    headers = {**auth("manager"), "Idempotency-Key": "walk-in-1"}
    body = {"client": "Walk-in", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": "3"}
    client = two_service_app.test_client()

    first = client.post("/test/walk-in-receipt", headers=headers, json=body)
    assert first.status_code == 201, first.get_data(as_text=True)
    ids = first.get_json()
    assert count_rows(outside, Client, Client.id == ids["client_id"],
                      Client.name == "Walk-in") == 1
    assert count_rows(outside, Movement, Movement.id == ids["movement_id"],
                      Movement.quantity == Decimal("3")) == 1
    stored = outside.execute(select(IdempotencyKey.status_code, IdempotencyKey.response_body)
                             .where(IdempotencyKey.key == "walk-in-1")).one()
    assert stored.status_code == 201 and json.loads(stored.response_body) == ids

    again = client.post("/test/walk-in-receipt", headers=headers, json=body)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == ids
    assert count_rows(outside, Client) == 1  # the replay wrote nothing
    assert count_rows(outside, Movement) == 1


def test_idempotent_request_failing_after_two_services_stores_nothing(
        two_service_app, shop, auth, outside):
    headers = {**auth("manager"), "Idempotency-Key": "walk-in-2"}
    body = {"client": "Never", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": "3", "fail": True}
    client = two_service_app.test_client()

    failed = client.post("/test/walk-in-receipt", headers=headers, json=body)
    assert failed.status_code == 500
    assert failed.get_json()["message"] == "Internal server error."
    assert count_rows(outside, IdempotencyKey, IdempotencyKey.key == "walk-in-2") == 0
    assert count_rows(outside, Client) == 0
    assert count_rows(outside, Movement) == 0

    # the key was not kept, so the same key runs the (now good) request afresh
    retry = client.post("/test/walk-in-receipt", headers=headers, json={**body, "fail": False})
    assert retry.status_code == 201, retry.get_data(as_text=True)
    assert "Idempotent-Replayed" not in retry.headers
    assert count_rows(outside, IdempotencyKey, IdempotencyKey.key == "walk-in-2") == 1
    assert count_rows(outside, Client, Client.name == "Never") == 1
    assert count_rows(outside, Movement) == 1


def test_idempotency_key_with_a_control_character_is_422(client, shop, auth, outside):
    """PostgreSQL cannot store or even compare a NUL (it answered 500): refused
    on every database, before anything is written."""
    headers = {**auth("manager"), "Idempotency-Key": "key\x00with-nul"}
    response = client.post("/api/v1/movements", headers=headers, json={
        "type": "receipt", "product_id": shop["widget"], "store_id": shop["north"],
        "quantity": 1})
    body = assert_error(response, 422)
    assert body["errors"] == {"headers": {"Idempotency-Key": [
        "Must not contain control characters."]}}
    assert count_rows(outside, Movement) == 0
    assert count_rows(outside, IdempotencyKey) == 0


RAISE_FROM_THE_DATABASE = {  # the server itself raises the error, through the real driver
    "postgresql": "DO $$ BEGIN RAISE EXCEPTION 'test' USING ERRCODE = '{code}'; END $$",
    "mysql": "SIGNAL SQLSTATE '{code}' SET MYSQL_ERRNO = {errno}, MESSAGE_TEXT = 'test'",
}


@pytest.mark.server_db
@pytest.mark.parametrize(("sqlstate", "errno", "retryable"), [
    ("40P01", 1213, True),   # deadlock
    ("40001", 1213, True),   # serialization failure (MySQL: deadlock, SQLSTATE 40001)
    ("55P03", 1205, True),   # lock wait timeout
    ("23505", 1062, False),  # duplicate key
    ("57014", 1317, False),  # query cancelled / interrupted
])
def test_which_database_errors_retry_the_unit_of_work(app, sqlstate, errno, retryable):
    from sqlalchemy.exc import DBAPIError

    from inventory_api.common.uow import is_retryable

    with app.app_context():
        dialect = db.engine.dialect.name
        code = sqlstate if dialect == "postgresql" else ("40001" if errno == 1213 else "HY000")
        with pytest.raises(DBAPIError) as caught:
            db.session.execute(text(RAISE_FROM_THE_DATABASE[dialect].format(code=code, errno=errno)))
        db.session.rollback()
    assert is_retryable(caught.value) is retryable
