"""/reports/inventory-valuation and /reports/stock-turnover: exact figures on stock made
through the services (timestamps moved into the past by UPDATE), CSV and PDF renderings,
roles, store scope, bad args, and a statement count that does not grow with the catalog."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, update

from inventory_api.categories.models import Category
from inventory_api.common import dates
from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock.models import Movement, StockLevel
from inventory_api.stock.service import Change, post_movements
from inventory_api.stores.models import Store
from tests.conftest import assert_error
from tests.orders_utils import act, place
from tests.sales_fixtures import API, receive, stocked_store  # noqa: F401  (`store` fixture)
from tests.test_query_counts import count_statements

VALUATION = f"{API}/reports/inventory-valuation"
TURNOVER = f"{API}/reports/stock-turnover"


@pytest.fixture
def manager(auth):
    return auth("manager")


def at(day, hour=12, minute=0):
    """An instant on the business's `day` (local time)."""
    return datetime.combine(day, time(hour, minute), tzinfo=dates.business_zone())


def backdate(when, *conditions):
    """Move the movements meeting `conditions` to `when` (the API never backdates)."""
    with transaction():
        db.session.execute(update(Movement).where(*conditions).values(created_at=when))


def post(*changes):
    with transaction():
        post_movements(list(changes))


def sell(client, headers, store_id, product_id, quantity):
    response = client.post(f"{API}/sales", headers=headers, json={
        "store_id": store_id, "payment_method": "cash",
        "lines": [{"product_id": product_id, "quantity": quantity}]})
    assert response.status_code == 201, response.json
    return response.json


def sale_movements(sale_id, kind="sale"):
    return (Movement.reference_type == "sale", Movement.reference_id == sale_id,
            Movement.type == kind)


def csv_rows(response):
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def pdf_text(response):
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


# --------------------------------------------------------------------------- valuation


def valuation_rows(body):
    return [(r["sku"], r["store_name"], r["quantity"], r["unit_cost"], r["value"])
            for r in body["rows"]]


def test_valuation_per_product_and_store_at_moving_average_cost(app, client, manager, store):
    with app.app_context():
        # 50 more gadgets at 18.00: the average goes from 12.00 to (600 + 900) / 100 = 15.00
        post(Change(type="receipt", product_id=store["gadget"], store_id=store["north"],
                    quantity=Decimal("50"), unit_cost=Decimal("18.00")))
        # the South widgets leave: a row with nothing on hand is left out
        post(Change(type="issue", product_id=store["widget"], store_id=store["south"],
                    quantity=Decimal("-10")))
        receive(store["widget"], store["south"], "0.125")
    body = client.get(VALUATION, headers=manager).json
    assert valuation_rows(body) == [
        ("FLOUR", "North", "15.000", "1.00", "15.00"),  # lots L1 (5) and L2 (10) summed
        ("G-1", "North", "100.000", "15.00", "1500.00"),
        ("OLD-1", "North", "5.000", "0.00", "0.00"),  # inactive, but still held
        ("W-1", "North", "100.000", "4.00", "400.00"),
        ("W-1", "South", "0.125", "4.00", "0.50"),  # 0.125 × 4.00
    ]
    first = body["rows"][0]
    assert first == {"product_id": store["flour"], "sku": "FLOUR", "name": "Flour",
                     "store_id": store["north"], "store_name": "North", "quantity": "15.000",
                     "unit_cost": "1.00", "value": "15.00"}
    assert body["totals"] == {"quantity": "220.125", "value": "1915.50"}
    assert body["store_id"] is None and body["category_id"] is None


def test_valuation_rounds_each_row_to_the_cent_and_totals_the_rows(app, client, manager, shop):
    with app.app_context():
        receive(shop["widget"], shop["north"], "0.333")  # 0.333 × 4.00 = 1.332 → 1.33
        receive(shop["widget"], shop["south"], "0.333")
    body = client.get(VALUATION, headers=manager).json
    assert [r["value"] for r in body["rows"]] == ["1.33", "1.33"]
    assert body["totals"] == {"quantity": "0.666", "value": "2.66"}


def test_valuation_store_and_category_filters(app, client, manager, store):
    with app.app_context(), transaction():
        parent = Category(name="Hardware")
        db.session.add(parent)
        db.session.flush()
        child = Category(name="Gadgets", parent_id=parent.id)
        db.session.add(child)
        db.session.flush()
        db.session.get(Product, store["widget"]).category_id = parent.id
        db.session.get(Product, store["gadget"]).category_id = child.id
        parent_id, child_id = parent.id, child.id
    body = client.get(VALUATION, headers=manager, query_string={"category_id": parent_id}).json
    assert [(r["sku"], r["store_name"]) for r in body["rows"]] == [
        ("G-1", "North"), ("W-1", "North"), ("W-1", "South")]
    assert body["totals"] == {"quantity": "160.000", "value": "1040.00"}
    assert body["category_id"] == parent_id
    body = client.get(VALUATION, headers=manager, query_string={"category_id": child_id}).json
    assert [r["sku"] for r in body["rows"]] == ["G-1"]
    body = client.get(VALUATION, headers=manager,
                      query_string={"store_id": store["south"]}).json
    assert valuation_rows(body) == [("W-1", "South", "10.000", "4.00", "40.00")]
    assert body["store_id"] == store["south"]
    assert body["totals"] == {"quantity": "10.000", "value": "40.00"}
    body = client.get(VALUATION, headers=manager, query_string={"category_id": 999999}).json
    assert body["rows"] == [] and body["totals"] == {"quantity": "0.000", "value": "0.00"}


def test_valuation_csv_and_pdf(client, manager, store):
    response = client.get(VALUATION, headers=manager, query_string={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="inventory-valuation-')
    rows = csv_rows(response)
    assert list(rows[0]) == ["product_id", "sku", "name", "store_id", "store_name", "quantity",
                             "unit_cost", "value"]
    assert [(r["sku"], r["store_name"], r["quantity"], r["value"]) for r in rows] == [
        ("FLOUR", "North", "15.000", "15.00"), ("G-1", "North", "50.000", "600.00"),
        ("OLD-1", "North", "5.000", "0.00"), ("W-1", "North", "100.000", "400.00"),
        ("W-1", "South", "10.000", "40.00")]
    assert rows[1]["product_id"] == str(store["gadget"]) and rows[1]["unit_cost"] == "12.00"

    response = client.get(VALUATION, headers=manager, query_string={"format": "pdf"})
    assert response.status_code == 200
    text = pdf_text(response)
    assert "Inventory valuation" in text
    assert "Gadget" in text and "600.00" in text
    assert "Total" in text and "1055.00" in text


def test_valuation_store_scope(client, auth, make_user, login, store):
    south = auth("manager", store_ids=[store["south"]])
    body = client.get(VALUATION, headers=south).json
    assert valuation_rows(body) == [("W-1", "South", "10.000", "4.00", "40.00")]
    assert_error(client.get(VALUATION, headers=south, query_string={"store_id": store["north"]}),
                 403)
    both = auth("manager", store_ids=[store["south"], store["north"]])
    assert len(client.get(VALUATION, headers=both).json["rows"]) == 5


@pytest.mark.parametrize("query", [
    {"format": "xml"}, {"format": ""}, {"store_id": "x"}, {"store_id": 0},
    {"category_id": "-1"}, {"category_id": "2.5"}, {"store_id": "١"},
])
def test_valuation_bad_args_are_422(client, manager, query):
    assert_error(client.get(VALUATION, headers=manager, query_string=query), 422)


# --------------------------------------------------------------------------- turnover


@pytest.fixture
def turnover_data(app, client, manager, store):
    """Today T. Everything the `store` fixture received arrived on T−20. In the period
    T−9..T: widgets (North) sold 10 on T−5 and 20 on T−2, 5 of those returned on T−1,
    30 received on T−3; 4 gadgets left in a confirmed order on T−6; 3 kg flour sold on
    T−4. A product received and issued to 0 before the period."""
    with app.app_context():
        today = dates.today()
        backdate(at(today - timedelta(days=20)))
        first = sell(client, manager, store["north"], store["widget"], 10)
        second = sell(client, manager, store["north"], store["widget"], 20)
        flour = sell(client, manager, store["north"], store["flour"], 3)
        returned = client.post(f"{API}/sales/{second['id']}/returns", headers=manager, json={
            "lines": [{"sale_line_id": second["lines"][0]["id"], "quantity": 5}]})
        assert returned.status_code == 201, returned.json
        order = place(client, manager, store, lines=(("gadget", "4"),),
                      client_id=store["acme"]).json
        assert act(client, manager, order["id"], "confirm").status_code == 200
        with transaction():
            empty = Product(sku="E-1", name="Empty", price=Decimal("1.00"))
            db.session.add(empty)
            db.session.flush()
            empty_id = empty.id
        receive(empty_id, store["north"], 5)
        post(Change(type="issue", product_id=empty_id, store_id=store["north"],
                    quantity=Decimal("-5")))
        backdate(at(today - timedelta(days=15)), Movement.product_id == empty_id)
        receive(store["widget"], store["north"], 30)
        late = db.session.scalar(db.select(db.func.max(Movement.id)))
        backdate(at(today - timedelta(days=5)), *sale_movements(first["id"]))
        backdate(at(today - timedelta(days=2)), *sale_movements(second["id"]))
        backdate(at(today - timedelta(days=1)), *sale_movements(second["id"], "sale_return"))
        backdate(at(today - timedelta(days=4)), *sale_movements(flour["id"]))
        backdate(at(today - timedelta(days=6)), Movement.reference_type == "order")
        backdate(at(today - timedelta(days=3)), Movement.id == late)
        return {**store, "today": today}


def turnover_of(client, headers, **query):
    response = client.get(TURNOVER, headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def by_sku(body):
    return {row["sku"]: {k: v for k, v in row.items() if k not in ("sku", "product_id", "name")}
            for row in body["rows"]}


def test_turnover_figures_over_the_last_ten_days(client, manager, turnover_data):
    today = turnover_data["today"]
    body = turnover_of(client, manager, date_from=(today - timedelta(days=9)).isoformat(),
                       date_to=today.isoformat())
    assert body["date_from"] == (today - timedelta(days=9)).isoformat()
    assert body["date_to"] == today.isoformat() and body["store_id"] is None
    assert [row["sku"] for row in body["rows"]] == ["FLOUR", "G-1", "OLD-1", "W-1"]
    assert by_sku(body) == {
        # sold 3 of 15: average 13.5, 3 / 13.5, 12 left at 0.3 a day
        "FLOUR": {"units_sold": "3.000", "opening_stock": "15.000", "closing_stock": "12.000",
                  "average_stock": "13.500", "turnover": 0.2222, "days_of_cover": 40.0},
        # 4 in an order: 50 → 46
        "G-1": {"units_sold": "4.000", "opening_stock": "50.000", "closing_stock": "46.000",
                "average_stock": "48.000", "turnover": 0.0833, "days_of_cover": 115.0},
        "OLD-1": {"units_sold": "0.000", "opening_stock": "5.000", "closing_stock": "5.000",
                  "average_stock": "5.000", "turnover": 0.0, "days_of_cover": None},
        # 10 + 20 − 5 sold, 30 received: 110 → 115 over both stores
        "W-1": {"units_sold": "25.000", "opening_stock": "110.000",
                "closing_stock": "115.000", "average_stock": "112.500", "turnover": 0.2222,
                "days_of_cover": 46.0},
    }


def test_turnover_of_a_past_period_closes_before_later_movements(client, manager,
                                                                 turnover_data):
    today = turnover_data["today"]
    body = turnover_of(client, manager, date_from=(today - timedelta(days=9)).isoformat(),
                       date_to=(today - timedelta(days=3)).isoformat())
    widget = by_sku(body)["W-1"]
    # after the period: −20 and +5; in it: −10 and +30
    assert widget == {"units_sold": "10.000", "opening_stock": "110.000",
                      "closing_stock": "130.000", "average_stock": "120.000",
                      "turnover": 0.0833, "days_of_cover": 91.0}


def test_turnover_default_period_and_one_bound(client, manager, turnover_data):
    today = turnover_data["today"]
    body = turnover_of(client, manager)
    assert body["date_from"] == (today - timedelta(days=29)).isoformat()
    assert body["date_to"] == today.isoformat()
    # the T−20 receipts are in the period: it opens at 0
    assert by_sku(body)["W-1"] == {
        "units_sold": "25.000", "opening_stock": "0.000", "closing_stock": "115.000",
        "average_stock": "57.500", "turnover": 0.4348, "days_of_cover": 138.0}
    start = today - timedelta(days=40)
    body = turnover_of(client, manager, date_from=start.isoformat())
    assert body["date_to"] == (start + timedelta(days=29)).isoformat()
    # T−40..T−11: the receipts of T−20 and the emptied product
    assert by_sku(body)["W-1"] == {
        "units_sold": "0.000", "opening_stock": "0.000", "closing_stock": "110.000",
        "average_stock": "55.000", "turnover": 0.0, "days_of_cover": None}
    assert "E-1" not in by_sku(body)  # 0 at both ends, nothing sold
    body = turnover_of(client, manager, date_to=(today - timedelta(days=1)).isoformat())
    assert body["date_from"] == (today - timedelta(days=30)).isoformat()


def test_turnover_store_filter_and_scope(client, auth, manager, turnover_data):
    today = turnover_data["today"]
    period = {"date_from": (today - timedelta(days=9)).isoformat(), "date_to": today.isoformat()}
    body = turnover_of(client, manager, store_id=turnover_data["north"], **period)
    assert by_sku(body)["W-1"] == {
        "units_sold": "25.000", "opening_stock": "100.000", "closing_stock": "105.000",
        "average_stock": "102.500", "turnover": 0.2439, "days_of_cover": 42.0}
    south = auth("manager", store_ids=[turnover_data["south"]])
    body = turnover_of(client, south, **period)
    assert by_sku(body) == {"W-1": {
        "units_sold": "0.000", "opening_stock": "10.000", "closing_stock": "10.000",
        "average_stock": "10.000", "turnover": 0.0, "days_of_cover": None}}
    assert_error(client.get(TURNOVER, headers=south,
                            query_string={"store_id": turnover_data["north"]}), 403)


def test_turnover_csv(client, manager, turnover_data):
    today = turnover_data["today"]
    response = client.get(TURNOVER, headers=manager, query_string={
        "date_from": (today - timedelta(days=9)).isoformat(), "format": "csv"})
    rows = csv_rows(response)
    assert list(rows[0]) == ["product_id", "sku", "name", "units_sold", "opening_stock",
                             "closing_stock", "average_stock", "turnover", "days_of_cover"]
    oldest = next(row for row in rows if row["sku"] == "OLD-1")
    assert oldest["turnover"] == "0.0" and oldest["days_of_cover"] == ""
    widget = next(row for row in rows if row["sku"] == "W-1")
    assert widget["units_sold"] == "25.000" and widget["turnover"] == "0.2222"


def test_turnover_counts_a_late_evening_sale_on_the_local_day(app, client, manager, store,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "BUSINESS_TIMEZONE", "America/Mexico_City")
    with app.app_context():
        day = dates.today() - timedelta(days=3)
        backdate(at(day - timedelta(days=10)))
        sale = sell(client, manager, store["north"], store["widget"], 7)
        late = at(day, 23, 30)  # 05:30 UTC the next day
        assert late.astimezone(dates.UTC).date() == day + timedelta(days=1)
        backdate(late, *sale_movements(sale["id"]))
    on_day = turnover_of(client, manager, date_from=day.isoformat(), date_to=day.isoformat())
    assert by_sku(on_day)["W-1"]["units_sold"] == "7.000"
    assert by_sku(on_day)["W-1"]["days_of_cover"] == 14.71  # 103 left ÷ 7 a day
    next_day = day + timedelta(days=1)
    after = turnover_of(client, manager, date_from=next_day.isoformat(),
                        date_to=next_day.isoformat())
    assert by_sku(after)["W-1"]["units_sold"] == "0.000"


@pytest.mark.parametrize("query", [
    {"format": "pdf"}, {"date_from": "2026-02-30"}, {"date_to": "yesterday"},
    {"date_from": "2026-03-02", "date_to": "2026-03-01"}, {"store_id": "north"},
    {"date_to": "0001-01-05"}, {"date_from": "9999-12-20"}, {"date_to": "9999-12-31"},
])
def test_turnover_bad_args_are_422(client, manager, query):
    assert_error(client.get(TURNOVER, headers=manager, query_string=query), 422)


# --------------------------------------------------------------------------- both


@pytest.mark.parametrize("path", [VALUATION, TURNOVER])
@pytest.mark.parametrize("role, code", [("employee", 403), ("customer", 403),
                                        ("manager", 200), ("admin", 200)])
def test_roles(client, auth, path, role, code):
    response = client.get(path, headers=auth(role))
    assert response.status_code == code
    if code != 200:
        assert_error(response, code)


@pytest.mark.parametrize("path", [VALUATION, TURNOVER])
def test_unauthenticated_is_401(client, path):
    assert_error(client.get(path), 401)


def _catalog(app, size):
    """`size` products with stock in two stores and one movement each in the period."""
    with app.app_context():
        db.session.execute(insert(Store), [{"name": f"QC {size} {i}", "code": f"Q{size}-{i}"}
                                           for i in range(2)])
        stores = list(db.session.scalars(db.select(Store.id).where(
            Store.code.like(f"Q{size}-%"))))
        db.session.execute(insert(Product), [
            {"sku": f"QC-{size}-{i:03}", "name": f"P {i}", "price": Decimal("1.00"),
             "cost": Decimal("2.00")} for i in range(size)])
        products = list(db.session.scalars(db.select(Product.id).where(
            Product.sku.like(f"QC-{size}-%"))))
        db.session.commit()
        for product_id in products:
            for store_id in stores:
                receive(product_id, store_id, 3)
        return products


@pytest.mark.parametrize("path", [VALUATION, TURNOVER, f"{VALUATION}?format=csv",
                                  f"{TURNOVER}?format=csv", f"{VALUATION}?category_id=1"])
def test_statement_count_does_not_grow_with_the_catalog(app, client, manager, path):
    counts = []
    for size in (5, 50):
        _catalog(app, size)
        with count_statements(app) as statements:
            response = client.get(path, headers=manager)
        assert response.status_code == 200
        counts.append(len(statements))
    with app.app_context():
        held = db.session.scalar(db.select(db.func.count()).select_from(StockLevel))
    assert held == 5 * 2 + 50 * 2  # the second catalog came on top of the first
    assert counts[0] == counts[1]


@pytest.mark.parametrize("path", [VALUATION, TURNOVER, f"{API}/reports/debtors",
                                  f"{API}/reports/forecast"])
def test_reports_read_through_the_replica_when_one_is_set(app, client, manager, store,
                                                          monkeypatch, path):
    """With REPORTS_DATABASE_URL set (here: the same database), the report's statement
    runs on the replica engine; the primary only serves authentication."""
    monkeypatch.setitem(app.config, "REPORTS_DATABASE_URL",
                        app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with count_statements(app) as statements:
            response = client.get(path, headers=manager)
        assert response.status_code == 200, response.json
        assert not [s for s in statements if "stock_levels" in s or "debts" in s]
        if path == VALUATION:
            assert response.json["totals"]["value"] == "1055.00"
    finally:
        engine = app.extensions.pop("reports_engine", None)
        if engine is not None:
            engine.dispose()
