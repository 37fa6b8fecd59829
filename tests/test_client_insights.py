"""Client insights: exact figures on constructed sales (cancelled ones left out, returns
netted), top products, every RFM segment and its boundaries, roles, 404, statement count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from inventory_api.clients import insights
from inventory_api.common import dates
from inventory_api.extensions import db
from inventory_api.sales.models import Sale
from tests.conftest import assert_error
from tests.sales_fixtures import (
    API,
    make_client,
    receive,
    stocked_store,  # noqa: F401  (the `store` fixture)
)
from tests.test_query_counts import count_statements

D = Decimal


@pytest.fixture
def manager(auth):
    return auth("manager")


def buy(client, headers, store, client_id, lines, days_ago=0, hours=12, **body):
    """POST a cash sale for `client_id`, then date it `days_ago` business days back at
    `hours` past the start of that day; returns the sale's body."""
    body = {"store_id": store["north"], "payment_method": "cash", "client_id": client_id,
            "lines": lines, **body}
    response = client.post(f"{API}/sales", json=body, headers=headers)
    assert response.status_code == 201, response.json
    sale = response.json
    with client.application.app_context():
        at = dates.day_start(dates.today() - timedelta(days=days_ago)) + timedelta(hours=hours)
        db.session.execute(update(Sale).where(Sale.id == sale["id"]).values(created_at=at))
        db.session.commit()
    sale["at"] = at
    return sale


def widgets(store, quantity, **extra):
    return [{"product_id": store["widget"], "quantity": quantity, **extra}]


def gadgets(store, quantity):
    return [{"product_id": store["gadget"], "quantity": quantity}]


def insights_of(client, headers, client_id):
    response = client.get(f"{API}/clients/{client_id}/insights", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


# --------------------------------------------------------------------------- figures


def test_figures_net_of_returns_without_cancelled_sales(client, manager, store):
    acme = store["acme"]
    first = buy(client, manager, store, acme, days_ago=30, hours=9, lines=[
        {"product_id": store["widget"], "quantity": 3, "discount": "1.50"},
        {"product_id": store["gadget"], "quantity": 1}])               # 28.50 + 30.00
    buy(client, manager, store, acme, widgets(store, 2), days_ago=20)  # 20.00
    third = buy(client, manager, store, acme, gadgets(store, 2), days_ago=10, hours=21)
    returned = client.post(f"{API}/sales/{third['id']}/returns", headers=manager, json={
        "lines": [{"sale_line_id": third["lines"][0]["id"], "quantity": 1}]})
    assert returned.status_code == 201, returned.json                 # 60.00 − 30.00
    cancelled = buy(client, manager, store, acme, widgets(store, 5), days_ago=5)
    assert client.post(f"{API}/sales/{cancelled['id']}/cancel",
                       headers=manager).status_code == 200
    buy(client, manager, store, store["walkin"], gadgets(store, 3), days_ago=1)  # another

    body = insights_of(client, manager, acme)

    assert body == {
        "client_id": acme,
        "purchases_count": 3,
        "total_spent": "108.50",
        "avg_ticket": "36.17",  # 108.50 / 3
        "first_purchase_at": first["at"].isoformat(),
        "last_purchase_at": third["at"].isoformat(),
        "avg_days_between_purchases": 10.25,  # (20 days + 12 h) / 2
        "top_products": [
            {"id": store["gadget"], "name": "Gadget", "quantity": "2.000", "amount": "60.00"},
            {"id": store["widget"], "name": "Widget", "quantity": "5.000", "amount": "48.50"},
        ],
        "segment": "loyal",
        "rfm": {"recency_days": 10, "frequency": 3, "monetary": "108.50"},
    }


def test_a_client_that_never_bought(client, manager, store):
    assert insights_of(client, manager, store["walkin"]) == {
        "client_id": store["walkin"], "purchases_count": 0, "total_spent": "0.00",
        "avg_ticket": None, "first_purchase_at": None, "last_purchase_at": None,
        "avg_days_between_purchases": None, "top_products": [], "segment": "new",
        "rfm": {"recency_days": None, "frequency": 0, "monetary": "0.00"},
    }


def test_one_purchase_has_no_average_gap_and_a_fully_returned_product_is_not_a_top_product(
        client, manager, store):
    sale = buy(client, manager, store, store["acme"], days_ago=3, lines=[
        {"product_id": store["widget"], "quantity": 2},
        {"product_id": store["gadget"], "quantity": 1}])
    gadget_line = next(line["id"] for line in sale["lines"]
                       if line["product_id"] == store["gadget"])
    assert client.post(f"{API}/sales/{sale['id']}/returns", headers=manager, json={
        "lines": [{"sale_line_id": gadget_line, "quantity": 1}]}).status_code == 201

    body = insights_of(client, manager, store["acme"])

    assert (body["purchases_count"], body["total_spent"], body["avg_ticket"]) == (
        1, "20.00", "20.00")
    assert body["avg_days_between_purchases"] is None
    assert body["top_products"] == [
        {"id": store["widget"], "name": "Widget", "quantity": "2.000", "amount": "20.00"}]


def test_top_products_keeps_the_five_largest_amounts(app, client, manager, store):
    with app.app_context():
        from inventory_api.products.models import Product

        ids = []
        for n in range(1, 8):  # prices 1.00 .. 7.00: amounts 1.00 .. 7.00
            product = Product(sku=f"P-{n}", name=f"Product {n}", price=D(n))
            db.session.add(product)
            db.session.flush()
            ids.append(product.id)
        db.session.commit()
        for product_id in ids:
            receive(product_id, store["north"], 5)
    buy(client, manager, store, store["acme"],
        [{"product_id": product_id, "quantity": 1} for product_id in ids])

    top = insights_of(client, manager, store["acme"])["top_products"]

    assert [(row["name"], row["amount"]) for row in top] == [
        ("Product 7", "7.00"), ("Product 6", "6.00"), ("Product 5", "5.00"),
        ("Product 4", "4.00"), ("Product 3", "3.00")]


def test_frequency_and_monetary_count_the_last_365_days_only(client, manager, store):
    acme = store["acme"]
    buy(client, manager, store, acme, widgets(store, 1), days_ago=366)  # 10.00, outside
    buy(client, manager, store, acme, widgets(store, 2), days_ago=365)  # 20.00, inside
    buy(client, manager, store, acme, widgets(store, 3), days_ago=5)    # 30.00

    body = insights_of(client, manager, acme)

    assert body["purchases_count"] == 3
    assert body["total_spent"] == "60.00"
    assert body["rfm"] == {"recency_days": 5, "frequency": 2, "monetary": "50.00"}
    assert body["segment"] == "new"  # fewer than 3 purchases in the year


def test_recency_counts_business_days(app, client, manager, store, monkeypatch):
    """00:30 yesterday in Madrid is the day before yesterday in UTC: one business day ago."""
    monkeypatch.setitem(app.config, "BUSINESS_TIMEZONE", "Europe/Madrid")
    buy(client, manager, store, store["acme"], widgets(store, 1), days_ago=1, hours=0.5)

    assert insights_of(client, manager, store["acme"])["rfm"]["recency_days"] == 1


# --------------------------------------------------------------------------- segments


@pytest.mark.parametrize("days_ago, segment", [
    (3, "new"), (90, "new"), (91, "at_risk"), (180, "at_risk"), (181, "lost"), (400, "lost")])
def test_recency_segments(client, manager, store, days_ago, segment):
    buy(client, manager, store, store["acme"], widgets(store, 1), days_ago=days_ago)

    body = insights_of(client, manager, store["acme"])

    assert (body["segment"], body["rfm"]["recency_days"]) == (segment, days_ago)


def test_loyal_from_three_purchases_in_the_year(client, manager, store):
    for days_ago in (100, 60, 2):
        buy(client, manager, store, store["acme"], widgets(store, 1), days_ago=days_ago)

    body = insights_of(client, manager, store["acme"])

    assert (body["segment"], body["rfm"]["frequency"]) == ("loyal", 3)


@pytest.mark.parametrize("quantity, segment", [(4, "champion"), (3, "loyal")])
def test_champion_needs_ten_purchases_and_1000_spent(client, manager, store, quantity,
                                                     segment):
    """Ten sales of 4 gadgets are 1200.00 (champion); of 3 gadgets, 900.00 (loyal)."""
    for days_ago in range(10):
        buy(client, manager, store, store["acme"], gadgets(store, quantity), days_ago=days_ago)

    body = insights_of(client, manager, store["acme"])

    assert body["segment"] == segment
    assert body["rfm"]["frequency"] == 10
    assert body["rfm"]["monetary"] == str(D(30 * quantity * 10).quantize(D("0.01")))


@pytest.mark.parametrize("recency, frequency, monetary, expected", [
    (None, 0, "0.00", "new"),
    (181, 12, "5000.00", "lost"),
    (91, 12, "5000.00", "at_risk"),
    (90, 10, "1000.00", "champion"),
    (90, 10, "999.99", "loyal"),
    (0, 9, "5000.00", "loyal"),
    (0, 3, "0.00", "loyal"),
    (0, 2, "5000.00", "new"),
])
def test_segment_rules_in_order(recency, frequency, monetary, expected):
    assert insights.segment(recency, frequency, D(monetary)) == expected


# --------------------------------------------------------------------------- access and cost


@pytest.mark.parametrize("role, status", [
    ("employee", 403), ("manager", 200), ("admin", 200)])
def test_roles(client, auth, store, role, status):
    response = client.get(f"{API}/clients/{store['acme']}/insights", headers=auth(role))
    if status == 200:
        assert response.status_code == 200, response.json
    else:
        assert_error(response, status)


def test_a_customer_may_not_read_even_its_own_insights(client, auth, make_user, login, store):
    customer = make_user("customer")
    token = login(customer["email"], customer["password"])["access_token"]

    assert_error(client.get(f"{API}/clients/{customer['client_id']}/insights",
                            headers={"Authorization": f"Bearer {token}"}), 403)


def test_unknown_client_is_404(client, manager, store):
    assert_error(client.get(f"{API}/clients/999999/insights", headers=manager), 404)


def test_same_number_of_statements_for_2_and_40_sales(app, client, manager, store):
    few = make_client_in(app, "Few")
    many = make_client_in(app, "Many")
    for n in range(2):
        buy(client, manager, store, few, widgets(store, 1), days_ago=n)
    receive_in(app, store, "widget", 100)
    for n in range(40):
        lines = widgets(store, 1) if n % 2 else gadgets(store, 1)
        buy(client, manager, store, many, lines, days_ago=n * 3)

    counts = []
    for client_id in (few, many):
        with count_statements(app) as statements:
            insights_of(client, manager, client_id)
        counts.append(len(statements))

    assert counts[0] == counts[1]


def make_client_in(app, name):
    with app.app_context():
        return make_client(name)


def receive_in(app, store, product, quantity):
    with app.app_context():
        receive(store[product], store["north"], quantity)
