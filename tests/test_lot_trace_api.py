"""The lot trace across domains: a lot received on a purchase order, transferred,
partly issued, sold and ordered — backward to its supplier and order, forward through
every movement with its document's details, in a constant number of queries."""

import pytest

from tests.conftest import assert_error
from tests.purchasing_fixtures import (  # noqa: F401  (supplier_shop: the `suppliers` fixture)
    API,
    ordered_po,
    supplier_shop,
)
from tests.sales_fixtures import make_client
from tests.test_query_counts import count_statements


@pytest.fixture
def manager(auth):
    return auth("manager")


def _received_lot(client, manager, s, quantity="20"):
    po = ordered_po(client, manager, s, lines=[
        {"product_id": s["flour"], "quantity": quantity, "unit_cost": "0.80"}])
    response = client.post(f"{API}/purchase-orders/{po['id']}/receive", headers=manager, json={
        "lines": [{"line_id": po["lines"][0]["id"], "quantity": quantity, "lot": "TR1",
                   "expiry_date": "2031-05-01"}]})
    assert response.status_code == 200, response.json
    return po, response.json["movements"][0]


def test_trace_received_transferred_issued_sold_and_ordered(app, client, auth, manager,
                                                            suppliers):
    s = suppliers
    with app.app_context():
        client_id = make_client("Bakery", "1000.00")
    po, receipt = _received_lot(client, manager, s)
    lot_id = receipt["lot_id"]
    transfer = client.post(f"{API}/transfers", headers=manager, json={
        "from_store_id": s["north"], "to_store_id": s["south"],
        "lines": [{"product_id": s["flour"], "quantity": "5", "lot": "TR1"}]})
    assert transfer.status_code == 201, transfer.json
    issue = client.post(f"{API}/movements", headers=manager, json={
        "type": "issue", "product_id": s["flour"], "store_id": s["north"], "quantity": "2",
        "lot": "TR1"})
    assert issue.status_code == 201, issue.json
    sale = client.post(f"{API}/sales", headers=manager, json={
        "store_id": s["north"], "client_id": client_id, "payment_method": "cash",
        "lines": [{"product_id": s["flour"], "quantity": "3"}]})
    assert sale.status_code == 201, sale.json
    order = client.post(f"{API}/orders", headers=manager, json={
        "client_id": client_id, "store_id": s["south"],
        "lines": [{"product_id": s["flour"], "quantity": "1"}]})
    assert order.status_code == 201, order.json
    confirmed = client.post(f"{API}/orders/{order.json['id']}/confirm", headers=manager, json={})
    assert confirmed.status_code == 200, confirmed.json

    trace = client.get(f"{API}/lots/{lot_id}/trace", headers=manager).json
    assert trace["lot"] == "TR1" and trace["expiry_date"] == "2031-05-01"
    assert trace["supplier"] == {"id": s["acme"], "name": "Acme"}
    assert trace["purchase_order"] == {"id": po["id"], "supplier_id": s["acme"],
                                       "supplier": "Acme", "status": "received"}
    assert trace["received_at"] == receipt["created_at"]
    assert trace["received_by"]["id"] == receipt["id"]
    forward = [(m["type"], m["store_id"], m["quantity"], m["details"])
               for m in trace["movements"]]
    assert forward == [
        ("purchase_receipt", s["north"], "20.000",
         {"supplier_id": s["acme"], "supplier": "Acme", "status": "received"}),
        ("transfer_out", s["north"], "-5.000",
         {"from_store_id": s["north"], "to_store_id": s["south"]}),
        ("transfer_in", s["south"], "5.000",
         {"from_store_id": s["north"], "to_store_id": s["south"]}),
        ("issue", s["north"], "-2.000", None),
        ("sale", s["north"], "-3.000", {"number": sale.json["number"], "client_id": client_id}),
        ("order", s["south"], "-1.000", {"client_id": client_id, "status": "confirmed"}),
    ]
    south = auth("manager", store_ids=[s["south"]])
    scoped = client.get(f"{API}/lots/{lot_id}/trace", headers=south).json
    assert [m["type"] for m in scoped["movements"]] == ["transfer_in", "order"]
    assert scoped["supplier"]["name"] == "Acme"  # the origin is the lot's, not a movement's
    assert_error(client.get(f"{API}/lots/{lot_id}/trace", headers=auth("customer")), 403)


def test_trace_of_a_lot_without_purchase_order(client, manager, suppliers):
    s = suppliers
    receipt = client.post(f"{API}/movements", headers=manager, json={
        "type": "receipt", "product_id": s["flour"], "store_id": s["north"], "quantity": "2",
        "lot": "M1"}).json["movements"][0]
    trace = client.get(f"{API}/lots/{receipt['lot_id']}/trace", headers=manager).json
    assert (trace["supplier"], trace["purchase_order"], trace["received_at"]) == (None, None,
                                                                                  None)
    assert trace["movements"][0]["details"] is None


@pytest.mark.parametrize("sales", [5, 50])
def test_trace_query_count_is_constant(app, client, manager, suppliers, sales):
    s = suppliers
    with app.app_context():
        client_id = make_client("Bakery", "1000.00")
    _, receipt = _received_lot(client, manager, s, quantity="60")
    for _ in range(sales):
        assert client.post(f"{API}/sales", headers=manager, json={
            "store_id": s["north"], "client_id": client_id, "payment_method": "cash",
            "lines": [{"product_id": s["flour"], "quantity": "1"}]}).status_code == 201
    with count_statements(app) as statements:
        trace = client.get(f"{API}/lots/{receipt['lot_id']}/trace", headers=manager).json
    assert len(trace["movements"]) == sales + 1
    assert len(statements) <= 8, statements
