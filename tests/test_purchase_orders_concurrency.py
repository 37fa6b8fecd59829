"""Purchase orders under real concurrency (MySQL/MariaDB and PostgreSQL; skipped on
SQLite): concurrent receipts and returns of one line never exceed its limits."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.extensions import db
from inventory_api.purchasing.models import PurchaseOrderLine, PurchaseReceiptLine
from inventory_api.stock import queries
from inventory_api.stock.models import StockLevel
from tests.purchasing_fixtures import API, make_supplier
from tests.test_stock_concurrency import headers_for, run_together, server_app  # noqa: F401

pytestmark = pytest.mark.server_db


def _ordered(client, headers, body):
    po = client.post(f"{API}/purchase-orders", headers=headers, json=body).json
    assert client.post(f"{API}/purchase-orders/{po['id']}/submit",
                       headers=headers).status_code == 200
    return po


def test_concurrent_receipts_never_receive_more_than_ordered(server_app, shop, make_user,  # noqa: F811
                                                             login):
    headers = headers_for(server_app, make_user, login, role="manager")
    with server_app.app_context():
        supplier = make_supplier("Acme")
    po = _ordered(server_app.test_client(), headers, {
        "supplier_id": supplier, "store_id": shop["north"],
        "lines": [{"product_id": shop["widget"], "quantity": "10", "unit_cost": "5.00"}]})
    line = po["lines"][0]["id"]

    def receipt(_):  # 3 each: only 3 of them fit in 10
        response = server_app.test_client().post(
            f"{API}/purchase-orders/{po['id']}/receive", headers=headers,
            json={"lines": [{"line_id": line, "quantity": "3"}]})
        return response.status_code, response.get_json()

    results = run_together(receipt, 12)
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 3 and statuses.count(409) == 9, results
    with server_app.app_context():
        received = db.session.get(PurchaseOrderLine, line).received_quantity
        booked = db.session.scalar(select(func.sum(PurchaseReceiptLine.quantity)).where(
            PurchaseReceiptLine.line_id == line))
        level = db.session.scalar(select(StockLevel).where(
            StockLevel.product_id == shop["widget"], StockLevel.store_id == shop["north"]))
        assert received == booked == level.on_hand == Decimal("9.000")
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels


def test_concurrent_returns_never_return_more_than_received(server_app, shop, make_user,  # noqa: F811
                                                            login):
    headers = headers_for(server_app, make_user, login, role="manager")
    client = server_app.test_client()
    with server_app.app_context():
        supplier = make_supplier("Acme")
    po = _ordered(client, headers, {
        "supplier_id": supplier, "store_id": shop["north"],
        "lines": [{"product_id": shop["gadget"], "quantity": "10", "unit_cost": "5.00"}]})
    line = po["lines"][0]["id"]
    assert client.post(f"{API}/purchase-orders/{po['id']}/receive", headers=headers,
                       json={"lines": [{"line_id": line, "quantity": "7"}]}).status_code == 200

    def give_back(_):
        response = server_app.test_client().post(
            f"{API}/purchase-orders/{po['id']}/returns", headers=headers,
            json={"lines": [{"line_id": line, "quantity": "2"}]})
        return response.status_code, response.get_json()

    results = run_together(give_back, 10)
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 3 and statuses.count(409) == 7, results
    with server_app.app_context():
        assert db.session.get(PurchaseOrderLine, line).returned_quantity == Decimal("6.000")
        assert queries.ledger_drift() == []
        assert queries.totals_drift() == []  # stored product totals = the levels
