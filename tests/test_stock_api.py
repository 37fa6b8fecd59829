"""Stock endpoints over HTTP: bodies, filters, roles, store scoping, 409/422, idempotency."""

import json

import pytest

from tests.conftest import assert_error

API = "/api/v1"


def move(client, headers, shop, kind="receipt", qty="10", product="widget", store="north",
         **extra):
    body = {"type": kind, "product_id": shop[product], "store_id": shop[store],
            "quantity": qty, **extra}
    return client.post(f"{API}/movements", json=body, headers=headers)


@pytest.fixture
def manager(auth):
    return auth("manager")


def test_receipt_returns_movements_with_location(client, manager, shop):
    response = move(client, manager, shop, qty="12.5", unit_cost="3.20")
    assert response.status_code == 201
    [movement] = response.json["movements"]
    assert movement["type"] == "receipt" and movement["quantity"] == "12.500"
    assert movement["balance_after"] == "12.500" and movement["unit_cost"] == "3.20"
    assert movement["lot"] is None and isinstance(movement["created_by"], int)
    assert response.headers["Location"].endswith(f"/movements/{movement['id']}")
    detail = client.get(f"{API}/movements/{movement['id']}", headers=manager).json
    assert detail == movement


def test_issue_beyond_stock_is_409_with_short_lines(client, manager, shop):
    move(client, manager, shop, qty="2")
    body = assert_error(move(client, manager, shop, kind="issue", qty="5"), 409)
    [short] = body["errors"]["short_lines"]
    assert short == {"line": 1, "product_id": shop["widget"], "store_id": shop["north"],
                     "lot": None, "requested": "5.000", "available": "2.000"}
    stock = client.get(f"{API}/products/{shop['widget']}/stock", headers=manager).json
    assert stock["on_hand"] == "2.000"


def test_bad_movement_bodies_are_422_and_write_nothing(client, manager, shop):
    cases = [
        {"quantity": "-1"},                                 # receipt must be positive
        {"quantity": "1.2345"},                             # 4 decimals
        {"quantity": "0"},
        {"type": "transfer_in"},                            # not a manual type
        {"type": "adjustment", "quantity": "2"},            # adjustment needs a reason
        {"type": "issue", "unit_cost": "1.00"},             # only receipts carry cost
        {"product": "flour"},                               # tracked: lot required
        {"lot": "L1"},                                      # untracked: no lot
        {"store": "closed"},                                # inactive store
        {"colour": "red"},                                  # unknown field
    ]
    for case in cases:
        case = dict(case)
        kind = case.pop("type", "receipt")
        product = case.pop("product", "widget")
        store = case.pop("store", "north")
        qty = case.pop("quantity", "1")
        response = move(client, manager, shop, kind=kind, qty=qty, product=product, store=store,
                        **case)
        assert_error(response, 422)
    assert client.get(f"{API}/movements", headers=manager).json == []
    unknown = client.post(f"{API}/movements", json={"type": "receipt", "product_id": 999999,
                                                    "store_id": shop["north"], "quantity": 1},
                          headers=manager)
    assert "product_id" in assert_error(unknown, 422)["errors"]["json"]


def test_adjustment_needs_manager(client, auth, shop):
    employee = auth("employee")
    assert move(client, employee, shop, qty="3").status_code == 201
    assert move(client, employee, shop, kind="issue", qty="1").status_code == 201
    assert_error(move(client, employee, shop, kind="adjustment", qty="-1", reason="broken"), 403)
    assert move(client, auth("manager"), shop, kind="adjustment", qty="-1",
                reason="broken").status_code == 201


def test_issue_of_tracked_product_splits_fefo(client, manager, shop):
    move(client, manager, shop, product="flour", qty="4", lot="L-2", expiry_date="2027-05-01")
    move(client, manager, shop, product="flour", qty="4", lot="L-1", expiry_date="2027-01-01")
    response = move(client, manager, shop, kind="issue", product="flour", qty="6")
    assert [(m["lot"], m["quantity"]) for m in response.json["movements"]] == [
        ("L-1", "-4.000"), ("L-2", "-2.000")]
    lots = client.get(f"{API}/lots?product_id={shop['flour']}", headers=manager).json
    assert [(row["lot"], row["quantity"], row["expiry_date"]) for row in lots] == [
        ("L-2", "2.000", "2027-05-01")]


def test_ledger_filters_and_keyset(client, manager, shop):
    ids = [move(client, manager, shop, qty=str(q)).json["movements"][0]["id"] for q in (1, 2, 3)]
    move(client, manager, shop, product="gadget", store="south", qty="1")
    listed = client.get(f"{API}/movements?product_id={shop['widget']}", headers=manager)
    assert [m["id"] for m in listed.json] == ids[::-1]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 3
    keyset = client.get(f"{API}/movements?product_id={shop['widget']}&before_id={ids[2]}",
                        headers=manager).json
    assert [m["id"] for m in keyset] == [ids[1], ids[0]]
    assert len(client.get(f"{API}/movements?store_id={shop['south']}", headers=manager).json) == 1
    assert len(client.get(f"{API}/movements?type=issue", headers=manager).json) == 0
    today = listed.json[0]["created_at"][:10]
    assert len(client.get(f"{API}/movements?date_from={today}&date_to={today}",
                          headers=manager).json) == 4
    assert client.get(f"{API}/movements?date_to=2000-01-01", headers=manager).json == []
    per_product = client.get(f"{API}/products/{shop['widget']}/movements?page_size=2",
                             headers=manager)
    assert [m["id"] for m in per_product.json] == [ids[2], ids[1]]
    assert json.loads(per_product.headers["X-Pagination"])["next_page"] == 2
    assert_error(client.get(f"{API}/products/999999/movements", headers=manager), 404)
    assert_error(client.get(f"{API}/movements?type=teleport", headers=manager), 422)


def test_product_stock_per_store_and_lot(client, manager, shop):
    move(client, manager, shop, qty="7")
    move(client, manager, shop, qty="2", store="south")
    move(client, manager, shop, product="flour", qty="3", lot="B1", expiry_date="2027-02-02")
    stock = client.get(f"{API}/products/{shop['widget']}/stock", headers=manager).json
    assert stock["on_hand"] == "9.000" and stock["available"] == "9.000"
    north, south = stock["stores"]
    assert (north["store_id"], north["on_hand"], north["stock_status"]) == (
        shop["north"], "7.000", "in_stock")
    assert (south["on_hand"], south["min_stock"], south["stock_status"]) == (
        "2.000", "5.000", "low")
    flour = client.get(f"{API}/products/{shop['flour']}/stock", headers=manager).json
    assert flour["stores"][0]["lots"][0]["lot"] == "B1"
    product = client.get(f"{API}/products/{shop['widget']}", headers=manager).json
    assert product["stock_total"] == "9.000" and product["stock_status"] == "in_stock"
    assert_error(client.get(f"{API}/products/999999/stock", headers=manager), 404)


def test_store_inventory_and_min_stock_override(client, manager, shop):
    move(client, manager, shop, qty="4")
    move(client, manager, shop, product="gadget", qty="50")
    move(client, manager, shop, product="flour", qty="3", lot="B1")
    rows = client.get(f"{API}/stores/{shop['north']}/inventory", headers=manager).json
    assert [(r["name"], r["on_hand"], r["stock_status"]) for r in rows] == [
        ("Flour", "3.000", "low"), ("Gadget", "50.000", "in_stock"), ("Widget", "4.000", "low")]
    assert rows[0]["lots"][0]["lot"] == "B1" and rows[1]["lots"] is None
    low = client.get(f"{API}/stores/{shop['north']}/inventory?stock_status=low", headers=manager)
    assert [r["name"] for r in low.json] == ["Flour", "Widget"]
    assert [r["name"] for r in client.get(f"{API}/stores/{shop['north']}/inventory?q=gad",
                                          headers=manager).json] == ["Gadget"]
    put = client.put(f"{API}/stores/{shop['north']}/inventory/{shop['widget']}",
                     json={"min_stock": "2"}, headers=manager)
    assert put.json == {"store_id": shop["north"], "product_id": shop["widget"],
                        "min_stock": "2.000"}
    rows = client.get(f"{API}/stores/{shop['north']}/inventory?q=widget", headers=manager).json
    assert (rows[0]["min_stock"], rows[0]["stock_status"]) == ("2.000", "in_stock")
    reset = client.put(f"{API}/stores/{shop['north']}/inventory/{shop['widget']}",
                       json={"min_stock": None}, headers=manager)
    assert reset.json["min_stock"] == "5.000"
    assert_error(client.put(f"{API}/stores/{shop['north']}/inventory/999999",
                            json={"min_stock": "1"}, headers=manager), 404)
    assert_error(client.put(f"{API}/stores/{shop['north']}/inventory/{shop['widget']}",
                            json={"min_stock": "-1"}, headers=manager), 422)
    assert_error(client.get(f"{API}/stores/999999/inventory", headers=manager), 404)


def test_low_stock_alerts_and_events(client, manager, shop):
    move(client, manager, shop, qty="8")
    move(client, manager, shop, kind="issue", qty="4")  # 8 -> 4, min 5: crossing
    move(client, manager, shop, product="gadget", qty="3")  # min 0: fine
    rows = client.get(f"{API}/alerts/low-stock", headers=manager).json
    assert rows == [{"product_id": shop["widget"], "store_id": shop["north"], "sku": "W-1",
                     "name": "Widget", "available": "4.000", "min_stock": "5.000",
                     "shortage": "1.000", "suggested_order_quantity": "20.000",
                     "preferred_supplier_id": None}]
    assert client.get(f"{API}/alerts/low-stock?store_id={shop['south']}", headers=manager).json == []
    events = client.get(f"{API}/alerts/events?open=true", headers=manager).json
    assert [(e["product_id"], e["available"], e["resolved_at"]) for e in events] == [
        (shop["widget"], "4.000", None)]
    move(client, manager, shop, qty="10")
    assert client.get(f"{API}/alerts/events?open=true", headers=manager).json == []
    closed = client.get(f"{API}/alerts/events?open=false", headers=manager).json
    assert closed[0]["resolved_at"] is not None
    assert client.get(f"{API}/alerts/low-stock", headers=manager).json == []


def test_transfer_endpoint(client, manager, shop):
    move(client, manager, shop, qty="5")
    response = client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["south"], "notes": "restock",
        "lines": [{"product_id": shop["widget"], "quantity": "2"}]}, headers=manager)
    assert response.status_code == 201
    transfer = response.json
    assert transfer["lines"][0]["quantity"] == "2.000" and transfer["notes"] == "restock"
    assert sorted(m["type"] for m in transfer["movements"]) == ["transfer_in", "transfer_out"]
    assert all(m["reference_type"] == "transfer" and m["reference_id"] == transfer["id"]
               for m in transfer["movements"])
    assert client.get(f"{API}/transfers/{transfer['id']}", headers=manager).json == transfer
    assert [t["id"] for t in client.get(f"{API}/transfers?store_id={shop['south']}",
                                        headers=manager).json] == [transfer["id"]]
    same = client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["north"],
        "lines": [{"product_id": shop["widget"], "quantity": "1"}]}, headers=manager)
    assert "to_store_id" in assert_error(same, 422)["errors"]["json"]
    short = client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["widget"], "quantity": "1"},
                  {"product_id": shop["gadget"], "quantity": "2"},
                  {"product_id": shop["widget"], "quantity": "5"}]}, headers=manager)
    lines = assert_error(short, 409)["errors"]["short_lines"]
    assert [line["line"] for line in lines] == [2, 3]
    assert client.get(f"{API}/products/{shop['widget']}/stock",
                      headers=manager).json["stores"][0]["on_hand"] == "3.000"
    assert_error(client.get(f"{API}/transfers/999999", headers=manager), 404)


def test_stock_count_endpoint(client, manager, shop):
    move(client, manager, shop, qty="10")
    response = client.post(f"{API}/stock-counts", json={"store_id": shop["north"], "lines": [
        {"product_id": shop["widget"], "counted_quantity": "7"},
        {"product_id": shop["gadget"], "counted_quantity": "2"}]}, headers=manager)
    assert response.status_code == 201
    lines = response.json["lines"]
    assert [(ln["expected_quantity"], ln["counted_quantity"], ln["difference"]) for ln in lines] == [
        ("10.000", "7.000", "-3.000"), ("0.000", "2.000", "2.000")]
    count_id = response.json["id"]
    adjustments = client.get(f"{API}/movements?reference_type=count&reference_id={count_id}",
                             headers=manager).json
    assert sorted(m["quantity"] for m in adjustments) == ["-3.000", "2.000"]
    assert client.get(f"{API}/stock-counts/{count_id}", headers=manager).json == response.json
    assert len(client.get(f"{API}/stock-counts?store_id={shop['north']}", headers=manager).json) == 1
    tracked = client.post(f"{API}/stock-counts", json={"store_id": shop["north"], "lines": [
        {"product_id": shop["flour"], "counted_quantity": "1"}]}, headers=manager)
    assert_error(tracked, 422)
    dup = client.post(f"{API}/stock-counts", json={"store_id": shop["north"], "lines": [
        {"product_id": shop["gadget"], "counted_quantity": "1"},
        {"product_id": shop["gadget"], "counted_quantity": "2"}]}, headers=manager)
    assert_error(dup, 422)
    assert_error(client.get(f"{API}/stock-counts/999999", headers=manager), 404)


def test_lot_trace(client, manager, shop):
    receipt = move(client, manager, shop, product="flour", qty="5", lot="T1").json["movements"][0]
    move(client, manager, shop, kind="issue", product="flour", qty="2")
    lot_id = receipt["lot_id"]
    trace = client.get(f"{API}/lots/{lot_id}/trace", headers=manager).json
    assert trace["lot"] == "T1" and trace["received_by"]["id"] == receipt["id"]
    assert [m["quantity"] for m in trace["movements"]] == ["5.000", "-2.000"]
    assert_error(client.get(f"{API}/lots/999999/trace", headers=manager), 404)


# --------------------------------------------------------------------------- idempotency


def test_idempotent_transfer_changes_stock_once(client, manager, shop):
    move(client, manager, shop, qty="5")
    body = {"from_store_id": shop["north"], "to_store_id": shop["south"],
            "lines": [{"product_id": shop["widget"], "quantity": "2"}]}
    headers = {**manager, "Idempotency-Key": "transfer-42"}
    first = client.post(f"{API}/transfers", json=body, headers=headers)
    again = client.post(f"{API}/transfers", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert len(client.get(f"{API}/transfers", headers=manager).json) == 1
    stock = client.get(f"{API}/products/{shop['widget']}/stock", headers=manager).json
    assert [s["on_hand"] for s in stock["stores"]] == ["3.000", "2.000"]
    other = client.post(f"{API}/transfers", json={**body, "notes": "x"}, headers=headers)
    assert_error(other, 409)
    assert len(client.get(f"{API}/transfers", headers=manager).json) == 1


def test_idempotency_keys_are_per_user_and_refusals_not_stored(client, auth, shop):
    one, two = auth("manager"), auth("manager")
    key = {"Idempotency-Key": "k1"}
    assert_error(move(client, {**one, **key}, shop, kind="issue", qty="1"), 409)
    assert move(client, {**one, **key}, shop, qty="1").status_code == 201  # new body, not stored
    assert move(client, {**two, **key}, shop, qty="1").status_code == 201  # other user
    assert len(client.get(f"{API}/movements", headers=one).json) == 2
    assert_error(move(client, {**one, "Idempotency-Key": "x" * 256}, shop), 422)


# --------------------------------------------------------------------------- roles and scoping


STOCK_READS = ["/movements", "/transfers", "/stock-counts", "/alerts/low-stock",
               "/alerts/events", "/lots"]


@pytest.mark.parametrize("role,expected", [
    ("admin", 200), ("manager", 200), ("employee", 200), ("customer", 403)])
def test_read_role_matrix(client, auth, shop, role, expected):
    headers = auth(role)
    paths = STOCK_READS + [f"/products/{shop['widget']}/stock",
                           f"/products/{shop['widget']}/movements",
                           f"/stores/{shop['north']}/inventory"]
    for path in paths:
        assert client.get(API + path, headers=headers).status_code == expected, path
    assert_error(client.get(API + "/movements"), 401)


@pytest.mark.parametrize("role,receipt,adjust,transfer,count,minimum,trace", [
    ("admin", 201, 201, 201, 201, 200, 200),
    ("manager", 201, 201, 201, 201, 200, 200),
    ("employee", 201, 403, 403, 403, 403, 403),
    ("customer", 403, 403, 403, 403, 403, 403),
])
def test_write_role_matrix(client, auth, shop, role, receipt, adjust, transfer, count, minimum,
                           trace):
    headers = auth(role)
    created = move(client, headers, shop, product="flour", qty="5", lot="R1")
    assert created.status_code == receipt
    assert move(client, headers, shop, kind="adjustment", qty="1",
                reason="found").status_code == adjust
    move(client, auth("manager"), shop, qty="5")
    assert client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["widget"], "quantity": "1"}]},
        headers=headers).status_code == transfer
    assert client.post(f"{API}/stock-counts", json={"store_id": shop["north"], "lines": [
        {"product_id": shop["gadget"], "counted_quantity": "1"}]},
        headers=headers).status_code == count
    assert client.put(f"{API}/stores/{shop['north']}/inventory/{shop['widget']}",
                      json={"min_stock": "1"}, headers=headers).status_code == minimum
    lot = move(client, auth("manager"), shop, product="flour", qty="1", lot="TRACE")
    lot_id = lot.json["movements"][0]["lot_id"]
    assert client.get(f"{API}/lots/{lot_id}/trace", headers=headers).status_code == trace


def test_store_scoped_employee(client, auth, shop):
    manager = auth("manager")
    move(client, manager, shop, qty="5", store="south")
    scoped = auth("employee", store_ids=[shop["north"]])
    assert move(client, scoped, shop, qty="1").status_code == 201
    assert_error(move(client, scoped, shop, qty="1", store="south"), 403)
    assert_error(move(client, scoped, shop, kind="issue", qty="1", store="south"), 403)
    ledger = client.get(f"{API}/movements", headers=scoped).json
    assert {m["store_id"] for m in ledger} == {shop["north"]}
    stock = client.get(f"{API}/products/{shop['widget']}/stock", headers=scoped).json
    assert [s["store_id"] for s in stock["stores"]] == [shop["north"]]
    assert_error(client.get(f"{API}/stores/{shop['south']}/inventory", headers=scoped), 404)
    scoped_manager = auth("manager", store_ids=[shop["north"]])
    transfer = client.post(f"{API}/transfers", json={
        "from_store_id": shop["south"], "to_store_id": shop["north"],
        "lines": [{"product_id": shop["widget"], "quantity": "1"}]}, headers=scoped_manager)
    assert_error(transfer, 403)
    south_movement = client.get(f"{API}/movements?store_id={shop['south']}",
                                headers=manager).json[0]["id"]
    assert_error(client.get(f"{API}/movements/{south_movement}", headers=scoped), 404)


def test_no_route_edits_a_movement(client, manager, shop):
    movement = move(client, manager, shop).json["movements"][0]
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/movements/{movement['id']}", json={},
                                           headers=manager)
        assert_error(response, 405)


def test_deadlock_is_retried_whole_and_applied_once(client, manager, shop, monkeypatch):
    """A MySQL deadlock (1213) inside the unit of work: rolled back and run again."""
    import pymysql
    from sqlalchemy.exc import OperationalError

    from inventory_api.stock import documents

    real = documents.post_manual_movement
    calls = []

    def deadlock_once(data, principal=None):
        calls.append(1)
        movements = real(data, principal)  # the work is done (flushed) ...
        if len(calls) == 1:                # ... then the database picks us as the victim
            raise OperationalError("UPDATE stock_levels", {},
                                   pymysql.err.OperationalError(1213, "Deadlock found"))
        return movements

    monkeypatch.setattr(documents, "post_manual_movement", deadlock_once)
    response = move(client, {**manager, "Idempotency-Key": "dl-1"}, shop, qty="4")
    assert response.status_code == 201 and len(calls) == 2
    stock = client.get(f"{API}/products/{shop['widget']}/stock", headers=manager).json
    assert stock["on_hand"] == "4.000"
    assert len(client.get(f"{API}/movements", headers=manager).json) == 1


def test_other_database_errors_are_not_retried(client, manager, shop, monkeypatch):
    import pymysql
    from sqlalchemy.exc import OperationalError

    from inventory_api.stock import documents

    calls = []

    def broken(data, principal=None):
        calls.append(1)
        raise OperationalError("SELECT", {}, pymysql.err.OperationalError(2013, "Lost connection"))

    monkeypatch.setattr(documents, "post_manual_movement", broken)
    body = assert_error(move(client, manager, shop), 500)
    assert len(calls) == 1 and "Lost connection" not in body["message"]


# --------------------------------------------------------------------------- issue 7


def test_unknown_store_or_product_in_transfer_and_count_is_422(client, manager, shop):
    move(client, manager, shop, qty="5")
    line = {"product_id": shop["widget"], "quantity": "1"}
    cases = [
        ({"from_store_id": 999999, "to_store_id": shop["south"]}, {"from_store_id"}),
        ({"from_store_id": shop["north"], "to_store_id": 999999}, {"to_store_id"}),
        ({"from_store_id": shop["north"], "to_store_id": shop["closed"]}, {"to_store_id"}),
    ]
    for stores, fields in cases:
        body = assert_error(client.post(f"{API}/transfers", json={**stores, "lines": [line]},
                                        headers=manager), 422)
        assert set(body["errors"]["json"]) == fields, body
    unknown_product = client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [line, {"product_id": 999999, "quantity": "1"}]}, headers=manager)
    assert assert_error(unknown_product, 422)["errors"]["json"] == {
        "lines": {"1": {"product_id": ["Unknown product 999999."]}}}
    nothing_known = client.post(f"{API}/transfers", json={  # stores read without products
        "from_store_id": shop["closed"], "to_store_id": 999998,
        "lines": [{"product_id": 999999, "quantity": "1"}]}, headers=manager)
    assert assert_error(nothing_known, 422)["errors"]["json"] == {
        "from_store_id": [f"Store {shop['closed']} is inactive."],
        "to_store_id": ["Unknown store 999998."],
        "lines": {"0": {"product_id": ["Unknown product 999999."]}}}
    count = client.post(f"{API}/stock-counts", json={"store_id": 999999, "lines": [
        {"product_id": shop["widget"], "counted_quantity": "1"}]}, headers=manager)
    assert list(assert_error(count, 422)["errors"]["json"]) == ["store_id"]
    count = client.post(f"{API}/stock-counts", json={"store_id": shop["north"], "lines": [
        {"product_id": 999999, "counted_quantity": "1"}]}, headers=manager)
    assert assert_error(count, 422)["errors"]["json"] == {
        "lines": {"0": {"product_id": ["Unknown product 999999."]}}}
    assert client.get(f"{API}/transfers", headers=manager).json == []
    assert client.get(f"{API}/stock-counts", headers=manager).json == []


def test_receipts_past_the_quantity_range_are_422_and_write_nothing(app, client, manager, shop):
    from inventory_api.stock import queries

    assert move(client, manager, shop, qty="99999999999.000").status_code == 201
    assert move(client, manager, shop, qty="0.999").status_code == 201  # the largest balance
    refused = assert_error(move(client, manager, shop, qty="99999999999.999"), 422)
    assert list(refused["errors"]["json"]) == ["quantity"]
    costly = assert_error(move(client, manager, shop, product="gadget", qty="10",
                               unit_cost="999999999999.99"), 422)
    assert list(costly["errors"]["json"]) == ["unit_cost"]
    stock = client.get(f"{API}/products/{shop['widget']}/stock", headers=manager).json
    assert stock["on_hand"] == "99999999999.999"
    assert len(client.get(f"{API}/movements", headers=manager).json) == 2
    with app.app_context():
        assert queries.ledger_drift() == []


def test_lot_trace_shows_origin_and_respects_store_scope(app, client, auth, manager, shop):
    from inventory_api.extensions import db
    from inventory_api.suppliers.models import Supplier

    with app.app_context():
        supplier = Supplier(name="Mill")
        db.session.add(supplier)
        db.session.commit()
        supplier_id = supplier.id
    receipt = move(client, manager, shop, product="flour", qty="5", lot="T1",
                   supplier_id=supplier_id).json["movements"][0]
    client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["flour"], "quantity": "2", "lot": "T1"}]}, headers=manager)
    only_south = move(client, manager, shop, product="flour", store="south", qty="1",
                      lot="S1").json["movements"][0]["lot_id"]
    lot_id = receipt["lot_id"]
    full = client.get(f"{API}/lots/{lot_id}/trace", headers=manager).json
    assert (full["supplier_id"], full["purchase_order_id"]) == (supplier_id, None)
    assert [(m["type"], m["store_id"]) for m in full["movements"]] == [
        ("receipt", shop["north"]), ("transfer_out", shop["north"]),
        ("transfer_in", shop["south"])]
    south = auth("manager", store_ids=[shop["south"]])
    scoped = client.get(f"{API}/lots/{lot_id}/trace", headers=south).json
    assert [(m["type"], m["store_id"]) for m in scoped["movements"]] == [
        ("transfer_in", shop["south"])]
    assert scoped["received_by"]["type"] == "transfer_in"
    north = auth("manager", store_ids=[shop["north"]])
    assert {m["store_id"] for m in client.get(f"{API}/lots/{lot_id}/trace",
                                              headers=north).json["movements"]} == {shop["north"]}
    assert_error(client.get(f"{API}/lots/{only_south}/trace", headers=north), 404)
    assert_error(move(client, manager, shop, kind="issue", qty="1", supplier_id=supplier_id),
                 422)


def test_api_key_that_acted_is_recorded(client, auth, shop):
    admin = auth("admin")
    created = client.post(f"{API}/api-keys", json={"name": "sync", "role": "manager"},
                          headers=admin)
    assert created.status_code == 201, created.json
    key = {"X-API-Key": created.json["key"]}
    key_id = created.json["id"]
    [movement] = move(client, key, shop, qty="5").json["movements"]
    assert (movement["created_by"], movement["api_key_id"]) == (None, key_id)
    assert client.get(f"{API}/movements/{movement['id']}", headers=admin).json == movement
    transfer = client.post(f"{API}/transfers", json={
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["widget"], "quantity": "1"}]}, headers=key).json
    assert (transfer["created_by"], transfer["api_key_id"]) == (None, key_id)
    assert {(m["created_by"], m["api_key_id"]) for m in transfer["movements"]} == {
        (None, key_id)}
    count = client.post(f"{API}/stock-counts", json={"store_id": shop["north"], "lines": [
        {"product_id": shop["widget"], "counted_quantity": "1"}]}, headers=key).json
    assert (count["created_by"], count["api_key_id"]) == (None, key_id)
    [by_user] = move(client, admin, shop, qty="1").json["movements"]
    assert isinstance(by_user["created_by"], int) and by_user["api_key_id"] is None
