"""Orders over HTTP: reservation numbers, transitions, debts, history, roles,
privacy between customers, bad input, idempotency, store scope, low-stock events."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from inventory_api.extensions import db
from inventory_api.orders.models import Order, OrderLine, OrderStatusChange
from inventory_api.stock import queries
from inventory_api.stock.models import LowStockEvent, Movement
from tests.conftest import assert_error
from tests.orders_utils import API, act, place, stock_in, stock_of, user_with_token


@pytest.fixture
def people(make_user, login):
    """Two customers, an employee, a manager and an admin, each with headers."""
    return {
        "alice": user_with_token(make_user, login, "customer"),
        "bob": user_with_token(make_user, login, "customer"),
        "employee": user_with_token(make_user, login, "employee"),
        "manager": user_with_token(make_user, login, "manager"),
        "admin": user_with_token(make_user, login, "admin"),
    }


@pytest.fixture
def stocked(app, shop):
    stock_in(app, shop, "widget", "20")
    stock_in(app, shop, "gadget", "5")
    return shop


def h(people, who):
    return people[who]["headers"]


def debts_of(client, people, order_id):
    return client.get(f"{API}/debts?source_type=order&source_id={order_id}",
                      headers=h(people, "manager")).json


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- create


def test_customer_order_reserves_stock_and_returns_body(client, people, stocked):
    shop = stocked
    response = place(client, h(people, "alice"), shop,
                     lines=[("widget", "3"), ("gadget", "1.5")], notes="  leave at door  ")
    assert response.status_code == 201, response.json
    order = response.json
    assert response.headers["Location"].endswith(f"/orders/{order['id']}")
    assert order["client_id"] == people["alice"]["client_id"]
    assert order["store_id"] == shop["north"] and order["status"] == "pending"
    assert order["total"] == "75.00" and order["paid"] == "0.00"
    assert order["notes"] == "leave at door" and order["created_by"] == people["alice"]["id"]
    assert [(line["product_id"], line["quantity"], line["unit_price"], line["line_total"])
            for line in order["lines"]] == [
        (shop["widget"], "3.000", "10.00", "30.00"), (shop["gadget"], "1.500", "30.00", "45.00")]
    assert [(r["product_id"], r["store_id"], r["lot_id"], r["quantity"])
            for r in order["reservations"]] == [
        (shop["widget"], shop["north"], None, "3.000"), (shop["gadget"], shop["north"], None,
                                                         "1.500")]
    [created] = order["status_history"]
    assert created["from_status"] is None and created["to_status"] == "pending"
    assert created["user_id"] == people["alice"]["id"] and created["note"] is None
    manager = h(people, "manager")
    assert stock_of(client, manager, shop, "widget") == ("20.000", "3.000", "17.000")
    assert stock_of(client, manager, shop, "gadget") == ("5.000", "1.500", "3.500")
    detail = client.get(f"{API}/orders/{order['id']}", headers=h(people, "alice")).json
    assert detail == order


def test_short_stock_is_409_listing_every_short_line_and_writes_nothing(app, client, people,
                                                                        stocked):
    shop = stocked
    body = assert_error(place(client, h(people, "alice"), shop,
                              lines=[("widget", "21"), ("gadget", "6"), ("flour", "1")]), 409)
    short = body["errors"]["short_lines"]
    assert [(s["product_id"], s["requested"], s["available"]) for s in short] == [
        (shop["widget"], "21.000", "20.000"), (shop["gadget"], "6.000", "5.000"),
        (shop["flour"], "1.000", "0.000")]
    with app.app_context():
        assert count(Order) == 0 and count(OrderLine) == 0 and count(OrderStatusChange) == 0
    assert stock_of(client, h(people, "manager"), shop, "widget") == ("20.000", "0.000", "20.000")


def test_reserved_stock_is_not_available_to_the_next_order(client, people, stocked):
    shop = stocked
    assert place(client, h(people, "alice"), shop, lines=[("gadget", "4")]).status_code == 201
    body = assert_error(place(client, h(people, "bob"), shop, lines=[("gadget", "2")]), 409)
    assert body["errors"]["short_lines"][0]["available"] == "1.000"


def test_tracked_product_reserves_fefo_lots_and_confirm_names_them(app, client, people, shop):
    stock_in(app, shop, "flour", "4", lot="LATE", expiry_date=date(2031, 1, 1))
    stock_in(app, shop, "flour", "3", lot="SOON", expiry_date=date(2030, 1, 1))
    order = place(client, h(people, "alice"), shop, lines=[("flour", "5")]).json
    assert [r["quantity"] for r in order["reservations"]] == ["3.000", "2.000"]
    confirmed = act(client, h(people, "employee"), order["id"], "confirm")
    assert confirmed.status_code == 200, confirmed.json
    with app.app_context():
        movements = db.session.scalars(select(Movement).where(
            Movement.reference_type == "order").order_by(Movement.id)).all()
        assert [(m.lot.code, m.quantity) for m in movements] == [("SOON", -3), ("LATE", -2)]
        assert queries.ledger_drift() == []
    assert stock_of(client, h(people, "manager"), shop, "flour") == ("2.000", "0.000", "2.000")


def test_staff_order_needs_client_and_default_store(app, client, people, stocked):
    shop = stocked
    staff = h(people, "employee")
    missing = assert_error(place(client, staff, shop, store=None), 422)
    assert "client_id" in missing["errors"]["json"]
    alice = people["alice"]["client_id"]
    order = place(client, staff, shop, store=None, client_id=alice).json
    # the default store without configuration: the active store with the lowest id
    assert order["store_id"] == min(shop["north"], shop["south"])
    assert order["client_id"] == alice and order["created_by"] == people["employee"]["id"]


def test_default_store_setting(app, client, people, stocked):
    shop = stocked
    stock_in(app, shop, "widget", "5", store="south")
    app.config["DEFAULT_ORDER_STORE_ID"] = str(shop["south"])
    try:
        order = place(client, h(people, "alice"), shop, store=None).json
        assert order["store_id"] == shop["south"]
        app.config["DEFAULT_ORDER_STORE_ID"] = str(shop["closed"])
        body = assert_error(place(client, h(people, "alice"), shop, store=None), 422)
        assert body["errors"]["json"]["store_id"] == [f"Store {shop['closed']} is inactive."]
    finally:
        app.config.pop("DEFAULT_ORDER_STORE_ID")


def test_customer_naming_another_client_is_403(app, client, people, stocked):
    body = assert_error(place(client, h(people, "alice"), stocked,
                              client_id=people["bob"]["client_id"]), 403)
    assert "themselves" in body["message"]
    own = place(client, h(people, "alice"), stocked, client_id=people["alice"]["client_id"])
    assert own.status_code == 201
    with app.app_context():
        assert count(Order) == 1


def test_bad_order_bodies_are_4xx_and_write_nothing(app, client, people, stocked):
    shop = stocked
    customer = h(people, "alice")
    widget = shop["widget"]
    cases = [
        {"lines": []},
        {"lines": [{"product_id": widget, "quantity": "0"}]},
        {"lines": [{"product_id": widget, "quantity": "-1"}]},
        {"lines": [{"product_id": widget, "quantity": "1.2345"}]},
        {"lines": [{"product_id": widget, "quantity": 1, "unit_price": "1.00"}]},
        {"lines": [{"product_id": "x", "quantity": 1}]},
        {"lines": [{"product_id": 999999, "quantity": 1}]},
        {"lines": [{"product_id": widget, "quantity": 1}, {"product_id": widget,
                                                           "quantity": 1}]},
        {"lines": [{"product_id": widget, "quantity": 1}], "store_id": shop["closed"]},
        {"lines": [{"product_id": widget, "quantity": 1}], "store_id": 999999},
        {"lines": [{"product_id": widget, "quantity": 1}], "notes": "bad\x00"},
        {"lines": [{"product_id": widget, "quantity": 1}], "colour": "red"},
        {"lines": [{"product_id": shop["gadget"], "quantity": "99999999999.999"}]},  # > money
        {},
    ]
    for case in cases:
        response = client.post(f"{API}/orders", json=case, headers=customer)
        assert_error(response, 422)
    unknown = client.post(f"{API}/orders", json=cases[6], headers=customer).json
    assert unknown["errors"]["json"]["lines"] == {"0": {"product_id": ["Unknown product 999999."]}}
    unknown_client = client.post(f"{API}/orders", headers=h(people, "employee"), json={
        **cases[1], "lines": [{"product_id": widget, "quantity": 1}], "client_id": 999999})
    assert assert_error(unknown_client, 422)["errors"]["json"]["client_id"] == [
        "Unknown client 999999."]
    with app.app_context():
        assert count(Order) == 0 and count(OrderLine) == 0
    assert stock_of(client, h(people, "manager"), shop, "widget") == ("20.000", "0.000", "20.000")


def test_inactive_product_is_422(app, client, people, stocked):
    from inventory_api.products.models import Product

    with app.app_context():
        db.session.get(Product, stocked["gadget"]).active = False
        db.session.commit()
    body = assert_error(place(client, h(people, "alice"), stocked, lines=[("gadget", "1")]), 422)
    assert body["errors"]["json"]["lines"] == {
        "0": {"product_id": [f"Product {stocked['gadget']} is inactive."]}}


# --------------------------------------------------------------------------- transitions


def test_confirm_moves_stock_and_opens_the_unpaid_debt(app, client, people, stocked):
    shop = stocked
    order = place(client, h(people, "alice"), shop, lines=[("widget", "3")]).json
    response = act(client, h(people, "employee"), order["id"], "confirm",
                   {"amount_paid": "10.00", "note": "paid cash 10"})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "confirmed" and body["paid"] == "10.00" and body["total"] == "30.00"
    last = body["status_history"][-1]
    assert (last["from_status"], last["to_status"], last["user_id"], last["note"]) == (
        "pending", "confirmed", people["employee"]["id"], "paid cash 10")
    assert stock_of(client, h(people, "manager"), shop, "widget") == ("17.000", "0.000", "17.000")
    [debt] = debts_of(client, people, order["id"])
    assert debt["client_id"] == people["alice"]["client_id"] and debt["amount"] == "20.00"
    assert debt["balance"] == "20.00" and debt["status"] == "open"
    with app.app_context():
        [movement] = db.session.scalars(select(Movement).where(
            Movement.reference_type == "order", Movement.reference_id == order["id"])).all()
        assert movement.type == "order" and movement.quantity == -3
        assert movement.created_by_id == people["employee"]["id"]
        assert queries.ledger_drift() == []


def test_confirm_fully_paid_opens_no_debt_and_ignores_credit_limit(client, people, stocked):
    paid = place(client, h(people, "alice"), stocked).json
    assert act(client, h(people, "employee"), paid["id"], "confirm",
               {"amount_paid": "20.00"}).json["paid"] == "20.00"
    assert debts_of(client, people, paid["id"]) == []
    # the client's credit limit is 0 (no credit), yet staff may confirm on credit
    unpaid = place(client, h(people, "alice"), stocked).json
    assert act(client, h(people, "employee"), unpaid["id"], "confirm").status_code == 200
    assert debts_of(client, people, unpaid["id"])[0]["amount"] == "20.00"


def test_confirm_paying_more_than_the_total_is_422(app, client, people, stocked):
    order = place(client, h(people, "alice"), stocked).json
    body = assert_error(act(client, h(people, "employee"), order["id"], "confirm",
                            {"amount_paid": "20.01"}), 422)
    assert body["errors"]["json"]["amount_paid"] == ["Must be at most the order's total (20.00)."]
    assert client.get(f"{API}/orders/{order['id']}",
                      headers=h(people, "alice")).json["status"] == "pending"
    assert stock_of(client, h(people, "manager"), stocked, "widget") == (
        "20.000", "2.000", "18.000")


def test_ship_and_deliver_then_every_illegal_transition_is_409(client, people, stocked):
    employee, manager = h(people, "employee"), h(people, "manager")
    order = place(client, h(people, "alice"), stocked).json
    oid = order["id"]
    for action in ("ship", "deliver"):
        body = assert_error(act(client, employee, oid, action), 409)
        assert body["errors"]["status"] == "pending" and "is pending" in body["message"]
    act(client, employee, oid, "confirm")
    for action in ("confirm", "deliver"):
        body = assert_error(act(client, employee, oid, action), 409)
        assert f"Order {oid} is confirmed" in body["message"]
    shipped = act(client, employee, oid, "ship", {"note": "DHL 123"}).json
    assert shipped["status"] == "shipped"
    for action in ("confirm", "ship", "cancel"):
        who = manager if action == "cancel" else employee
        body = assert_error(act(client, who, oid, action), 409)
        assert body["errors"]["status"] == "shipped" and "is shipped" in body["message"]
    delivered = act(client, employee, oid, "deliver").json
    assert delivered["status"] == "delivered"
    for action in ("confirm", "ship", "deliver", "cancel"):
        who = manager if action == "cancel" else employee
        body = assert_error(act(client, who, oid, action), 409)
        assert body["errors"]["status"] == "delivered"
    history = [(c["from_status"], c["to_status"], c["note"]) for c in delivered["status_history"]]
    assert history == [(None, "pending", None), ("pending", "confirmed", None),
                       ("confirmed", "shipped", "DHL 123"), ("shipped", "delivered", None)]
    assert all(c["at"].endswith("+00:00") for c in delivered["status_history"])


def test_owner_cancels_pending_and_the_reservation_is_released(app, client, people, stocked):
    order = place(client, h(people, "alice"), stocked, lines=[("widget", "4")]).json
    cancelled = act(client, h(people, "alice"), order["id"], "cancel", {"note": "changed mind"})
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled"
    last = cancelled.json["status_history"][-1]
    assert (last["from_status"], last["to_status"], last["user_id"], last["note"]) == (
        "pending", "cancelled", people["alice"]["id"], "changed mind")
    assert stock_of(client, h(people, "manager"), stocked, "widget") == (
        "20.000", "0.000", "20.000")
    body = assert_error(act(client, h(people, "alice"), order["id"], "cancel"), 409)
    assert body["errors"]["status"] == "cancelled"
    assert_error(act(client, h(people, "employee"), order["id"], "confirm"), 409)
    with app.app_context():
        assert count(Movement) == 2  # the two receipts only
        assert queries.ledger_drift() == []


def test_owner_cannot_cancel_once_confirmed_but_a_manager_can(app, client, people, stocked):
    order = place(client, h(people, "alice"), stocked, lines=[("widget", "4")]).json
    act(client, h(people, "employee"), order["id"], "confirm", {"amount_paid": "15.00"})
    body = assert_error(act(client, h(people, "alice"), order["id"], "cancel"), 409)
    assert "is confirmed" in body["message"] and body["errors"]["status"] == "confirmed"
    cancelled = act(client, h(people, "manager"), order["id"], "cancel").json
    assert cancelled["status"] == "cancelled"
    assert cancelled["status_history"][-1]["note"] == "debt voided: 25.00"
    assert stock_of(client, h(people, "manager"), stocked, "widget") == (
        "20.000", "0.000", "20.000")
    [debt] = debts_of(client, people, order["id"])
    assert debt["status"] == "void" and debt["balance"] == "0.00"
    with app.app_context():
        kinds = db.session.execute(select(Movement.type, Movement.quantity).where(
            Movement.reference_id == order["id"], Movement.reference_type == "order")
            .order_by(Movement.id)).all()
        assert [(k, str(q)) for k, q in kinds] == [("order", "-4.000"), ("order_return", "4.000")]
        assert queries.ledger_drift() == []


def test_manager_cancels_pending_order(client, people, stocked):
    order = place(client, h(people, "alice"), stocked).json
    assert act(client, h(people, "manager"), order["id"], "cancel").json["status"] == "cancelled"
    assert stock_of(client, h(people, "manager"), stocked, "widget")[1] == "0.000"


def test_unknown_order_is_404_everywhere(client, people, stocked):
    for action, who in (("confirm", "employee"), ("ship", "employee"), ("deliver", "employee"),
                        ("cancel", "manager"), ("cancel", "alice")):
        assert_error(act(client, h(people, who), 999999, action), 404)
    assert_error(client.get(f"{API}/orders/999999", headers=h(people, "admin")), 404)


# --------------------------------------------------------------------------- privacy, roles


def test_two_customers_never_see_each_others_orders(client, people, stocked):
    mine = place(client, h(people, "alice"), stocked).json
    theirs = place(client, h(people, "bob"), stocked).json
    alice = h(people, "alice")
    assert [o["id"] for o in client.get(f"{API}/orders", headers=alice).json] == [mine["id"]]
    filtered = client.get(f"{API}/orders?client_id={people['bob']['client_id']}", headers=alice)
    assert [o["id"] for o in filtered.json] == [mine["id"]]
    assert_error(client.get(f"{API}/orders/{theirs['id']}", headers=alice), 404)
    assert_error(act(client, alice, theirs["id"], "cancel"), 404)
    for action in ("confirm", "ship", "deliver"):
        assert_error(act(client, alice, theirs["id"], action), 403)
    staff = client.get(f"{API}/orders", headers=h(people, "employee")).json
    assert [o["id"] for o in staff] == [theirs["id"], mine["id"]]
    assert client.get(f"{API}/orders/{theirs['id']}", headers=h(people, "bob")).json[
        "status"] == "pending"


@pytest.mark.parametrize("role, create, read, advance, cancel", [
    ("customer", 201, 200, 403, 200),
    ("employee", 201, 200, 200, 403),
    ("manager", 201, 200, 200, 200),
    ("admin", 201, 200, 200, 200),
])
def test_role_matrix(client, people, stocked, make_user, login, role, create, read, advance,
                     cancel):
    caller = user_with_token(make_user, login, role)
    headers = caller["headers"]
    extra = {} if role == "customer" else {"client_id": people["alice"]["client_id"]}
    created = place(client, headers, stocked, **extra)
    assert created.status_code == create, created.json
    oid = created.json["id"]
    assert client.get(f"{API}/orders", headers=headers).status_code == read
    assert client.get(f"{API}/orders/{oid}", headers=headers).status_code == read
    assert act(client, headers, oid, "cancel").status_code == cancel
    other = place(client, h(people, "manager"), stocked,
                  client_id=caller["client_id"] or people["alice"]["client_id"]).json
    assert act(client, headers, other["id"], "confirm").status_code == advance
    if advance == 200:
        assert act(client, headers, other["id"], "ship").status_code == 200
        assert act(client, headers, other["id"], "deliver").status_code == 200


def test_every_order_route_needs_credentials(client, stocked):
    for path in ("/orders", "/orders/1"):
        assert_error(client.get(API + path), 401)
    assert_error(client.post(f"{API}/orders", json={}), 401)
    for action in ("confirm", "ship", "deliver", "cancel"):
        assert_error(client.post(f"{API}/orders/1/{action}", json={}), 401)


# --------------------------------------------------------------------------- lists


def test_list_filters(app, client, people, stocked):
    shop = stocked
    stock_in(app, shop, "widget", "10", store="south")
    staff = h(people, "manager")
    alice, bob = people["alice"]["client_id"], people["bob"]["client_id"]
    first = place(client, staff, shop, client_id=alice).json
    second = place(client, staff, shop, client_id=bob, store="south").json
    third = place(client, staff, shop, client_id=alice).json
    act(client, staff, third["id"], "confirm")

    def ids(query):
        response = client.get(f"{API}/orders{query}", headers=staff)
        assert response.status_code == 200, response.json
        return [o["id"] for o in response.json]

    assert ids("") == [third["id"], second["id"], first["id"]]
    assert ids("?status=confirmed") == [third["id"]]
    assert ids(f"?client_id={alice}") == [third["id"], first["id"]]
    assert ids(f"?store_id={shop['south']}") == [second["id"]]
    today = date.today()
    assert ids(f"?date_from={today - timedelta(days=1)}&date_to={today + timedelta(days=1)}") \
        == [third["id"], second["id"], first["id"]]
    assert ids(f"?date_from={today + timedelta(days=2)}") == []
    assert ids(f"?date_to={today - timedelta(days=2)}") == []
    for bad in ("?status=lost", "?client_id=x", "?date_from=yesterday", "?store_id=0"):
        assert_error(client.get(f"{API}/orders{bad}", headers=staff), 422)
    listed = client.get(f"{API}/orders?status=confirmed", headers=staff).json[0]
    assert listed["lines"][0]["line_total"] == "20.00" and "status_history" not in listed


# --------------------------------------------------------------------------- store scope


def test_store_scoped_staff(app, client, people, stocked, make_user, login):
    shop = stocked
    stock_in(app, shop, "widget", "10", store="south")
    scoped = user_with_token(make_user, login, "manager", store_ids=[shop["north"]])["headers"]
    alice = people["alice"]["client_id"]
    body = assert_error(place(client, scoped, shop, client_id=alice, store="south"), 403)
    assert str(shop["south"]) in body["message"]
    mine = place(client, scoped, shop, client_id=alice).json
    south = place(client, h(people, "manager"), shop, client_id=alice, store="south").json
    assert [o["id"] for o in client.get(f"{API}/orders", headers=scoped).json] == [mine["id"]]
    assert client.get(f"{API}/orders?store_id={shop['south']}", headers=scoped).json == []
    assert_error(client.get(f"{API}/orders/{south['id']}", headers=scoped), 404)
    for action in ("confirm", "cancel"):
        assert_error(act(client, scoped, south["id"], action), 403)
    assert act(client, scoped, mine["id"], "confirm").status_code == 200
    with app.app_context():
        assert db.session.get(Order, south["id"]).status == "pending"


# --------------------------------------------------------------------------- idempotency


def test_idempotent_create_and_transitions_apply_once(app, client, people, stocked):
    alice = {**h(people, "alice"), "Idempotency-Key": "order-1"}
    first = place(client, alice, stocked, lines=[("widget", "2")])
    again = place(client, alice, stocked, lines=[("widget", "2")])
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    other_body = place(client, alice, stocked, lines=[("widget", "3")])
    assert "different request" in assert_error(other_body, 409)["message"]
    oid = first.json["id"]
    staff = {**h(people, "employee"), "Idempotency-Key": "confirm-1"}
    confirmed = act(client, staff, oid, "confirm", {"amount_paid": "5.00"})
    replay = act(client, staff, oid, "confirm", {"amount_paid": "5.00"})
    assert confirmed.status_code == replay.status_code == 200
    assert replay.json == confirmed.json and replay.headers["Idempotent-Replayed"] == "true"
    assert_error(act(client, h(people, "employee"), oid, "confirm"), 409)  # a new request
    manager = {**h(people, "manager"), "Idempotency-Key": "cancel-1"}
    assert act(client, manager, oid, "cancel").json["status"] == "cancelled"
    assert act(client, manager, oid, "cancel").headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert count(Order) == 1
        kinds = db.session.scalars(select(Movement.type).where(
            Movement.reference_type == "order").order_by(Movement.id)).all()
        assert kinds == ["order", "order_return"]
        assert count(OrderStatusChange) == 3
        assert queries.ledger_drift() == []
    [debt] = debts_of(client, people, oid)
    assert debt["amount"] == "15.00" and debt["status"] == "void"


# --------------------------------------------------------------------------- low-stock events


def test_reservation_opens_and_release_resolves_a_low_stock_event(app, client, people, stocked):
    """widget: 20 on hand, minimum 5. Reserving 15 takes it to 5 (at the minimum)."""
    manager = h(people, "manager")
    order = place(client, h(people, "alice"), stocked, lines=[("widget", "15")]).json
    [event] = client.get(f"{API}/alerts/events", headers=manager).json
    assert event["movement_id"] is None and event["reference_type"] == "order"
    assert event["reference_id"] == order["id"] and event["available"] == "5.000"
    assert event["min_stock"] == "5.000" and event["resolved_at"] is None
    # a second reservation further down opens nothing new
    second = place(client, h(people, "bob"), stocked, lines=[("widget", "1")]).json
    assert len(client.get(f"{API}/alerts/events", headers=manager).json) == 1
    act(client, h(people, "bob"), second["id"], "cancel")  # back to 5: still low
    assert client.get(f"{API}/alerts/events?open=true", headers=manager).json[0]["id"] == \
        event["id"]
    act(client, h(people, "alice"), order["id"], "cancel")  # back to 20: resolved
    [resolved] = client.get(f"{API}/alerts/events", headers=manager).json
    assert resolved["id"] == event["id"] and resolved["resolved_at"] is not None
    assert resolved["resolved_by_movement_id"] is None


def test_events_of_movements_name_their_document(app, client, people, stocked):
    manager = h(people, "manager")
    client.post(f"{API}/movements", headers=manager, json={
        "type": "issue", "product_id": stocked["widget"], "store_id": stocked["north"],
        "quantity": 16})
    [event] = client.get(f"{API}/alerts/events", headers=manager).json
    assert event["movement_id"] is not None
    assert event["reference_type"] is None and event["reference_id"] is None
    with app.app_context():
        assert db.session.scalar(select(LowStockEvent.movement_id)) == event["movement_id"]
