"""/debts, /payments and /clients/{id}/statement over HTTP: bodies, filters, roles, privacy."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from inventory_api.common.uow import transaction
from inventory_api.debts import service as debts
from inventory_api.debts.models import Debt, Payment, PaymentAllocation
from inventory_api.extensions import db
from tests.conftest import assert_error
from tests.debt_fixtures import make_client, make_debt

API = "/api/v1"


@pytest.fixture
def customer(app, make_user, login):
    """`customer()` → (headers, client_id) of a new customer with its own client."""

    def make():
        user = make_user("customer")
        token = login(user["email"])["access_token"]
        return {"Authorization": f"Bearer {token}"}, user["client_id"]

    return make


@pytest.fixture
def two_customers(app, customer):
    """Two customers, each with two debts (one overdue) and one payment."""
    (alice_h, alice), (bob_h, bob) = customer(), customer()
    ids = {}
    with app.app_context():
        for name, client_id, base in (("alice", alice, 100), ("bob", bob, 200)):
            first = make_debt(client_id, "30.00", base + 1)
            second = make_debt(client_id, "20.00", base + 2, source_type="order")
            db.session.execute(update(Debt).where(Debt.id == first).values(
                due_date=debts.today() - timedelta(days=1)))
            db.session.commit()
            with transaction():
                payment = debts.record_payment(
                    {"client_id": client_id, "amount": Decimal("5.00"), "method": "card"})
            ids[name] = {"headers": alice_h if name == "alice" else bob_h,
                         "client": client_id, "debts": [first, second],
                         "payment": payment.id}
        db.session.remove()
    return ids


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- debts


def test_debt_list_and_detail_bodies(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        client_id = make_client(terms=10)
        debt_id = make_debt(client_id, "12.50", 41)
    response = client.get(f"{API}/debts", headers=headers)
    assert response.status_code == 200
    [row] = response.json
    due = (debts.today() + timedelta(days=10)).isoformat()
    assert row == {**row, "id": debt_id, "client_id": client_id, "source_type": "sale",
                   "source_id": 41, "amount": "12.50", "paid_amount": "0.00",
                   "balance": "12.50", "status": "open", "due_date": due, "overdue": False}
    assert "allocations" not in row
    assert json.loads(response.headers["X-Pagination"])["total"] == 1

    paid = client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "2.25", "method": "cash"})
    assert paid.status_code == 201, paid.json
    detail = client.get(f"{API}/debts/{debt_id}", headers=headers).json
    assert detail["paid_amount"] == "2.25" and detail["balance"] == "10.25"
    assert detail["allocations"] == [{
        "id": detail["allocations"][0]["id"], "debt_id": debt_id,
        "payment_id": paid.json["id"], "kind": "payment", "amount": "2.25",
        "created_at": detail["allocations"][0]["created_at"]}]
    assert_error(client.get(f"{API}/debts/999999", headers=headers), 404)


def test_debt_filters(client, auth, app):
    headers = auth("manager")
    with app.app_context():
        one, two = make_client("One"), make_client("Two")
        overdue = make_debt(one, "10.00", 1)
        current = make_debt(one, "10.00", 2)
        paid = make_debt(two, "10.00", 3, source_type="order")
        voided = make_debt(two, "10.00", 4)
        db.session.execute(update(Debt).where(Debt.id.in_([overdue, paid, voided])).values(
            due_date=debts.today() - timedelta(days=3)))
        db.session.commit()
        with transaction():
            debts.record_payment({"client_id": two, "amount": Decimal("10.00"),
                                  "method": "transfer", "debt_id": paid})
            debts.void_for("sale", 4)

    def ids(query):
        response = client.get(f"{API}/debts?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return sorted(row["id"] for row in response.json)

    assert ids("") == sorted([overdue, current, paid, voided])
    assert ids(f"client_id={one}") == sorted([overdue, current])
    assert ids("status=open") == sorted([overdue, current])
    assert ids("status=paid") == [paid]
    assert ids("status=void") == [voided]
    assert ids("overdue=true") == [overdue]  # paid and void debts are never overdue
    assert ids("overdue=false") == sorted([current, paid, voided])
    assert ids("source_type=order") == [paid]
    assert ids(f"client_id={two}&status=open") == []
    rows = client.get(f"{API}/debts?overdue=true", headers=headers).json
    assert rows[0]["overdue"] is True
    for bad in ("status=closed", "overdue=maybe", "client_id=0", "client_id=abc",
                "sort=balance", "source_type=purchase"):
        body = assert_error(client.get(f"{API}/debts?{bad}", headers=headers), 422)
        assert bad.split("=")[0] in body["errors"]["query"]


def test_debts_sort_by_due_date_then_id(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        client_id = make_client()
        a = make_debt(client_id, "1.00", 1)
        b = make_debt(client_id, "3.00", 2)
        c = make_debt(client_id, "2.00", 3)
        db.session.execute(update(Debt).where(Debt.id == c).values(
            due_date=debts.today()))
        db.session.commit()
    assert [r["id"] for r in client.get(f"{API}/debts", headers=headers).json] == [c, a, b]
    assert [r["id"] for r in client.get(f"{API}/debts?sort=-amount",
                                        headers=headers).json] == [b, c, a]


# --------------------------------------------------------------------------- payments


def test_record_a_payment_oldest_first(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        client_id = make_client()
        first = make_debt(client_id, "10.00", 1)
        second = make_debt(client_id, "10.00", 2)
    response = client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "15.50", "method": "transfer",
        "reference": "  TRX-9 ", "notes": "first\ninstalment"})
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(f"/payments/{body['id']}")
    assert body == {**body, "client_id": client_id, "amount": "15.50", "method": "transfer",
                    "reference": "TRX-9", "notes": "first\ninstalment"}
    assert [(a["debt_id"], a["amount"]) for a in body["allocations"]] == [
        (first, "10.00"), (second, "5.50")]
    assert body["created_by"] is not None
    assert client.get(f"{API}/payments/{body['id']}", headers=headers).json == body
    listed = client.get(f"{API}/payments", headers=headers).json
    assert listed == [body]
    assert [(d["id"], d["status"], d["balance"]) for d in client.get(
        f"{API}/debts", headers=headers).json] == [(first, "paid", "0.00"),
                                                  (second, "open", "4.50")]


def test_payment_to_a_named_debt_and_over_payment(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        client_id = make_client()
        make_debt(client_id, "10.00", 1)
        second = make_debt(client_id, "8.00", 2)
    over = client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "8.01", "method": "cash", "debt_id": second})
    body = assert_error(over, 409)
    assert body["errors"] == {"amount": "8.01", "open_balance": "8.00"}
    assert "8.00" in body["message"]
    over_all = assert_error(client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "18.01", "method": "cash"}), 409)
    assert over_all["errors"]["open_balance"] == "18.00"
    ok = client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "8.00", "method": "cash", "debt_id": second})
    assert ok.status_code == 201
    assert [(a["debt_id"], a["amount"]) for a in ok.json["allocations"]] == [(second, "8.00")]
    again = assert_error(client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "1.00", "method": "cash", "debt_id": second}), 409)
    assert again["errors"]["open_balance"] == "0.00"
    with app.app_context():
        assert count(Payment) == 1 and count(PaymentAllocation) == 1


@pytest.mark.parametrize("body, field", [
    ({"amount": "1.00", "method": "cash"}, "client_id"),
    ({"client_id": "CLIENT", "amount": "0.00", "method": "cash"}, "amount"),
    ({"client_id": "CLIENT", "amount": "-1.00", "method": "cash"}, "amount"),
    ({"client_id": "CLIENT", "amount": "1.001", "method": "cash"}, "amount"),
    ({"client_id": "CLIENT", "amount": "abc", "method": "cash"}, "amount"),
    ({"client_id": "CLIENT", "method": "cash"}, "amount"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "credit"}, "method"),
    ({"client_id": "CLIENT", "amount": "1.00"}, "method"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "cash", "debt_id": 0}, "debt_id"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "cash", "debt_id": 999999},
     "debt_id"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "cash", "debt_id": "OTHER"},
     "debt_id"),
    ({"client_id": 999999, "amount": "1.00", "method": "cash"}, "client_id"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "cash", "reference": "a\x00b"},
     "reference"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "cash", "reference": "x" * 121},
     "reference"),
    ({"client_id": "CLIENT", "amount": "1.00", "method": "cash", "extra": 1}, "extra"),
    ({"client_id": True, "amount": "1.00", "method": "cash"}, "client_id"),
])
def test_bad_payments_are_422_and_write_nothing(client, auth, app, body, field):
    headers = auth("employee")
    with app.app_context():
        client_id, other = make_client("Mine"), make_client("Other")
        make_debt(client_id, "10.00", 1)
        other_debt = make_debt(other, "10.00", 2)
    body = {k: client_id if v == "CLIENT" else other_debt if v == "OTHER" else v
            for k, v in body.items()}
    response = assert_error(client.post(f"{API}/payments", headers=headers, json=body), 422)
    assert field in response["errors"]["json"], response
    with app.app_context():
        assert count(Payment) == 0 and count(PaymentAllocation) == 0
        assert debts.client_balance(client_id) == Decimal("10.00")


def test_payment_replay_with_idempotency_key(client, auth, app):
    headers = {**auth("employee"), "Idempotency-Key": "pay-1"}
    with app.app_context():
        client_id = make_client()
        make_debt(client_id, "10.00", 1)
    body = {"client_id": client_id, "amount": "4.00", "method": "cash"}
    first = client.post(f"{API}/payments", headers=headers, json=body)
    second = client.post(f"{API}/payments", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json == first.json
    other = client.post(f"{API}/payments", headers=headers, json={**body, "amount": "5.00"})
    assert_error(other, 409)
    with app.app_context():
        assert count(Payment) == 1
        assert debts.client_balance(client_id) == Decimal("6.00")


def test_payment_filters(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        one, two = make_client("One"), make_client("Two")
        d1 = make_debt(one, "10.00", 1)
        make_debt(two, "10.00", 2)
    made = {}
    for name, client_id, method in (("a", one, "cash"), ("b", one, "card"), ("c", two, "cash")):
        response = client.post(f"{API}/payments", headers=headers, json={
            "client_id": client_id, "amount": "1.00", "method": method})
        made[name] = response.json["id"]

    def ids(query):
        response = client.get(f"{API}/payments?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return [row["id"] for row in response.json]

    assert ids("") == [made["c"], made["b"], made["a"]]  # newest first
    assert ids(f"client_id={one}") == [made["b"], made["a"]]
    assert ids("method=cash") == [made["c"], made["a"]]
    assert ids(f"debt_id={d1}") == [made["b"], made["a"]]
    today = debts.today()
    assert len(ids(f"date_from={today}&date_to={today}")) == 3
    assert ids(f"date_from={today + timedelta(days=1)}") == []
    for bad in ("method=credit", "client_id=x", f"date_from={today}&date_to="
                f"{today - timedelta(days=1)}"):
        assert_error(client.get(f"{API}/payments?{bad}", headers=headers), 422)
    assert_error(client.get(f"{API}/payments/999999", headers=headers), 404)


# --------------------------------------------------------------------------- statement


def test_statement(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        client_id = make_client(credit_limit="500.00")
        old = make_debt(client_id, "30.00", 1)
        new = make_debt(client_id, "20.00", 2)
        settled = make_debt(client_id, "5.00", 3)
        db.session.execute(update(Debt).where(Debt.id == old).values(
            due_date=debts.today() - timedelta(days=1)))
        db.session.commit()
    client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "5.00", "method": "cash", "debt_id": settled})
    client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": "10.00", "method": "card"})
    response = client.get(f"{API}/clients/{client_id}/statement", headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["balance"] == "40.00" and body["overdue_balance"] == "20.00"
    assert body["credit_limit"] == "500.00" and body["client_id"] == client_id
    assert [(d["id"], d["balance"]) for d in body["open_debts"]] == [(old, "20.00"),
                                                                     (new, "20.00")]
    assert [p["amount"] for p in body["payments"]] == ["10.00", "5.00"]
    assert body["payments"][0]["allocations"][0]["debt_id"] == old
    assert_error(client.get(f"{API}/clients/999999/statement", headers=headers), 404)
    tomorrow = debts.today() + timedelta(days=1)
    later = client.get(f"{API}/clients/{client_id}/statement?date_from={tomorrow}",
                       headers=headers).json
    assert later["payments"] == [] and later["balance"] == "40.00"


def test_has_debt_filter_on_clients(client, auth, app):
    headers = auth("employee")
    with app.app_context():
        owing, settled, none = make_client("Owing"), make_client("Settled"), make_client("None")
        make_debt(owing, "10.00", 1)
        make_debt(settled, "10.00", 2)
        with transaction():
            debts.void_for("sale", 2)

    def names(query):
        response = client.get(f"{API}/clients?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return sorted(c["name"] for c in response.json)

    assert names("has_debt=true") == ["Owing"]
    assert names("has_debt=false") == ["None", "Settled"]
    assert none  # a client that never had a debt


# --------------------------------------------------------------------------- roles, privacy

ROUTES = ["/debts", "/debts/{debt}", "/payments", "/payments/{payment}",
          "/clients/{client}/statement"]


@pytest.mark.parametrize("role", ["employee", "manager", "admin"])
def test_staff_read_everything(client, auth, two_customers, role):
    headers = auth(role)
    alice, bob = two_customers["alice"], two_customers["bob"]
    for who in (alice, bob):
        for route in ROUTES:
            path = route.format(debt=who["debts"][0], payment=who["payment"],
                                client=who["client"])
            assert client.get(API + path, headers=headers).status_code == 200, (role, path)
    assert len(client.get(f"{API}/debts", headers=headers).json) == 4
    assert len(client.get(f"{API}/payments", headers=headers).json) == 2
    response = client.post(f"{API}/payments", headers=headers, json={
        "client_id": alice["client"], "amount": "1.00", "method": "cash"})
    assert response.status_code == 201, (role, response.json)


def test_customers_see_only_their_own(client, two_customers):
    alice, bob = two_customers["alice"], two_customers["bob"]
    for me, other in ((alice, bob), (bob, alice)):
        headers = me["headers"]
        debts_seen = client.get(f"{API}/debts", headers=headers).json
        assert sorted(d["id"] for d in debts_seen) == sorted(me["debts"])
        assert {d["client_id"] for d in debts_seen} == {me["client"]}
        # filters never widen a customer's list
        assert client.get(f"{API}/debts?client_id={other['client']}",
                          headers=headers).json == []
        assert [p["id"] for p in client.get(f"{API}/payments", headers=headers).json] == [
            me["payment"]]
        assert client.get(f"{API}/payments?client_id={other['client']}",
                          headers=headers).json == []
        assert client.get(f"{API}/payments?debt_id={other['debts'][0]}",
                          headers=headers).json == []
        for route in (r for r in ROUTES if "{" in r):
            mine = route.format(debt=me["debts"][0], payment=me["payment"],
                                client=me["client"])
            theirs = route.format(debt=other["debts"][0], payment=other["payment"],
                                  client=other["client"])
            assert client.get(API + mine, headers=headers).status_code == 200, mine
            assert_error(client.get(API + theirs, headers=headers), 404)
        statement = client.get(f"{API}/clients/{me['client']}/statement",
                               headers=headers).json
        assert statement["balance"] == "45.00" and statement["overdue_balance"] == "25.00"
        assert [p["id"] for p in statement["payments"]] == [me["payment"]]
        # customers never record payments, not even for themselves
        assert_error(client.post(f"{API}/payments", headers=headers, json={
            "client_id": me["client"], "amount": "1.00", "method": "cash"}), 403)


def test_anonymous_is_401(client, two_customers):
    alice = two_customers["alice"]
    for route in ROUTES:
        path = route.format(debt=alice["debts"][0], payment=alice["payment"],
                            client=alice["client"])
        assert_error(client.get(API + path), 401)
    assert_error(client.post(f"{API}/payments", json={}), 401)
