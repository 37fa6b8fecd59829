"""Purchase orders over HTTP: lifecycle bodies, receiving (partial, complete, over,
wrong status), moving-average cost, returns and their limits, cancel, idempotent
replay, roles, store scope, bad input writing nothing, supplier history, query counts."""

import json
from datetime import date
from decimal import Decimal

import pytest

from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock import queries
from inventory_api.stock.models import Lot
from tests.conftest import assert_error
from tests.purchasing_fixtures import (  # noqa: F401  (supplier_shop: the `suppliers` fixture)
    API,
    create_po,
    ordered_po,
    supplier_shop,
    written,
)
from tests.sales_fixtures import on_hand
from tests.test_query_counts import count_statements

D = Decimal


@pytest.fixture
def manager(auth):
    return auth("manager")


@pytest.fixture
def employee(auth):
    return auth("employee")


def url(po_id, action=""):
    return f"{API}/purchase-orders/{po_id}" + (f"/{action}" if action else "")


def receive(client, headers, po_id, lines, **kw):
    return client.post(url(po_id, "receive"), json={"lines": lines}, headers=headers, **kw)


def test_full_lifecycle_bodies(app, client, manager, employee, suppliers):
    s = suppliers
    response = create_po(client, manager, s, expected_date="2030-01-15", notes="  first  ",
                         lines=[{"product_id": s["widget"], "quantity": "10", "unit_cost": "5.00"},
                                {"product_id": s["gadget"], "quantity": "2.5",
                                 "unit_cost": "3.33"}])
    assert response.status_code == 201, response.json
    po = response.json
    assert response.headers["Location"].endswith(f"/purchase-orders/{po['id']}")
    assert po["status"] == "draft" and po["supplier_id"] == s["acme"]
    assert po["store_id"] == s["north"] and po["expected_date"] == "2030-01-15"
    assert po["notes"] == "first" and po["ordered_at"] is None and po["received_at"] is None
    assert po["total"] == "58.33"  # 50.00 + round(2.5 × 3.33 = 8.325) = 8.33
    assert [(line["quantity"], line["unit_cost"], line["line_total"],
             line["received_quantity"], line["outstanding_quantity"]) for line in po["lines"]] == [
        ("10.000", "5.00", "50.00", "0.000", "10.000"), ("2.500", "3.33", "8.33", "0.000",
                                                         "2.500")]
    assert po["receipts"] == [] and po["movements"] == [] and po["returns"] == []

    submitted = client.post(url(po["id"], "submit"), headers=manager).json
    assert submitted["status"] == "ordered" and submitted["ordered_at"] is not None

    widget_line, gadget_line = (line["id"] for line in po["lines"])
    received = receive(client, employee, po["id"], [
        {"line_id": widget_line, "quantity": "10"}, {"line_id": gadget_line, "quantity": "2.5"}])
    assert received.status_code == 200, received.json
    body = received.json
    assert body["status"] == "received" and body["received_at"] is not None
    assert [line["received_quantity"] for line in body["lines"]] == ["10.000", "2.500"]
    assert [(m["type"], m["quantity"], m["unit_cost"], m["reference_type"], m["reference_id"])
            for m in body["movements"]] == [
        ("purchase_receipt", "10.000", "5.00", "purchase_order", po["id"]),
        ("purchase_receipt", "2.500", "3.33", "purchase_order", po["id"])]
    assert len(body["receipts"]) == 1
    assert [(r["line_id"], r["quantity"]) for r in body["receipts"][0]["lines"]] == [
        (widget_line, "10.000"), (gadget_line, "2.500")]
    got = client.get(url(po["id"]), headers=employee).json
    assert got == body
    with app.app_context():
        assert on_hand(s["widget"], s["north"]) == D("10.000")
        assert queries.ledger_drift() == []


def test_partial_then_complete_receipt(client, manager, employee, suppliers):
    po = ordered_po(client, manager, suppliers)
    line = po["lines"][0]["id"]
    first = receive(client, employee, po["id"], [{"line_id": line, "quantity": "4"}])
    assert first.status_code == 200, first.json
    assert first.json["status"] == "partially_received" and first.json["received_at"] is None
    assert first.json["lines"][0]["outstanding_quantity"] == "6.000"
    second = receive(client, employee, po["id"], [{"line_id": line, "quantity": "6"}])
    assert second.json["status"] == "received" and second.json["received_at"] is not None
    assert len(second.json["receipts"]) == 2


def test_over_receive_is_409_and_writes_nothing(app, client, manager, employee, suppliers):
    po = ordered_po(client, manager, suppliers)
    line = po["lines"][0]["id"]
    receive(client, employee, po["id"], [{"line_id": line, "quantity": "7"}])
    with app.app_context():
        before = written()
    body = assert_error(receive(client, employee, po["id"], [
        {"line_id": line, "quantity": "2"}, {"line_id": line, "quantity": "2"}]), 409)
    assert body["errors"]["lines"] == [{"line_id": line, "product_id": suppliers["widget"],
                                        "requested": "4.000", "outstanding": "3.000"}]
    with app.app_context():
        assert written() == before
        assert on_hand(suppliers["widget"], suppliers["north"]) == D("7.000")


@pytest.mark.parametrize("state", ["draft", "cancelled", "received"])
def test_receiving_in_the_wrong_status_is_409_naming_it(client, manager, employee, suppliers,
                                                        state):
    if state == "draft":
        po = create_po(client, manager, suppliers).json
    else:
        po = ordered_po(client, manager, suppliers)
        if state == "cancelled":
            client.post(url(po["id"], "cancel"), headers=manager)
        else:
            receive(client, employee, po["id"], [{"line_id": po["lines"][0]["id"],
                                                  "quantity": "10"}])
    body = assert_error(receive(client, employee, po["id"], [
        {"line_id": po["lines"][0]["id"], "quantity": "1"}]), 409)
    assert body["errors"] == {"status": state} and state in body["message"]


def test_cost_after_two_receipts_is_the_weighted_average(app, client, manager, employee,
                                                         suppliers):
    s = suppliers
    with app.app_context():  # nothing on hand: the first receipt sets the cost
        assert on_hand(s["gadget"], s["north"]) == 0
    first = ordered_po(client, manager, s, lines=[
        {"product_id": s["gadget"], "quantity": "3", "unit_cost": "10.00"}])
    second = ordered_po(client, manager, s, lines=[
        {"product_id": s["gadget"], "quantity": "7", "unit_cost": "12.35"}])
    receive(client, employee, first["id"], [{"line_id": first["lines"][0]["id"],
                                             "quantity": "3"}])
    receive(client, employee, second["id"], [{"line_id": second["lines"][0]["id"],
                                              "quantity": "7"}])
    with app.app_context():
        # (3 × 10.00 + 7 × 12.35) / 10 = 116.45 / 10 = 11.645 → 11.65
        assert db.session.get(Product, s["gadget"]).cost == D("11.65")


def test_lot_tracked_receipt_carries_supplier_and_order(app, client, manager, employee,
                                                        suppliers):
    s = suppliers
    po = ordered_po(client, manager, s, lines=[
        {"product_id": s["flour"], "quantity": "8", "unit_cost": "0.90"}])
    line = po["lines"][0]["id"]
    body = assert_error(receive(client, employee, po["id"], [{"line_id": line,
                                                              "quantity": "1"}]), 422)
    assert "lot" in body["errors"]["json"]
    response = receive(client, employee, po["id"], [
        {"line_id": line, "quantity": "5", "lot": "A1", "expiry_date": "2031-01-01"},
        {"line_id": line, "quantity": "3", "lot": "A2"}])
    assert response.status_code == 200, response.json
    assert response.json["status"] == "received"
    with app.app_context():
        lot = db.session.scalars(db.select(Lot).where(Lot.code == "A1")).one()
        assert (lot.supplier_id, lot.purchase_order_id, lot.expiry_date) == (
            s["acme"], po["id"], date(2031, 1, 1))


def test_patch_only_while_draft_and_lines_are_replaced(client, manager, suppliers):
    s = suppliers
    po = create_po(client, manager, s).json
    response = client.patch(url(po["id"]), headers=manager, json={
        "supplier_id": s["beta"], "notes": "changed", "expected_date": None,
        "lines": [{"product_id": s["gadget"], "quantity": "1", "unit_cost": "9.99"}]})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["supplier_id"] == s["beta"] and body["notes"] == "changed"
    assert [(line["product_id"], line["unit_cost"]) for line in body["lines"]] == [
        (s["gadget"], "9.99")]
    assert body["lines"][0]["id"] != po["lines"][0]["id"]
    client.post(url(po["id"], "submit"), headers=manager)
    conflict = assert_error(client.patch(url(po["id"]), headers=manager,
                                         json={"notes": "late"}), 409)
    assert conflict["errors"] == {"status": "ordered"} and "ordered" in conflict["message"]
    again = assert_error(client.post(url(po["id"], "submit"), headers=manager), 409)
    assert again["errors"] == {"status": "ordered"}


def test_cancel_keeps_what_was_received(app, client, manager, employee, suppliers):
    po = ordered_po(client, manager, suppliers)
    line = po["lines"][0]["id"]
    receive(client, employee, po["id"], [{"line_id": line, "quantity": "4"}])
    response = client.post(url(po["id"], "cancel"), headers=manager)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "cancelled" and body["cancelled_at"] is not None
    assert body["lines"][0]["received_quantity"] == "4.000"
    with app.app_context():
        assert on_hand(suppliers["widget"], suppliers["north"]) == D("4.000")
    again = assert_error(client.post(url(po["id"], "cancel"), headers=manager), 409)
    assert again["errors"] == {"status": "cancelled"}
    received = ordered_po(client, manager, suppliers)
    receive(client, employee, received["id"], [{"line_id": received["lines"][0]["id"],
                                                "quantity": "10"}])
    assert assert_error(client.post(url(received["id"], "cancel"), headers=manager),
                        409)["errors"] == {"status": "received"}


def test_returns_limits(app, client, manager, employee, suppliers):
    s = suppliers
    po = ordered_po(client, manager, s)
    line = po["lines"][0]["id"]
    nothing = assert_error(client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "1"}]}), 409)
    assert nothing["errors"]["lines"][0]["returnable"] == "0.000"
    receive(client, employee, po["id"], [{"line_id": line, "quantity": "6"}])
    response = client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "2"}], "reason": "damaged"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["reason"] == "damaged" and body["purchase_order"]["id"] == po["id"]
    assert body["purchase_order"]["lines"][0]["returned_quantity"] == "2.000"
    assert [(m["type"], m["quantity"], m["reference_id"]) for m in body["movements"]] == [
        ("purchase_return", "-2.000", po["id"])]
    assert [(r["line_id"], r["quantity"], r["unit_cost"]) for r in body["lines"]] == [
        (line, "2.000", "5.00")]
    with app.app_context():
        before = written()
    over = assert_error(client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "4.001"}]}), 409)
    assert over["errors"]["lines"] == [{"line_id": line, "product_id": s["widget"],
                                        "lot": None, "requested": "4.001",
                                        "returnable": "4.000"}]
    with app.app_context():
        assert written() == before
        assert on_hand(s["widget"], s["north"]) == D("4.000")
    assert client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "4"}]}).status_code == 201
    detail = client.get(url(po["id"]), headers=manager).json
    assert len(detail["returns"]) == 2 and detail["status"] == "partially_received"
    with app.app_context():
        assert on_hand(s["widget"], s["north"]) == D("0.000")
        assert queries.ledger_drift() == []


def test_returns_of_lots(app, client, manager, employee, suppliers):
    s = suppliers
    po = ordered_po(client, manager, s, lines=[
        {"product_id": s["flour"], "quantity": "8", "unit_cost": "0.90"}])
    line = po["lines"][0]["id"]
    receive(client, employee, po["id"], [{"line_id": line, "quantity": "5", "lot": "B1"},
                                         {"line_id": line, "quantity": "3", "lot": "B2"}])
    over = assert_error(client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "4", "lot": "B2"}]}), 409)
    assert over["errors"]["lines"][0]["returnable"] == "3.000"
    unknown = assert_error(client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "1", "lot": "NOPE"}]}), 422)
    assert "lot" in unknown["errors"]["json"]["lines"]["0"]
    response = client.post(url(po["id"], "returns"), headers=manager, json={
        "lines": [{"line_id": line, "quantity": "4"}]})  # no lot: last received first
    assert response.status_code == 201, response.json
    assert [(m["lot"], m["quantity"]) for m in response.json["movements"]] == [
        ("B2", "-3.000"), ("B1", "-1.000")]


def test_idempotent_replay(app, client, manager, employee, suppliers):
    po = ordered_po(client, manager, suppliers)
    line = po["lines"][0]["id"]
    headers = {**employee, "Idempotency-Key": "rcv-1"}
    first = receive(client, headers, po["id"], [{"line_id": line, "quantity": "3"}])
    again = receive(client, headers, po["id"], [{"line_id": line, "quantity": "3"}])
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json == first.json
    other = receive(client, headers, po["id"], [{"line_id": line, "quantity": "4"}])
    assert_error(other, 409)
    ret_headers = {**manager, "Idempotency-Key": "ret-1"}
    r1 = client.post(url(po["id"], "returns"), headers=ret_headers,
                     json={"lines": [{"line_id": line, "quantity": "1"}]})
    r2 = client.post(url(po["id"], "returns"), headers=ret_headers,
                     json={"lines": [{"line_id": line, "quantity": "1"}]})
    assert r1.status_code == r2.status_code == 201 and r1.json == r2.json
    cancel_headers = {**manager, "Idempotency-Key": "cnl-1"}
    c1 = client.post(url(po["id"], "cancel"), headers=cancel_headers)
    c2 = client.post(url(po["id"], "cancel"), headers=cancel_headers)
    assert c1.status_code == c2.status_code == 200 and c2.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert on_hand(suppliers["widget"], suppliers["north"]) == D("2.000")
        counts = written()
        assert (counts["receipts"], counts["returns"], counts["movements"]) == (1, 1, 2)


def test_submit_replay(client, manager, suppliers):
    po = create_po(client, manager, suppliers).json
    headers = {**manager, "Idempotency-Key": "sub-1"}
    first = client.post(url(po["id"], "submit"), headers=headers)
    second = client.post(url(po["id"], "submit"), headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true" and second.json == first.json


@pytest.mark.parametrize("body, field", [
    ({"lines": []}, "lines"),
    ({"supplier_id": None}, "supplier_id"),
    ({"lines": [{"product_id": 0, "quantity": "1", "unit_cost": "1.00"}]}, "lines"),
    ({"lines": [{"product_id": "W", "quantity": "1", "unit_cost": "1.00"}]}, "lines"),
    ({"lines": [{"quantity": "-1"}]}, "lines"),
    ({"notes": "bad\x00"}, "notes"),
    ({"expected_date": "tomorrow"}, "expected_date"),
])
def test_bad_create_input_is_422_and_writes_nothing(app, client, manager, suppliers, body,
                                                    field):
    s = suppliers
    full = {"supplier_id": s["acme"], "store_id": s["north"],
            "lines": [{"product_id": s["widget"], "quantity": "1", "unit_cost": "1.00"}], **body}
    error = assert_error(client.post(f"{API}/purchase-orders", json=full, headers=manager), 422)
    assert field in error["errors"]["json"]
    with app.app_context():
        assert written()["orders"] == 0


@pytest.mark.parametrize("change, field", [
    ({"supplier_id": "gone"}, "supplier_id"),
    ({"supplier_id": 999999}, "supplier_id"),
    ({"store_id": "closed"}, "store_id"),
    ({"product_id": 999999}, "lines"),
])
def test_bad_references_are_422(app, client, manager, suppliers, change, field):
    s = suppliers
    body = {"supplier_id": s["acme"], "store_id": s["north"]}
    product = s["widget"]
    for name, value in change.items():
        value = s.get(value, value) if isinstance(value, str) else value
        if name == "product_id":
            product = value
        else:
            body[name] = value
    body["lines"] = [{"product_id": product, "quantity": "1", "unit_cost": "1.00"}]
    error = assert_error(client.post(f"{API}/purchase-orders", json=body, headers=manager), 422)
    assert field in error["errors"]["json"]
    with app.app_context():
        assert written()["orders"] == 0


def test_bad_receive_input(app, client, manager, employee, suppliers):
    po = ordered_po(client, manager, suppliers)
    other = ordered_po(client, manager, suppliers)
    for lines in ([], [{"line_id": po["lines"][0]["id"], "quantity": "0"}],
                  [{"line_id": other["lines"][0]["id"], "quantity": "1"}],
                  [{"line_id": po["lines"][0]["id"]}]):
        error = assert_error(receive(client, employee, po["id"], lines), 422)
        assert "lines" in error["errors"]["json"]
    assert_error(receive(client, employee, 999999, [{"line_id": 1, "quantity": "1"}]), 404)
    with app.app_context():
        assert written()["receipts"] == 0


ROLE_MATRIX = [  # role: list, create, receive, cancel, returns
    ("admin", 200, 201, 200, 200, 201),
    ("manager", 200, 201, 200, 200, 201),
    ("employee", 200, 403, 200, 403, 403),
    ("customer", 403, 403, 403, 403, 403),
]


@pytest.mark.parametrize("role, list_, create, receive_, cancel, returns", ROLE_MATRIX)
def test_role_matrix(client, auth, manager, suppliers, role, list_, create, receive_, cancel,
                     returns):
    headers = auth(role)
    po = ordered_po(client, manager, suppliers)
    line = po["lines"][0]["id"]
    assert client.get(f"{API}/purchase-orders", headers=headers).status_code == list_
    assert client.get(url(po["id"]), headers=headers).status_code == list_
    assert client.get(f"{API}/suppliers/{suppliers['acme']}/purchase-orders",
                      headers=headers).status_code == list_
    assert create_po(client, headers, suppliers).status_code == create
    draft = create_po(client, manager, suppliers).json
    assert client.patch(url(draft["id"]), headers=headers,
                        json={"notes": "x"}).status_code == (200 if create == 201 else 403)
    assert client.post(url(draft["id"], "submit"), headers=headers).status_code == cancel
    assert receive(client, headers, po["id"],
                   [{"line_id": line, "quantity": "1"}]).status_code == receive_
    if receive_ != 200:
        receive(client, manager, po["id"], [{"line_id": line, "quantity": "1"}])
    assert client.post(url(po["id"], "returns"), headers=headers,
                       json={"lines": [{"line_id": line, "quantity": "1"}]}).status_code == returns
    assert client.post(url(po["id"], "cancel"), headers=headers).status_code == cancel


def test_store_scope(app, client, auth, manager, suppliers):
    s = suppliers
    north_po = ordered_po(client, manager, s)
    south_po = ordered_po(client, manager, s, store_id=s["south"])
    scoped = auth("employee", store_ids=[s["north"]])
    scoped_manager = auth("manager", store_ids=[s["north"]])
    listed = client.get(f"{API}/purchase-orders", headers=scoped).json
    assert [po["id"] for po in listed] == [north_po["id"]]
    assert_error(client.get(url(south_po["id"]), headers=scoped), 404)
    assert_error(receive(client, scoped, south_po["id"],
                         [{"line_id": south_po["lines"][0]["id"], "quantity": "1"}]), 403)
    assert_error(create_po(client, scoped_manager, s, store_id=s["south"]), 403)
    assert_error(client.post(url(south_po["id"], "cancel"), headers=scoped_manager), 403)
    assert receive(client, scoped, north_po["id"], [
        {"line_id": north_po["lines"][0]["id"], "quantity": "1"}]).status_code == 200
    with app.app_context():
        assert on_hand(s["widget"], s["south"]) == 0


def test_list_filters_newest_first_and_supplier_history(client, manager, employee, suppliers):
    s = suppliers
    a = create_po(client, manager, s).json
    b = ordered_po(client, manager, s, supplier_id=s["beta"])
    c = ordered_po(client, manager, s, store_id=s["south"])
    ids = lambda query: [po["id"] for po in client.get(  # noqa: E731
        f"{API}/purchase-orders{query}", headers=employee).json]
    assert ids("") == [c["id"], b["id"], a["id"]]
    assert ids(f"?supplier_id={s['beta']}") == [b["id"]]
    assert ids(f"?store_id={s['south']}") == [c["id"]]
    assert ids("?status=draft") == [a["id"]]
    today = date.today().isoformat()
    assert ids(f"?date_from={today}&date_to={today}") == [c["id"], b["id"], a["id"]]
    assert ids("?date_to=2000-01-01") == []
    assert_error(client.get(f"{API}/purchase-orders?status=lost", headers=employee), 422)
    history = client.get(f"{API}/suppliers/{s['acme']}/purchase-orders?page_size=1",
                         headers=employee)
    assert [po["id"] for po in history.json] == [c["id"]]
    assert json.loads(history.headers["X-Pagination"])["total"] == 2
    assert_error(client.get(f"{API}/suppliers/999999/purchase-orders", headers=employee), 404)


def test_supplier_with_orders_cannot_be_deleted(client, auth, manager, suppliers):
    create_po(client, manager, suppliers)
    response = client.delete(f"{API}/suppliers/{suppliers['acme']}", headers=auth("admin"))
    assert_error(response, 409)


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_is_constant(app, client, manager, suppliers, count):
    s = suppliers
    for _ in range(count):
        create_po(client, manager, s, lines=[
            {"product_id": s["widget"], "quantity": "1", "unit_cost": "1.00"},
            {"product_id": s["gadget"], "quantity": "2", "unit_cost": "2.00"}])
    with count_statements(app) as statements:
        response = client.get(f"{API}/purchase-orders?page_size=100", headers=manager)
    assert len(response.json) == count
    assert len(statements) <= 6, statements
