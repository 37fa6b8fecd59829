"""/reports/debtors: open balances in the aging buckets, on debts made by credit sales and
a confirmed order (their `created_at` moved into the past by UPDATE), payments through the
API; bucket boundaries, a past `as_of`, store scope, CSV/PDF, roles, bad args, statement
count, and the business's time zone deciding the day a debt arose."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from inventory_api.common import dates
from inventory_api.common.uow import transaction
from inventory_api.debts.models import Debt, PaymentAllocation
from inventory_api.extensions import db
from tests.conftest import assert_error
from tests.debt_fixtures import make_client, make_debt
from tests.orders_utils import act, place
from tests.sales_fixtures import API, stocked_store  # noqa: F401  (`store` fixture)
from tests.test_query_counts import count_statements

DEBTORS = f"{API}/reports/debtors"
BUCKETS = ("0-30", "31-60", "61-90", "90+")


@pytest.fixture
def manager(auth):
    return auth("manager")


def at(day, hour=12, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=dates.business_zone())


def credit_sale(client, headers, store_id, product_id, quantity, client_id):
    response = client.post(f"{API}/sales", headers=headers, json={
        "store_id": store_id, "payment_method": "credit", "client_id": client_id,
        "lines": [{"product_id": product_id, "quantity": quantity}]})
    assert response.status_code == 201, response.json
    return db.session.scalar(db.select(Debt.id).where(
        Debt.source_type == "sale", Debt.source_id == response.json["id"]))


def arose(debt_id, when):
    """The debt arose at `when` (the API never backdates)."""
    with transaction():
        db.session.execute(update(Debt).where(Debt.id == debt_id).values(
            created_at=when, updated_at=when))


def pay(client, headers, client_id, amount, debt_id):
    response = client.post(f"{API}/payments", headers=headers, json={
        "client_id": client_id, "amount": amount, "method": "cash", "debt_id": debt_id})
    assert response.status_code == 201, response.json


def buckets(*amounts):
    return dict(zip(BUCKETS, amounts, strict=True))


@pytest.fixture
def ledger(app, client, manager, store):
    """Today T. Acme: 100.00 (North, T−30), 30.00 (North, T−31, 12.00 paid today),
    20.00 (South, T−60), 30.00 (North, T−61), 10.00 (North, T−90), 10.00 (South, T−91).
    Beta: 60.00 (North, today), 50.00 (North, T−200, paid today). Gamma: 20.00 (T−150,
    paid on T−100). Delta: a confirmed order of 30.00 (North, today)."""
    with app.app_context():
        today = dates.today()
        s = store
        ids = {name: make_client(name) for name in ("Acme", "Beta", "Gamma", "Delta")}
        acme, beta, gamma = ids["Acme"], ids["Beta"], ids["Gamma"]
        plan = [  # (client, store, product, quantity, days ago)
            (acme, "north", "widget", 10, 30), (acme, "north", "widget", 3, 31),
            (acme, "south", "widget", 2, 60), (acme, "north", "gadget", 1, 61),
            (acme, "north", "widget", 1, 90), (acme, "south", "widget", 1, 91),
            (beta, "north", "gadget", 2, 0), (beta, "north", "widget", 5, 200),
            (gamma, "north", "widget", 2, 150),
        ]
        debts = []
        for client_id, store_name, product, quantity, days in plan:
            debt_id = credit_sale(client, manager, s[store_name], s[product], quantity,
                                  client_id)
            arose(debt_id, at(today - timedelta(days=days)))
            debts.append(debt_id)
        pay(client, manager, acme, "12.00", debts[1])
        pay(client, manager, beta, "50.00", debts[7])
        pay(client, manager, gamma, "20.00", debts[8])
        closed = at(today - timedelta(days=100))
        with transaction():
            db.session.execute(update(PaymentAllocation).where(
                PaymentAllocation.debt_id == debts[8]).values(created_at=closed))
        arose(debts[8], at(today - timedelta(days=150)))
        with transaction():
            db.session.execute(update(Debt).where(Debt.id == debts[8]).values(updated_at=closed))
        order = place(client, manager, s, lines=(("gadget", "1"),), client_id=ids["Delta"]).json
        assert act(client, manager, order["id"], "confirm").status_code == 200
        return {**s, **ids, "today": today}


def report(client, headers, **query):
    response = client.get(DEBTORS, headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_buckets_and_boundaries_as_of_today(client, manager, ledger):
    body = report(client, manager)
    assert body["as_of"] == ledger["today"].isoformat() and body["store_id"] is None
    assert body["rows"] == [
        # 30 days → 0-30; 31 and 60 → 31-60; 61 and 90 → 61-90; 91 → 90+
        {"client_id": ledger["Acme"], "name": "Acme", "balance": "188.00",
         "buckets": buckets("100.00", "38.00", "40.00", "10.00")},
        {"client_id": ledger["Beta"], "name": "Beta", "balance": "60.00",
         "buckets": buckets("60.00", "0.00", "0.00", "0.00")},
        {"client_id": ledger["Delta"], "name": "Delta", "balance": "30.00",
         "buckets": buckets("30.00", "0.00", "0.00", "0.00")},
    ]  # Gamma paid everything: no row
    assert body["totals"] == {"balance": "278.00",
                              "buckets": buckets("190.00", "38.00", "40.00", "10.00")}


def test_a_past_as_of_shows_balances_as_they_stood(client, manager, ledger):
    as_of = ledger["today"] - timedelta(days=10)
    body = report(client, manager, as_of=as_of.isoformat())
    assert body["as_of"] == as_of.isoformat()
    assert body["rows"] == [
        # today's 12.00 not paid yet; every debt 10 days younger
        {"client_id": ledger["Acme"], "name": "Acme", "balance": "200.00",
         "buckets": buckets("130.00", "50.00", "20.00", "0.00")},
        # paid off today, open then; the 60.00 of today had not arisen
        {"client_id": ledger["Beta"], "name": "Beta", "balance": "50.00",
         "buckets": buckets("0.00", "0.00", "0.00", "50.00")},
    ]  # Gamma paid on T−100; Delta's order is from today
    assert body["totals"] == {"balance": "250.00",
                              "buckets": buckets("130.00", "50.00", "20.00", "50.00")}
    body = report(client, manager, as_of=(ledger["today"] - timedelta(days=120)).isoformat())
    assert [(r["name"], r["balance"]) for r in body["rows"]] == [("Beta", "50.00"),
                                                                 ("Gamma", "20.00")]


def test_store_filter_and_scope_follow_the_debts_source(client, auth, manager, ledger):
    body = report(client, manager, store_id=ledger["north"])
    assert body["store_id"] == ledger["north"]
    assert [(r["name"], r["balance"], r["buckets"]) for r in body["rows"]] == [
        ("Acme", "158.00", buckets("100.00", "18.00", "40.00", "0.00")),
        ("Beta", "60.00", buckets("60.00", "0.00", "0.00", "0.00")),
        ("Delta", "30.00", buckets("30.00", "0.00", "0.00", "0.00")),  # the order's store
    ]
    south = auth("manager", store_ids=[ledger["south"]])
    body = report(client, south)
    assert body["rows"] == [{"client_id": ledger["Acme"], "name": "Acme", "balance": "30.00",
                             "buckets": buckets("0.00", "20.00", "0.00", "10.00")}]
    assert body["totals"]["balance"] == "30.00"
    assert_error(client.get(DEBTORS, headers=south, query_string={"store_id": ledger["north"]}),
                 403)


def test_csv_and_pdf(client, manager, ledger):
    response = client.get(DEBTORS, headers=manager, query_string={"format": "csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="debtors-' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["client_id", "name", *BUCKETS, "balance"]
    assert rows[0] == {"client_id": str(ledger["Acme"]), "name": "Acme", "0-30": "100.00",
                       "31-60": "38.00", "61-90": "40.00", "90+": "10.00", "balance": "188.00"}
    assert [row["name"] for row in rows] == ["Acme", "Beta", "Delta"]

    response = client.get(DEBTORS, headers=manager, query_string={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text()
                     for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Debtors" in text
    assert "Acme" in text and "188.00" in text
    assert "Total" in text and "278.00" in text and "190.00" in text


def test_the_business_day_decides_the_age(app, client, manager, monkeypatch):
    monkeypatch.setitem(app.config, "BUSINESS_TIMEZONE", "America/Mexico_City")
    with app.app_context():
        as_of = dates.today()
        late, early = make_client("Late"), make_client("Early")
        # 23:30 local on as_of − 31 is 05:30 UTC on as_of − 30: 31 days old here
        late_debt = make_debt(late, "10.00", source_id=1)
        evening = at(as_of - timedelta(days=31), 23, 30)
        assert evening.astimezone(dates.UTC).date() == as_of - timedelta(days=30)
        arose(late_debt, evening)
        # 00:30 local on as_of − 30 is 06:30 UTC the same day: 30 days old
        arose(make_debt(early, "5.00", source_id=2), at(as_of - timedelta(days=30), 0, 30))
    body = report(client, manager, as_of=as_of.isoformat())
    assert {r["name"]: r["buckets"] for r in body["rows"]} == {
        "Late": buckets("0.00", "10.00", "0.00", "0.00"),
        "Early": buckets("5.00", "0.00", "0.00", "0.00")}


@pytest.mark.parametrize("role, code", [("employee", 403), ("customer", 403),
                                        ("manager", 200), ("admin", 200)])
def test_roles(client, auth, role, code):
    response = client.get(DEBTORS, headers=auth(role))
    assert response.status_code == code
    if code != 200:
        assert_error(response, code)


def test_unauthenticated_is_401(client):
    assert_error(client.get(DEBTORS), 401)


def test_bad_args_are_422(app, client, manager):
    with app.app_context():
        tomorrow = dates.today() + timedelta(days=1)
    for query in ({"as_of": tomorrow.isoformat()}, {"as_of": "2026-13-01"},
                  {"as_of": "today"}, {"format": "xlsx"}, {"store_id": "0"},
                  {"store_id": "1.5"}, {"as_of": "0001-01-01"}):
        body = assert_error(client.get(DEBTORS, headers=manager, query_string=query), 422)
        assert set(body["errors"]["query"]) <= {"as_of", "format", "store_id"}


@pytest.mark.parametrize("query", [{}, {"store_id": 1}, {"format": "csv"}])
def test_statement_count_does_not_grow_with_the_clients(app, client, manager, query):
    counts = []
    source = 0
    for size in (5, 50):
        with app.app_context():
            for n in range(size):
                source += 1
                debt = make_debt(make_client(f"C{size}-{n}"), "10.00", source_id=source)
                arose(debt, at(dates.today() - timedelta(days=n * 3)))
        with count_statements(app) as statements:
            response = client.get(DEBTORS, headers=manager, query_string=query)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    if not query:
        assert response.json["totals"]["balance"] == "550.00"
