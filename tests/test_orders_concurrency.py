"""Concurrent orders against a real database server (MySQL/MariaDB, PostgreSQL).

Real threads, each with its own HTTP test client and connection, released
together by a barrier (see tests/test_stock_concurrency.py); skipped on SQLite.
"""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.debts.models import Debt
from inventory_api.extensions import db
from inventory_api.orders.models import Order
from inventory_api.stock import queries
from inventory_api.stock.models import Movement, StockLevel
from tests.orders_utils import API, stock_in, user_with_token
from tests.test_stock_concurrency import run_together, server_app  # noqa: F401

pytestmark = pytest.mark.server_db


def _level(shop):
    return db.session.scalar(select(StockLevel).where(
        StockLevel.product_id == shop["gadget"], StockLevel.store_id == shop["north"]))


def test_many_customers_ordering_the_last_units_never_over_reserve(
        server_app, shop, make_user, login):  # noqa: F811
    stock_in(server_app, shop, "gadget", "10")
    customers = [user_with_token(make_user, login, "customer")["headers"] for _ in range(30)]

    def order(index):
        client = server_app.test_client()
        response = client.post(f"{API}/orders", headers=customers[index], json={
            "store_id": shop["north"], "lines": [{"product_id": shop["gadget"], "quantity": 1}]})
        return response.status_code

    statuses = run_together(order, 30)
    assert statuses.count(201) == 10 and statuses.count(409) == 20, statuses
    with server_app.app_context():
        level = _level(shop)
        assert (level.on_hand, level.reserved) == (Decimal("10.000"), Decimal("10.000"))
        assert db.session.scalar(select(func.count()).select_from(Order)) == 10
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_concurrent_confirms_and_cancels_of_one_order_apply_once(
        server_app, shop, make_user, login):  # noqa: F811
    stock_in(server_app, shop, "gadget", "10")
    customer = user_with_token(make_user, login, "customer")
    manager = user_with_token(make_user, login, "manager")["headers"]
    client = server_app.test_client()
    order = client.post(f"{API}/orders", headers=customer["headers"], json={
        "store_id": shop["north"], "lines": [{"product_id": shop["gadget"], "quantity": 3}]}).json

    def act(index):
        action = "confirm" if index % 2 else "cancel"
        response = server_app.test_client().post(
            f"{API}/orders/{order['id']}/{action}", headers=manager, json={})
        return action, response.status_code

    results = run_together(act, 12)
    assert all(status in (200, 409) for _, status in results), results
    winners = sorted(action for action, status in results if status == 200)
    with server_app.app_context():
        history = [c.to_status for c in db.session.get(Order, order["id"]).status_history]
        level = _level(shop)
        debts = db.session.scalars(select(Debt).where(Debt.source_type == "order")).all()
        moves = sorted(db.session.scalars(select(Movement.type).where(
            Movement.reference_type == "order")).all())
        assert level.reserved == 0 and queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels
        if history == ["pending", "cancelled"]:  # cancelled while pending: nothing moved
            assert winners == ["cancel"] and moves == [] and debts == []
            assert level.on_hand == 10
        elif history == ["pending", "confirmed", "cancelled"]:  # restocked and voided
            assert winners == ["cancel", "confirm"] and moves == ["order", "order_return"]
            assert level.on_hand == 10 and [d.status for d in debts] == ["void"]
        else:
            assert history == ["pending", "confirmed"], history
            assert winners == ["confirm"] and moves == ["order"] and level.on_hand == 7
            assert [d.status for d in debts] == ["open"]
