"""Concurrency of the movements service against a real database server.

Real threads, each with its own connection and HTTP test client, released
together by a barrier. They run on MySQL/MariaDB and PostgreSQL; on SQLite
they prove nothing (writers are serialized by BEGIN IMMEDIATE), so the
`server_db` marker skips them there (tests/conftest.py).
"""

import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, text

from inventory_api import create_app
from inventory_api.common.models import IdempotencyKey
from inventory_api.common.uow import is_retryable, transaction
from inventory_api.extensions import db
from inventory_api.stock import queries
from inventory_api.stock.models import Movement, StockLevel
from inventory_api.stock.service import Change, post_movements

API = "/api/v1"

pytestmark = pytest.mark.server_db

# true on a connection whose lock wait is the configured one (no leftover short bound)
LOCK_WAIT_IS_DEFAULT = {
    "mysql": "SELECT @@session.innodb_lock_wait_timeout = @@global.innodb_lock_wait_timeout",
    "postgresql": "SELECT current_setting('lock_timeout') = reset_val"
                  " FROM pg_settings WHERE name = 'lock_timeout'",
}


@pytest.fixture
def server_app(app):
    """A second app on the same database with a pool large enough for every thread."""
    server_app = create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        # 40 threads at most; PostgreSQL allows 100 connections by default
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 45, "max_overflow": 0, "pool_timeout": 60},
    })
    yield server_app
    with server_app.app_context():  # close this app's connections before the next test's
        db.session.remove()
        db.engine.dispose()


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


def headers_for(server_app, make_user, login, role="manager"):
    user = make_user(role)
    return {"Authorization": f"Bearer {login(user['email'])['access_token']}"}


def receive(server_app, product_id, store_id, quantity):
    with server_app.app_context(), transaction():
        post_movements([Change(type="receipt", product_id=product_id, store_id=store_id,
                               quantity=Decimal(quantity))])


def test_forty_concurrent_issues_of_twenty_five_units(server_app, shop, make_user, login):
    headers = headers_for(server_app, make_user, login)
    receive(server_app, shop["gadget"], shop["north"], 25)

    def issue(_):
        client = server_app.test_client()
        response = client.post(f"{API}/movements", headers=headers, json={
            "type": "issue", "product_id": shop["gadget"], "store_id": shop["north"],
            "quantity": 1})
        return response.status_code

    statuses = run_together(issue, 40)
    assert statuses.count(201) == 25, statuses
    assert statuses.count(409) == 15, statuses
    with server_app.app_context():
        level = db.session.scalar(select(StockLevel).where(
            StockLevel.product_id == shop["gadget"], StockLevel.store_id == shop["north"]))
        assert level.on_hand == 0
        issues = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.type == "issue", Movement.product_id == shop["gadget"]))
        assert issues == 25
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_opposite_transfers_never_fail_and_conserve_stock(server_app, shop, make_user, login):
    headers = headers_for(server_app, make_user, login)
    products = [shop["widget"], shop["gadget"]]
    for product_id in products:
        receive(server_app, product_id, shop["north"], 100)
        receive(server_app, product_id, shop["south"], 100)

    def transfer(index):
        source, target = (shop["north"], shop["south"]) if index % 2 else (
            shop["south"], shop["north"])
        lines = [{"product_id": p, "quantity": 1} for p in (products if index % 4 < 2
                                                            else products[::-1])]
        client = server_app.test_client()
        response = client.post(f"{API}/transfers", headers=headers, json={
            "from_store_id": source, "to_store_id": target, "lines": lines})
        return response.status_code

    statuses = run_together(transfer, 30)
    assert statuses == [201] * 30, statuses
    with server_app.app_context():
        for product_id in products:
            total = db.session.scalar(select(func.sum(StockLevel.on_hand)).where(
                StockLevel.product_id == product_id))
            assert total == Decimal("200.000")
        moved = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.reference_type == "transfer"))
        assert moved == 30 * 2 * 2
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_concurrent_receipts_create_one_stock_row(server_app, shop, make_user, login):
    headers = headers_for(server_app, make_user, login)

    def receipt(_):
        client = server_app.test_client()
        response = client.post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": shop["flour"], "store_id": shop["south"],
            "quantity": "2.5", "lot": "NEW-LOT", "unit_cost": "1.00"})
        return response.status_code

    statuses = run_together(receipt, 20)
    assert statuses == [201] * 20, statuses
    with server_app.app_context():
        rows = db.session.scalars(select(StockLevel).where(
            StockLevel.product_id == shop["flour"], StockLevel.store_id == shop["south"])).all()
        assert len(rows) == 1 and rows[0].on_hand == Decimal("50.000")
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_concurrent_writes_of_different_products_number_the_store_ledger_once(
        server_app, make_user, login):
    """Thirty receipts of thirty different products into one store: no stock row is
    shared, only the store's ledger counter; every movement gets its own number
    and the counter (the ledger's X-Pagination total) ends at thirty."""
    from inventory_api.products.models import Product
    from inventory_api.stock.models import LedgerCount
    from inventory_api.stores.models import Store

    with server_app.app_context():
        store = Store(name="Busy", code="BUSY")
        products = [Product(sku=f"P-{n}", name=f"Product {n}", price=Decimal("1.00"))
                    for n in range(30)]
        db.session.add_all([store, *products])
        db.session.commit()
        store_id, product_ids = store.id, [p.id for p in products]
    headers = headers_for(server_app, make_user, login)

    def receipt(index):
        response = server_app.test_client().post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": product_ids[index], "store_id": store_id,
            "quantity": "1"})
        return response.status_code

    assert run_together(receipt, 30) == [201] * 30
    with server_app.app_context():
        numbers = sorted(db.session.scalars(
            select(Movement.store_seq).where(Movement.store_id == store_id)))
        assert numbers == list(range(1, 31))
        assert db.session.get(LedgerCount, store_id).movements == 30
        assert queries.ledger_drift() == [] and queries.totals_drift() == []
    listed = server_app.test_client().get(f"{API}/movements?store_id={store_id}",
                                          headers=headers)
    assert '"total": 30' in listed.headers["X-Pagination"]


def test_concurrent_idempotent_retries_apply_once(server_app, shop, make_user, login):
    headers = {**headers_for(server_app, make_user, login), "Idempotency-Key": "same-receipt"}

    def receipt(_):
        client = server_app.test_client()
        response = client.post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": 3})
        return response.status_code, response.get_json()

    results = run_together(receipt, 10)
    assert all(status in (201, 409) for status, _ in results), results
    bodies = {str(body) for status, body in results if status == 201}
    assert len(bodies) == 1  # every success is the same, first response
    with server_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.product_id == shop["widget"]))
        assert count == 1


def test_key_of_a_request_still_running_is_409(server_app, shop, make_user, login):
    """A twin arriving while the first request holds the key gets 409 at once."""
    user = make_user("manager")
    headers = {"Authorization": f"Bearer {login(user['email'])['access_token']}",
               "Idempotency-Key": "slow-one"}
    with server_app.app_context():
        engine = db.engine
    with engine.connect() as first:  # plays the first request, mid-transaction
        first.execute(IdempotencyKey.__table__.insert().values(
            owner=f"user:{user['id']}", key="slow-one", request_hash="x" * 64, status_code=0,
            response_body=""))
        response = server_app.test_client().post(f"{API}/movements", headers=headers, json={
            "type": "receipt", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": 1})
        assert response.status_code == 409, response.get_json()
        assert "still being processed" in response.get_json()["message"]
        first.rollback()
    with server_app.app_context():  # the short lock wait did not leak into the pool
        for _ in range(3):
            with db.engine.connect() as conn:
                assert conn.execute(text(LOCK_WAIT_IS_DEFAULT[conn.dialect.name])).scalar()
    with server_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Movement)) == 0


def hold_stock_rows(conn, product_id, store_id):
    """Lock the stock rows of (product, store) FOR UPDATE on `conn` (an open transaction)."""
    conn.execute(select(StockLevel.id).where(
        StockLevel.product_id == product_id, StockLevel.store_id == store_id).with_for_update())


def wait_for_lock_wait(conn, product_id, store_id, thread, results, timeout=10):
    """Block until the request in `thread` waits for the stock rows of (product,
    store) that `conn` holds (`results` tell why when the thread ends first)."""
    if conn.dialect.name == "postgresql":
        query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     " AND datname = current_database() AND pid <> pg_backend_pid()")
    else:  # PyMySQL sends the statement with its values: find the one locking this row
        query = text("SELECT count(*) FROM information_schema.processlist"
                     " WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command = 'Query'"
                     " AND info LIKE :locking").bindparams(
            locking=f"%stock_levels.store_id IN (%{store_id}%) AND "
                    f"stock_levels.product_id IN (%{product_id}%)%FOR UPDATE%")
    deadline = time.monotonic() + timeout
    with conn.engine.connect() as probe:
        while probe.execute(query).scalar() < 1:
            assert thread.is_alive(), f"the request ended without waiting: {results}"
            assert time.monotonic() < deadline, "the request never waited for the lock"
            time.sleep(0.05)
            probe.rollback()  # a fresh snapshot for the next look


def test_key_wait_bound_does_not_apply_to_stock_locks(server_app, shop, make_user, login):
    """The idempotency key's short lock wait (2 s) is put back after the key is
    stored: the request's stock lock may then wait longer for another writer."""
    headers = {**headers_for(server_app, make_user, login), "Idempotency-Key": "patient"}
    receive(server_app, shop["widget"], shop["north"], 5)
    with server_app.app_context():
        engine = db.engine
    errors = []
    event.listen(engine, "handle_error", lambda context: errors.append(context.original_exception))
    results = []

    def issue():
        response = server_app.test_client().post(f"{API}/movements", headers=headers, json={
            "type": "issue", "product_id": shop["widget"], "store_id": shop["north"],
            "quantity": 2})
        results.append((response.status_code, response.get_json()))

    with engine.connect() as other:  # another writer holds the stock row for 3 s
        hold_stock_rows(other, shop["widget"], shop["north"])
        thread = threading.Thread(target=issue)
        thread.start()
        wait_for_lock_wait(other, shop["widget"], shop["north"], thread, results)
        time.sleep(3)
        other.rollback()
    thread.join(60)
    assert not thread.is_alive(), "the request hung"
    [(status, body)] = results
    assert status == 201, body
    assert errors == []  # waited once, no lock timeout and retry
    with server_app.app_context():
        level = db.session.scalar(select(StockLevel).where(
            StockLevel.product_id == shop["widget"], StockLevel.store_id == shop["north"]))
        assert level.on_hand == Decimal("3.000")


def test_real_deadlock_retries_the_whole_request(server_app, shop, make_user, login):
    """A transfer and another transaction lock two stock rows in opposite orders:
    the database kills the transfer (PostgreSQL 40P01 / MySQL 1213), the unit of
    work rolls back and runs again, and the transfer is applied exactly once."""
    headers = headers_for(server_app, make_user, login)
    # in a store, the service locks in product id order
    first, second = sorted([shop["widget"], shop["gadget"]])
    for product_id in (first, second):
        receive(server_app, product_id, shop["north"], 10)
        receive(server_app, product_id, shop["south"], 10)
    with server_app.app_context():
        engine = db.engine
    deadlocks = []

    def count_deadlocks(context):
        if is_retryable(context.sqlalchemy_exception):
            deadlocks.append(context.sqlalchemy_exception.orig)

    event.listen(engine, "handle_error", count_deadlocks)
    results = []

    def transfer():
        response = server_app.test_client().post(f"{API}/transfers", headers=headers, json={
            "from_store_id": shop["north"], "to_store_id": shop["south"],
            "lines": [{"product_id": first, "quantity": 1}, {"product_id": second, "quantity": 1}]})
        results.append((response.status_code, response.get_json()))

    try:
        with engine.connect() as other:
            if other.dialect.name == "mysql":
                # InnoDB kills the smaller transaction: make this one the larger
                other.execute(IdempotencyKey.__table__.insert(), [
                    {"owner": "deadlock-test", "key": f"k{i}", "request_hash": "h",
                     "status_code": 0, "response_body": "", "created_at": datetime.now(UTC)}
                    for i in range(50)])
            hold_stock_rows(other, second, shop["north"])  # the transfer's later row
            thread = threading.Thread(target=transfer)
            thread.start()
            # it holds `first` and waits for `second`
            wait_for_lock_wait(other, second, shop["north"], thread, results)
            hold_stock_rows(other, first, shop["north"])  # ... and we wait for it: deadlock
            other.rollback()
        thread.join(60)
        assert not thread.is_alive(), "the transfer hung"
    finally:
        event.remove(engine, "handle_error", count_deadlocks)
    [(status, body)] = results
    assert status == 201, body
    assert len(deadlocks) >= 1, "the transfer was never chosen as the deadlock victim"
    with server_app.app_context():
        for product_id in (first, second):
            north, south = (db.session.scalar(select(StockLevel.on_hand).where(
                StockLevel.product_id == product_id, StockLevel.store_id == store))
                for store in (shop["north"], shop["south"]))
            assert (north, south) == (Decimal("9.000"), Decimal("11.000"))
        moved = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.reference_type == "transfer"))
        assert moved == 4  # one out and one in per product, once
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels
