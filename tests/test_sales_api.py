"""Sales over HTTP: bodies, totals as strings, 409/422 writing nothing, cancel, returns,
idempotency, roles, store scope, client history, client sorts/filters, query counts."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from inventory_api.common.types import utcnow
from inventory_api.extensions import db
from inventory_api.sales.models import Sale
from inventory_api.stock import queries
from tests.conftest import assert_error
from tests.sales_fixtures import (
    API,
    debt_of,
    make_client,
    on_hand,
    stocked_store,  # noqa: F401  (the `store` fixture)
    written,
)
from tests.test_query_counts import count_statements

D = Decimal


@pytest.fixture
def manager(auth):
    return auth("manager")


def sell(client, headers, s, lines=None, **body):
    body = {"store_id": s["north"], "payment_method": "cash",
            "lines": lines or [{"product_id": s["widget"], "quantity": 2}], **body}
    return client.post(f"{API}/sales", json=body, headers=headers)


THREE_LINES = [  # see tests/test_sales_service.py::lines_of_three
    ("widget", "3", "10.00", "1.50"), ("flour", "2.125", "1.00", None),
    ("gadget", "1", None, "0.05")]


def three_lines(s):
    lines = []
    for product, qty, price, discount in THREE_LINES:
        line = {"product_id": s[product], "quantity": qty}
        if price:
            line["unit_price"] = price
        if discount:
            line["discount"] = discount
        lines.append(line)
    return lines


# --------------------------------------------------------------------------- create


def test_cash_sale_body_movements_and_location(client, manager, store):
    response = sell(client, manager, store, notes="counter 2")
    assert response.status_code == 201, response.json
    sale = response.json
    assert response.headers["Location"].endswith(f"/sales/{sale['id']}")
    assert sale["number"].startswith("S-") and len(sale["number"]) == 8
    assert {k: sale[k] for k in ("store_id", "client_id", "payment_method", "subtotal",
                                 "discount_total", "total", "paid", "balance_due",
                                 "returned_total", "refunded", "status", "notes")} == {
        "store_id": store["north"], "client_id": None, "payment_method": "cash",
        "subtotal": "20.00", "discount_total": "0.00", "total": "20.00", "paid": "20.00",
        "balance_due": "0.00", "returned_total": "0.00", "refunded": "0.00",
        "status": "completed", "notes": "counter 2"}
    [line] = sale["lines"]
    assert {k: line[k] for k in ("product_id", "quantity", "unit_price", "discount",
                                 "line_total", "returned_quantity", "lots")} == {
        "product_id": store["widget"], "quantity": "2.000", "unit_price": "10.00",
        "discount": "0.00", "line_total": "20.00", "returned_quantity": "0.000", "lots": []}
    [movement] = sale["movements"]
    assert (movement["type"], movement["quantity"], movement["reference_type"],
            movement["reference_id"], movement["balance_after"]) == (
        "sale", "-2.000", "sale", sale["id"], "98.000")
    assert sale["returns"] == []
    assert client.get(f"{API}/sales/{sale['id']}", headers=manager).json == sale
    with client.application.app_context():
        assert debt_of(sale["id"]) is None


def test_three_lines_totals_and_debt_over_http(client, manager, store):
    response = sell(client, manager, store, three_lines(store), client_id=store["acme"],
                    payment_method="card", amount_paid="20")
    assert response.status_code == 201, response.json
    sale = response.json
    assert [line["line_total"] for line in sale["lines"]] == ["28.50", "2.13", "29.95"]
    assert (sale["subtotal"], sale["discount_total"], sale["total"], sale["paid"],
            sale["balance_due"]) == ("62.13", "1.55", "60.58", "20.00", "40.58")
    assert len(sale["movements"]) == 3
    with client.application.app_context():
        debt = debt_of(sale["id"])
        assert (debt.client_id, debt.amount, debt.paid_amount, debt.status) == (
            store["acme"], D("40.58"), D("0.00"), "open")


def test_credit_sale_defaults_to_nothing_paid(client, manager, store):
    sale = sell(client, manager, store, client_id=store["acme"], payment_method="credit").json
    assert (sale["paid"], sale["balance_due"]) == ("0.00", "20.00")
    with client.application.app_context():
        assert debt_of(sale["id"]).amount == D("20.00")


def test_numbers_are_consecutive(client, manager, store):
    numbers = [sell(client, manager, store).json["number"] for _ in range(3)]
    first = int(numbers[0][2:])
    assert numbers == [f"S-{n:06d}" for n in range(first, first + 3)]


@pytest.mark.parametrize("case, field", [
    ({"lines": [{"product_id": "widget", "quantity": 2, "discount": "20.01"}]}, "lines"),
    ({"amount_paid": "20.01"}, "amount_paid"),
    ({"payment_method": "credit"}, "client_id"),                      # credit needs a client
    ({"amount_paid": "5.00"}, "client_id"),                           # unpaid part: client
    ({"client_id": 999999}, "client_id"),                             # unknown client
    ({"lines": [{"product_id": "old", "quantity": 1}]}, "lines"),     # inactive product
    ({"lines": [{"product_id": 999999, "quantity": 1}]}, "lines"),    # unknown product
    ({"store_id": "closed"}, "store_id"),                             # inactive store
    ({"store_id": 999999}, "store_id"),                               # unknown store
    ({"payment_method": "barter"}, "payment_method"),
    ({"lines": [{"product_id": "widget", "quantity": 0}]}, "lines"),
    ({"lines": [{"product_id": "widget", "quantity": "1.0001"}]}, "lines"),
    ({"lines": [{"product_id": "widget", "quantity": 1, "unit_price": "-1"}]}, "lines"),
    ({"lines": []}, "lines"),
    ({"lines": [{"product_id": "widget", "quantity": "99999999999",
                 "unit_price": "999999999"}]}, "lines"),              # beyond the money range
    ({"colour": "red"}, "colour"),
    ({"notes": "bad\x00text"}, "notes"),
])
def test_bad_sales_are_422_and_write_nothing(client, manager, store, case, field):
    body = {"store_id": store["north"], "payment_method": "cash",
            "lines": [{"product_id": store["widget"], "quantity": 2}]}
    for key, value in case.items():
        if key == "lines":
            value = [{**line, "product_id": store.get(line["product_id"], line["product_id"])}
                     for line in value]
        if key == "store_id":
            value = store.get(value, value)
        body[key] = value
    with client.application.app_context():
        before = written()
    response = client.post(f"{API}/sales", json=body, headers=manager)
    error = assert_error(response, 422)
    assert field in error["errors"]["json"], error
    with client.application.app_context():
        assert written() == before
        assert on_hand(store["widget"], store["north"]) == D("100.000")


def test_short_stock_lists_every_short_line_and_writes_nothing(client, manager, store):
    lines = [{"product_id": store["widget"], "quantity": 101},
             {"product_id": store["gadget"], "quantity": 1},
             {"product_id": store["flour"], "quantity": "15.5"}]
    error = assert_error(sell(client, manager, store, lines), 409)
    assert [(s["line"], s["product_id"], s["requested"], s["available"])
            for s in error["errors"]["short_lines"]] == [
        (1, store["widget"], "101.000", "100.000"), (3, store["flour"], "15.500", "15.000")]
    with client.application.app_context():
        assert written() == {"sales": 0, "returns": 0, "movements": 0, "debts": 0}
        assert on_hand(store["gadget"], store["north"]) == D("50.000")


def test_credit_over_the_limit_is_409_naming_limit_and_balance(client, manager, store):
    assert sell(client, manager, store, client_id=store["acme"], payment_method="credit",
                lines=[{"product_id": store["widget"], "quantity": 6}]).status_code == 201
    error = assert_error(sell(client, manager, store, client_id=store["acme"],
                              payment_method="credit",
                              lines=[{"product_id": store["widget"], "quantity": 5}]), 409)
    assert error["errors"] == {"credit_limit": "100.00", "balance": "60.00",
                               "requested": "50.00"}
    # no credit at all for a client with limit 0; paying in full needs none
    assert_error(sell(client, manager, store, client_id=store["walkin"],
                      payment_method="credit"), 409)
    assert sell(client, manager, store, client_id=store["walkin"]).status_code == 201
    with client.application.app_context():
        assert written()["sales"] == 2 and written()["debts"] == 1
        assert on_hand(store["widget"], store["north"]) == D("92.000")


def test_create_replay_with_idempotency_key(client, manager, store):
    headers = {**manager, "Idempotency-Key": "sale-1"}
    first = sell(client, headers, store, client_id=store["acme"], amount_paid="5")
    again = sell(client, headers, store, client_id=store["acme"], amount_paid="5")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert_error(sell(client, headers, store, client_id=store["acme"], amount_paid="6"), 409)
    with client.application.app_context():
        assert written() == {"sales": 1, "returns": 0, "movements": 1, "debts": 1}


# --------------------------------------------------------------------------- cancel


def test_cancel_restocks_voids_the_debt_and_refunds_what_was_paid(client, manager, store):
    sale = sell(client, manager, store, three_lines(store), client_id=store["acme"],
                amount_paid="20").json
    response = client.post(f"{API}/sales/{sale['id']}/cancel", headers=manager)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["status"], body["refunded"], body["total"]) == ("cancelled", "20.00", "60.58")
    returns = [m for m in body["movements"] if m["type"] == "sale_return"]
    assert sorted((m["product_id"], m["quantity"]) for m in returns) == sorted(
        [(store["widget"], "3.000"), (store["flour"], "2.125"), (store["gadget"], "1.000")])
    with client.application.app_context():
        debt = debt_of(sale["id"])
        assert (debt.status, debt.amount) == ("void", D("40.58"))
        assert on_hand(store["widget"], store["north"]) == D("100.000")
        assert on_hand(store["flour"], store["north"]) == D("15.000")
        assert queries.ledger_drift() == []
    error = assert_error(client.post(f"{API}/sales/{sale['id']}/cancel", headers=manager), 409)
    assert error["errors"] == {"status": "cancelled"} and "cancelled" in error["message"]
    error = assert_error(client.post(f"{API}/sales/{sale['id']}/returns", headers=manager,
                                     json={"lines": [{"sale_line_id": sale["lines"][0]["id"],
                                                      "quantity": 1}]}), 409)
    assert error["errors"] == {"status": "cancelled"}


def test_cancel_of_a_partly_returned_sale_is_409(client, manager, store):
    sale = sell(client, manager, store).json
    client.post(f"{API}/sales/{sale['id']}/returns", headers=manager,
                json={"lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}]})
    error = assert_error(client.post(f"{API}/sales/{sale['id']}/cancel", headers=manager), 409)
    assert error["errors"] == {"status": "partially_returned"}
    assert_error(client.post(f"{API}/sales/999999/cancel", headers=manager), 404)


def test_cancel_replay_with_idempotency_key(client, manager, store):
    sale = sell(client, manager, store).json
    headers = {**manager, "Idempotency-Key": "cancel-1"}
    first = client.post(f"{API}/sales/{sale['id']}/cancel", headers=headers)
    again = client.post(f"{API}/sales/{sale['id']}/cancel", headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json == first.json
    with client.application.app_context():
        assert written()["movements"] == 2  # the sale and one sale_return
        assert on_hand(store["widget"], store["north"]) == D("100.000")


# --------------------------------------------------------------------------- returns


def test_returns_credit_the_debt_first_then_refund(client, manager, store):
    # 3 widgets at 10.00 = 30.00, 12.00 paid: debt 18.00
    sale = sell(client, manager, store, [{"product_id": store["widget"], "quantity": 3}],
                client_id=store["acme"], amount_paid="12").json
    line_id = sale["lines"][0]["id"]
    first = client.post(f"{API}/sales/{sale['id']}/returns", headers=manager, json={
        "lines": [{"sale_line_id": line_id, "quantity": 1}], "reason": "damaged"})
    assert first.status_code == 201, first.json
    body = first.json
    assert first.headers["Location"].endswith(f"/sales/{sale['id']}")
    assert (body["value"], body["credited"], body["refund"], body["reason"]) == (
        "10.00", "10.00", "0.00", "damaged")
    assert [(line["sale_line_id"], line["quantity"], line["value"]) for line in body["lines"]] \
        == [(line_id, "1.000", "10.00")]
    [movement] = body["movements"]
    assert (movement["type"], movement["quantity"], movement["reference_id"]) == (
        "sale_return", "1.000", sale["id"])
    assert (body["sale"]["status"], body["sale"]["returned_total"],
            body["sale"]["refunded"]) == ("partially_returned", "10.00", "0.00")
    with client.application.app_context():
        debt = debt_of(sale["id"])
        assert (debt.amount, debt.paid_amount, debt.status) == (D("18.00"), D("10.00"), "open")
    # 2 more (20.00): 8.00 left on the debt, 12.00 refunded
    second = client.post(f"{API}/sales/{sale['id']}/returns", headers=manager, json={
        "lines": [{"sale_line_id": line_id, "quantity": 2}]}).json
    assert (second["value"], second["credited"], second["refund"]) == ("20.00", "8.00", "12.00")
    assert (second["sale"]["status"], second["sale"]["returned_total"],
            second["sale"]["refunded"]) == ("returned", "30.00", "12.00")
    detail = client.get(f"{API}/sales/{sale['id']}", headers=manager).json
    assert [r["value"] for r in detail["returns"]] == ["10.00", "20.00"]
    assert detail["lines"][0]["returned_quantity"] == "3.000"
    with client.application.app_context():
        assert debt_of(sale["id"]).status == "void"  # settled by credits alone
        assert on_hand(store["widget"], store["north"]) == D("100.000")
        assert queries.ledger_drift() == []
    error = assert_error(client.post(f"{API}/sales/{sale['id']}/returns", headers=manager,
                                     json={"lines": [{"sale_line_id": line_id,
                                                      "quantity": 1}]}), 409)
    assert error["errors"] == {"status": "returned"}


def test_returning_more_than_sold_less_returns_is_409(client, manager, store):
    sale = sell(client, manager, store, three_lines(store)).json
    widget, flour, _ = (line["id"] for line in sale["lines"])
    client.post(f"{API}/sales/{sale['id']}/returns", headers=manager,
                json={"lines": [{"sale_line_id": flour, "quantity": "2"}]})
    with client.application.app_context():
        before = written()
    error = assert_error(client.post(f"{API}/sales/{sale['id']}/returns", headers=manager, json={
        "lines": [{"sale_line_id": widget, "quantity": 3},
                  {"sale_line_id": flour, "quantity": "0.126"}]}), 409)
    assert error["errors"]["lines"] == [{"sale_line_id": flour, "product_id": store["flour"],
                                         "requested": "0.126", "returnable": "0.125"}]
    with client.application.app_context():
        assert written() == before


@pytest.mark.parametrize("lines", [
    [{"sale_line_id": 999999, "quantity": 1}],
    "twice",
    [{"sale_line_id": "own", "quantity": 0}],
    [],
])
def test_bad_returns_are_422_and_write_nothing(client, manager, store, lines):
    sale = sell(client, manager, store).json
    own = sale["lines"][0]["id"]
    if lines == "twice":
        lines = [{"sale_line_id": own, "quantity": 1}] * 2
    lines = [{**line, "sale_line_id": own if line["sale_line_id"] == "own"
              else line["sale_line_id"]} for line in lines]
    with client.application.app_context():
        before = written()
    assert_error(client.post(f"{API}/sales/{sale['id']}/returns", headers=manager,
                             json={"lines": lines}), 422)
    with client.application.app_context():
        assert written() == before
    assert_error(client.post(f"{API}/sales/999999/returns", headers=manager,
                             json={"lines": [{"sale_line_id": own, "quantity": 1}]}), 404)


def test_return_replay_with_idempotency_key(client, manager, store):
    sale = sell(client, manager, store).json
    headers = {**manager, "Idempotency-Key": "return-1"}
    body = {"lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}]}
    first = client.post(f"{API}/sales/{sale['id']}/returns", headers=headers, json=body)
    again = client.post(f"{API}/sales/{sale['id']}/returns", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    with client.application.app_context():
        assert written()["returns"] == 1
        assert on_hand(store["widget"], store["north"]) == D("99.000")


# --------------------------------------------------------------------------- reading


def test_list_filters_newest_first(client, auth, manager, store):
    employee = auth("employee")
    cash = sell(client, manager, store).json
    credit = sell(client, employee, store, client_id=store["acme"], payment_method="credit").json
    south = sell(client, manager, store, store_id=store["south"]).json
    cancelled = sell(client, manager, store).json
    client.post(f"{API}/sales/{cancelled['id']}/cancel", headers=manager)

    def ids(query=""):
        response = client.get(f"{API}/sales{query}", headers=manager)
        assert response.status_code == 200, response.json
        return [sale["id"] for sale in response.json]

    assert ids() == [cancelled["id"], south["id"], credit["id"], cash["id"]]
    assert ids(f"?client_id={store['acme']}") == [credit["id"]]
    assert ids(f"?store_id={store['south']}") == [south["id"]]
    assert ids("?status=cancelled") == [cancelled["id"]]
    assert ids("?payment_method=credit") == [credit["id"]]
    assert ids(f"?created_by={credit['created_by']}") == [credit["id"]]
    today = utcnow().date()
    assert len(ids(f"?date_from={today}&date_to={today}")) == 4
    assert ids(f"?date_to={today - timedelta(days=1)}") == []
    assert ids(f"?date_from={today + timedelta(days=1)}") == []
    assert_error(client.get(f"{API}/sales?status=lost", headers=manager), 422)
    assert_error(client.get(f"{API}/sales?date_from=yesterday", headers=manager), 422)
    listed = client.get(f"{API}/sales", headers=manager).json[-1]
    assert listed["lines"][0]["line_total"] == "20.00" and "movements" not in listed
    assert_error(client.get(f"{API}/sales/999999", headers=manager), 404)


def test_client_purchase_history(client, manager, store):
    first = sell(client, manager, store, client_id=store["acme"]).json
    second = sell(client, manager, store, client_id=store["acme"], payment_method="card").json
    sell(client, manager, store, client_id=store["walkin"])
    response = client.get(f"{API}/clients/{store['acme']}/sales?page_size=1", headers=manager)
    assert response.status_code == 200
    assert [s["id"] for s in response.json] == [second["id"]]
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    page2 = client.get(f"{API}/clients/{store['acme']}/sales?page=2&page_size=1",
                       headers=manager).json
    assert [s["id"] for s in page2] == [first["id"]]
    card = client.get(f"{API}/clients/{store['acme']}/sales?payment_method=card",
                      headers=manager).json
    assert [s["id"] for s in card] == [second["id"]]
    assert client.get(f"{API}/clients/{store['walkin']}/sales?client_id={store['acme']}",
                      headers=manager).json[0]["client_id"] == store["walkin"]
    assert_error(client.get(f"{API}/clients/999999/sales", headers=manager), 404)


# --------------------------------------------------------------------------- roles and scope


@pytest.mark.parametrize("role, create, read, ret, cancel", [
    ("customer", 403, 403, 403, 403),
    ("employee", 201, 200, 201, 403),
    ("manager", 201, 200, 201, 200),
    ("admin", 201, 200, 201, 200),
])
def test_role_matrix(client, auth, manager, store, role, create, read, ret, cancel):
    headers = auth(role)
    sale = sell(client, manager, store).json
    line = sale["lines"][0]["id"]
    response = sell(client, headers, store)
    assert response.status_code == create, response.json
    for path in ("/sales", f"/sales/{sale['id']}", f"/clients/{store['acme']}/sales"):
        assert client.get(f"{API}{path}", headers=headers).status_code == read, path
    assert client.post(f"{API}/sales/{sale['id']}/returns", headers=headers, json={
        "lines": [{"sale_line_id": line, "quantity": 1}]}).status_code == ret
    other = sell(client, manager, store).json
    assert client.post(f"{API}/sales/{other['id']}/cancel", headers=headers).status_code \
        == cancel
    if role == "customer":
        error = assert_error(sell(client, headers, store), 403)
        assert error["message"]
        with client.application.app_context():
            assert written()["sales"] == 2


def test_store_scope(client, auth, manager, store):
    scoped = auth("manager", store_ids=[store["north"]])
    north = sell(client, scoped, store).json
    south = sell(client, manager, store, store_id=store["south"]).json
    with client.application.app_context():
        before = written()
    assert_error(sell(client, scoped, store, store_id=store["south"]), 403)
    with client.application.app_context():
        assert written() == before
    assert [s["id"] for s in client.get(f"{API}/sales", headers=scoped).json] == [north["id"]]
    assert client.get(f"{API}/sales?store_id={store['south']}", headers=scoped).json == []
    assert_error(client.get(f"{API}/sales/{south['id']}", headers=scoped), 404)
    assert_error(client.post(f"{API}/sales/{south['id']}/cancel", headers=scoped), 403)
    assert_error(client.post(f"{API}/sales/{south['id']}/returns", headers=scoped, json={
        "lines": [{"sale_line_id": south["lines"][0]["id"], "quantity": 1}]}), 403)
    assert client.get(f"{API}/sales/{north['id']}", headers=scoped).status_code == 200
    with client.application.app_context():
        assert written() == before


def test_api_key_sales_record_the_key(client, auth, store):
    admin = auth("admin")
    key = client.post(f"{API}/api-keys", json={"name": "till", "role": "employee"},
                      headers=admin).json
    sale = sell(client, {"X-API-Key": key["key"]}, store).json
    assert (sale["created_by"], sale["api_key_id"]) == (None, key["id"])
    assert sale["movements"][0]["api_key_id"] == key["id"]


# --------------------------------------------------------------------------- clients


def test_clients_sorted_by_total_spent_and_last_purchase(client, manager, store):
    with client.application.app_context():
        big = make_client("Big spender", "0.00")
        make_client("Never bought", "0.00")
    # acme: 20.00 + 30.00 - 10.00 returned = 40.00; walkin 20.00 (+ a cancelled 300.00)
    sell(client, manager, store, client_id=store["acme"])
    acme = sell(client, manager, store, client_id=store["acme"],
                lines=[{"product_id": store["widget"], "quantity": 3}]).json
    client.post(f"{API}/sales/{acme['id']}/returns", headers=manager,
                json={"lines": [{"sale_line_id": acme["lines"][0]["id"], "quantity": 1}]})
    sell(client, manager, store, client_id=store["walkin"])
    cancelled = sell(client, manager, store, client_id=store["walkin"],
                     lines=[{"product_id": store["gadget"], "quantity": 10}]).json
    client.post(f"{API}/sales/{cancelled['id']}/cancel", headers=manager)
    sell(client, manager, store, client_id=big, lines=[{"product_id": store["gadget"],
                                                        "quantity": 2}])
    with client.application.app_context():  # walk-in bought long ago, big one yesterday
        db.session.execute(update(Sale).where(Sale.client_id == store["walkin"]).values(
            created_at=utcnow() - timedelta(days=200)))
        db.session.execute(update(Sale).where(Sale.client_id == big).values(
            created_at=utcnow() - timedelta(days=1)))
        db.session.commit()

    def names(query):
        response = client.get(f"{API}/clients?{query}", headers=manager)
        assert response.status_code == 200, response.json
        return [c["name"] for c in response.json]

    assert names("sort=-total_spent") == ["Big spender", "Acme", "Walk-in", "Never bought"]
    assert names("sort=total_spent") == ["Never bought", "Walk-in", "Acme", "Big spender"]
    assert names("sort=-last_purchase_at") == ["Acme", "Big spender", "Walk-in",
                                               "Never bought"]


def test_frequent_clients(client, manager, store):
    for _ in range(3):
        sell(client, manager, store, client_id=store["acme"])
    for _ in range(2):
        sell(client, manager, store, client_id=store["walkin"])
    cancelled = sell(client, manager, store, client_id=store["walkin"]).json
    client.post(f"{API}/sales/{cancelled['id']}/cancel", headers=manager)

    def names(query):
        return [c["name"] for c in client.get(f"{API}/clients?{query}", headers=manager).json]

    assert names("frequent=true") == ["Acme"]
    assert names("frequent=false") == ["Walk-in"]
    with client.application.app_context():  # one of acme's three falls out of the window
        first = db.session.scalar(Sale.__table__.select().with_only_columns(
            Sale.id).where(Sale.client_id == store["acme"]).order_by(Sale.id).limit(1))
        db.session.execute(update(Sale).where(Sale.id == first).values(
            created_at=utcnow() - timedelta(days=91)))
        db.session.commit()
    assert names("frequent=true") == []


# --------------------------------------------------------------------------- query counts


def test_sales_lists_same_statements_for_5_and_50(app, client, manager, store):
    with app.app_context():
        north, acme = store["north"], store["acme"]
    lines = [{"product_id": store["widget"], "quantity": 1},
             {"product_id": store["flour"], "quantity": "0.1"}]
    for _ in range(55):
        assert sell(client, manager, store, lines, client_id=acme).status_code == 201
    for path in ("/sales", f"/sales?store_id={north}", f"/clients/{acme}/sales",
                 "/clients?sort=-total_spent&frequent=true", "/clients?sort=-last_purchase_at"):
        counts = {}
        for size in (5, 50):
            sep = "&" if "?" in path else "?"
            with count_statements(app) as statements:
                response = client.get(f"{API}{path}{sep}page_size={size}", headers=manager)
            assert response.status_code == 200, response.json
            counts[size] = len(statements)
        assert counts[5] == counts[50], (path, counts)
        assert counts[50] <= 10, (path, counts)
    with app.app_context():
        assert queries.ledger_drift() == []
