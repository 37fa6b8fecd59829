"""Concurrency of the movements service against a real MySQL/MariaDB.

Real threads, each with its own connection and HTTP test client, released
together by a barrier. On SQLite these prove nothing (writers are serialized
by BEGIN IMMEDIATE), so they are skipped there.
"""

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api import create_app
from inventory_api.extensions import db
from inventory_api.stock import queries
from inventory_api.stock.models import Movement, StockLevel
from inventory_api.stock.service import Change, post_movements

API = "/api/v1"


@pytest.fixture
def mysql_app(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        pytest.skip("concurrency tests need MySQL/MariaDB (SQLite serializes all writers)")
    return create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 60, "max_overflow": 0, "pool_timeout": 60},
    })


def run_together(worker, count, timeout=120):
    """Start `count` threads at once; return their results in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        barrier.wait()
        results[index] = worker(index)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a worker hung"
    return results


def headers_for(mysql_app, make_user, login, role="manager"):
    user = make_user(role)
    return {"Authorization": f"Bearer {login(user['email'])['access_token']}"}


def receive(mysql_app, product_id, store_id, quantity):
    with mysql_app.app_context():
        post_movements([Change(type="receipt", product_id=product_id, store_id=store_id,
                               quantity=Decimal(quantity))])
        db.session.commit()


def test_forty_concurrent_issues_of_twenty_five_units(mysql_app, shop, make_user, login):
    headers = headers_for(mysql_app, make_user, login)
    receive(mysql_app, shop["gadget"], shop["north"], 25)

    def issue(_):
        client = mysql_app.test_client()
        response = client.post(f"{API}/movements", headers=headers, json={
            "type": "issue", "product_id": shop["gadget"], "store_id": shop["north"],
            "quantity": 1})
        return response.status_code

    statuses = run_together(issue, 40)
    assert statuses.count(201) == 25, statuses
    assert statuses.count(409) == 15, statuses
    with mysql_app.app_context():
        level = db.session.scalar(select(StockLevel).where(
            StockLevel.product_id == shop["gadget"], StockLevel.store_id == shop["north"]))
        assert level.on_hand == 0
        issues = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.type == "issue", Movement.product_id == shop["gadget"]))
        assert issues == 25
        assert queries.ledger_drift() == []


def test_opposite_transfers_never_fail_and_conserve_stock(mysql_app, shop, make_user, login):
    headers = headers_for(mysql_app, make_user, login)
    products = [shop["widget"], shop["gadget"]]
    for product_id in products:
        receive(mysql_app, product_id, shop["north"], 100)
        receive(mysql_app, product_id, shop["south"], 100)

    def transfer(index):
        source, target = (shop["north"], shop["south"]) if index % 2 else (
            shop["south"], shop["north"])
        lines = [{"product_id": p, "quantity": 1} for p in (products if index % 4 < 2
                                                            else products[::-1])]
        client = mysql_app.test_client()
        response = client.post(f"{API}/transfers", headers=headers, json={
            "from_store_id": source, "to_store_id": target, "lines": lines})
        return response.status_code

    statuses = run_together(transfer, 30)
    assert statuses == [201] * 30, statuses
    with mysql_app.app_context():
        for product_id in products:
            total = db.session.scalar(select(func.sum(StockLevel.on_hand)).where(
                StockLevel.product_id == product_id))
            assert total == Decimal("200.000")
        moved = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.reference_type == "transfer"))
        assert moved == 30 * 2 * 2
        assert queries.ledger_drift() == []


def test_concurrent_receipts_create_one_stock_row(mysql_app, shop, make_user, login):
    headers = headers_for(mysql_app, make_user, login)

    def receipt(_):
        client = mysql_app.test_client()
        response = client.post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": shop["flour"], "store_id": shop["south"],
            "quantity": "2.5", "lot": "NEW-LOT", "unit_cost": "1.00"})
        return response.status_code

    statuses = run_together(receipt, 20)
    assert statuses == [201] * 20, statuses
    with mysql_app.app_context():
        rows = db.session.scalars(select(StockLevel).where(
            StockLevel.product_id == shop["flour"], StockLevel.store_id == shop["south"])).all()
        assert len(rows) == 1 and rows[0].on_hand == Decimal("50.000")
        assert queries.ledger_drift() == []


def test_concurrent_idempotent_retries_apply_once(mysql_app, shop, make_user, login):
    headers = {**headers_for(mysql_app, make_user, login), "Idempotency-Key": "same-receipt"}

    def receipt(_):
        client = mysql_app.test_client()
        response = client.post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": 3})
        return response.status_code, response.get_json()

    results = run_together(receipt, 10)
    assert all(status in (201, 409) for status, _ in results), results
    bodies = {str(body) for status, body in results if status == 201}
    assert len(bodies) == 1  # every success is the same, first response
    with mysql_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.product_id == shop["widget"]))
        assert count == 1


def test_key_of_a_request_still_running_is_409(mysql_app, shop, make_user, login):
    """A twin arriving while the first request holds the key gets 409 at once."""
    from inventory_api.common.models import IdempotencyKey

    user = make_user("manager")
    headers = {"Authorization": f"Bearer {login(user['email'])['access_token']}",
               "Idempotency-Key": "slow-one"}
    with mysql_app.app_context():
        engine = db.engine
    with engine.connect() as first:  # plays the first request, mid-transaction
        first.execute(IdempotencyKey.__table__.insert().values(
            owner=f"user:{user['id']}", key="slow-one", request_hash="x" * 64, status_code=0,
            response_body=""))
        response = mysql_app.test_client().post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": 1})
        assert response.status_code == 409, response.get_json()
        assert "still being processed" in response.get_json()["message"]
        first.rollback()
    with mysql_app.app_context():  # the short lock wait did not leak into the pool
        for _ in range(3):
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql(
                    "SELECT @@session.innodb_lock_wait_timeout"
                    " = @@global.innodb_lock_wait_timeout").scalar() == 1
    with mysql_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Movement)) == 0
