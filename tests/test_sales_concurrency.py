"""Sales under real concurrency (MySQL/MariaDB and PostgreSQL; skipped on SQLite).

Real threads, each with its own HTTP test client and connection, released
together by a barrier (tests/test_stock_concurrency.py's helpers).
"""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.debts.models import Debt
from inventory_api.extensions import db
from inventory_api.sales.models import Sale
from inventory_api.stock import queries
from inventory_api.stock.models import Movement, StockLevel
from tests.sales_fixtures import API, make_client, receive
from tests.test_stock_concurrency import headers_for, run_together, server_app  # noqa: F401

pytestmark = pytest.mark.server_db


def _sale(server_app, headers, body):  # noqa: F811
    response = server_app.test_client().post(f"{API}/sales", headers=headers, json=body)
    return response.status_code, response.get_json()


def test_concurrent_sales_get_distinct_consecutive_numbers(server_app, shop, make_user, login):  # noqa: F811
    headers = headers_for(server_app, make_user, login, role="employee")
    with server_app.app_context():
        receive(shop["widget"], shop["north"], 100)
        receive(shop["gadget"], shop["south"], 100)

    def sale(index):  # two stores, two products: no stock row is shared by all
        product, store = ((shop["widget"], shop["north"]) if index % 2
                          else (shop["gadget"], shop["south"]))
        return _sale(server_app, headers, {"store_id": store, "payment_method": "cash",
                                           "lines": [{"product_id": product, "quantity": 1}]})

    results = run_together(sale, 30)
    assert [status for status, _ in results] == [201] * 30, results
    numbers = sorted(int(body["number"][2:]) for _, body in results)
    assert numbers == list(range(numbers[0], numbers[0] + 30))  # distinct, no gaps
    with server_app.app_context():
        rows = db.session.execute(select(Sale.id, Sale.number).order_by(Sale.id)).all()
        assert len({number for _, number in rows}) == 30
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_concurrent_credit_sales_never_exceed_the_limit(server_app, shop, make_user, login):  # noqa: F811
    headers = headers_for(server_app, make_user, login, role="employee")
    with server_app.app_context():
        receive(shop["widget"], shop["north"], 100)
        client_id = make_client("Tight", credit_limit="95.00")

    def sale(_):  # 10.00 each on credit: at most 9 fit under 95.00
        return _sale(server_app, headers, {
            "store_id": shop["north"], "client_id": client_id, "payment_method": "credit",
            "lines": [{"product_id": shop["widget"], "quantity": 1}]})

    results = run_together(sale, 20)
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 9 and statuses.count(409) == 11, results
    assert all(body["errors"]["credit_limit"] == "95.00"
               for status, body in results if status == 409)
    with server_app.app_context():
        owed = db.session.scalar(select(func.sum(Debt.amount - Debt.paid_amount)).where(
            Debt.client_id == client_id, Debt.status == "open"))
        assert owed == Decimal("90.00")
        assert db.session.scalar(select(func.count()).select_from(Sale)) == 9
        level = db.session.scalar(select(StockLevel).where(
            StockLevel.product_id == shop["widget"], StockLevel.store_id == shop["north"]))
        assert level.on_hand == Decimal("91.000")
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_concurrent_sales_of_the_last_units_never_oversell(server_app, shop, make_user, login):  # noqa: F811
    headers = headers_for(server_app, make_user, login, role="employee")
    with server_app.app_context():
        receive(shop["gadget"], shop["north"], 12)
        client_id = make_client("Rich", credit_limit="100000.00")

    def sale(index):  # half of them on credit: client row, then stock rows
        body = {"store_id": shop["north"], "payment_method": "cash",
                "lines": [{"product_id": shop["gadget"], "quantity": 1}]}
        if index % 2:
            body.update(client_id=client_id, payment_method="credit")
        return _sale(server_app, headers, body)

    results = run_together(sale, 30)
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 12 and statuses.count(409) == 18, results
    assert all("short_lines" in body["errors"] for status, body in results if status == 409)
    with server_app.app_context():
        level = db.session.scalar(select(StockLevel).where(
            StockLevel.product_id == shop["gadget"], StockLevel.store_id == shop["north"]))
        assert level.on_hand == Decimal("0.000")
        sold = db.session.scalar(select(func.count()).select_from(Movement).where(
            Movement.type == "sale"))
        assert sold == 12
        assert db.session.scalar(select(func.count()).select_from(Sale)) == 12
        debts = db.session.scalar(select(func.count()).select_from(Debt))
        credit_sales = db.session.scalar(select(func.count()).select_from(Sale).where(
            Sale.payment_method == "credit"))
        assert debts == credit_sales
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels
