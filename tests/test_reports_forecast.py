"""/reports/forecast on a known demand series: sales, a return and a confirmed order moved
into the past by UPDATE, a pending order's reservation, open and draft purchase orders and
a supplier lead time; trend halves and the ±10 % band, stock-out, reorder date and
quantity, filters, CSV, roles, bad args and a statement count."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from inventory_api.common import dates
from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock.models import Movement
from inventory_api.stores.models import Store
from inventory_api.suppliers.models import Supplier
from tests.conftest import assert_error
from tests.orders_utils import act, place
from tests.purchasing_fixtures import create_po, ordered_po
from tests.sales_fixtures import API, receive, stocked_store  # noqa: F401  (`store` fixture)
from tests.test_query_counts import count_statements
from tests.test_reports_holdings import at, backdate, sale_movements, sell

FORECAST = f"{API}/reports/forecast"


@pytest.fixture
def manager(auth):
    return auth("manager")


@pytest.fixture
def series(app, client, manager, store):
    """Today T; a 10-day window T−9..T, halves T−9..T−5 and T−4..T. All the `store`
    fixture's stock (and 30 more widgets in South) arrived on T−40.

    North widgets: 4 sold on T−8, 6 on T−6, 8 on T−3, 10 on T−1 (2 of them returned
    today); 4 reserved by a pending order; 15 on an open purchase order (and 100 on a
    draft); supplier lead time 10 days; reorder_quantity 20.
    South widgets: 10 sold on T−9, 11 on T−4. North gadgets: 5 in an order confirmed on
    T−7. Flour: nothing sold."""
    with app.app_context():
        today = dates.today()
        s = store
        receive(s["widget"], s["south"], 30)
        backdate(at(today - timedelta(days=40)))
        with transaction():
            supplier = Supplier(name="Widgets Inc", lead_time_days=10)
            db.session.add(supplier)
            db.session.flush()
            db.session.get(Product, s["widget"]).preferred_supplier_id = supplier.id
            supplier_id = supplier.id
        for days, store_name, quantity in ((8, "north", 4), (6, "north", 6), (3, "north", 8),
                                           (9, "south", 10), (4, "south", 11)):
            sale = sell(client, manager, s[store_name], s["widget"], quantity)
            backdate(at(today - timedelta(days=days)), *sale_movements(sale["id"]))
        last = sell(client, manager, s["north"], s["widget"], 10)
        backdate(at(today - timedelta(days=1)), *sale_movements(last["id"]))
        returned = client.post(f"{API}/sales/{last['id']}/returns", headers=manager, json={
            "lines": [{"sale_line_id": last["lines"][0]["id"], "quantity": 2}]})
        assert returned.status_code == 201, returned.json
        order = place(client, manager, s, lines=(("gadget", "5"),), client_id=s["acme"]).json
        assert act(client, manager, order["id"], "confirm").status_code == 200
        backdate(at(today - timedelta(days=7)), Movement.reference_type == "order")
        pending = place(client, manager, s, lines=(("widget", "4"),), client_id=s["acme"])
        assert pending.status_code == 201, pending.json
        suppliers = {"acme": supplier_id, "north": s["north"]}
        ordered_po(client, manager, suppliers, lines=[
            {"product_id": s["widget"], "quantity": "15", "unit_cost": "4.00"}])
        assert create_po(client, manager, suppliers, lines=[
            {"product_id": s["widget"], "quantity": "100", "unit_cost": "4.00"}]
        ).status_code == 201
        return {**s, "today": today}


def forecast_of(client, headers, **query):
    response = client.get(FORECAST, headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def keyed(body):
    return {(row["sku"], row["store_name"]): row for row in body["rows"]}


def test_forecast_on_a_known_series(client, manager, series):
    today = series["today"]
    body = forecast_of(client, manager, window_days=10)
    assert (body["date_from"], body["date_to"]) == ((today - timedelta(days=9)).isoformat(),
                                                    today.isoformat())
    assert (body["window_days"], body["cover_days"]) == (10, 10)
    assert body["store_id"] is None and body["product_id"] is None
    assert list(keyed(body)) == [("FLOUR", "North"), ("G-1", "North"), ("W-1", "North"),
                                 ("W-1", "South")]  # the inactive product is left out
    rows = keyed(body)
    assert rows[("W-1", "North")] == {
        "product_id": series["widget"], "sku": "W-1", "name": "Widget",
        "store_id": series["north"], "store_name": "North",
        "demand": "26.000", "avg_daily_demand": 2.6,  # 4 + 6 + 8 + 10 − 2 over 10 days
        "trend": "rising", "trend_change": 0.6,  # 16 / 5 a day against 10 / 5
        "available": "70.000", "on_order": "15.000",  # 74 on hand, 4 reserved; the draft
        "days_until_stockout": 26.92,  # 70 / 2.6                          # is not on order
        "lead_time_days": 10, "suggested_reorder_date": (today + timedelta(days=16)).isoformat(),
        # 2.6 × (10 + 10) − 70 − 15 < 0
        "suggested_quantity": "0.000",
    }
    south = rows[("W-1", "South")]
    assert (south["demand"], south["avg_daily_demand"], south["available"]) == (
        "21.000", 2.1, "19.000")
    assert (south["trend"], south["trend_change"]) == ("flat", 0.1)  # 11 / 10: +10 % is flat
    assert south["days_until_stockout"] == 9.05  # 19 / 2.1
    # 9 days left, 10 of lead time: reorder today
    assert south["suggested_reorder_date"] == today.isoformat()
    assert south["suggested_quantity"] == "23.000"  # 2.1 × (10 + 10) − 19
    gadget = rows[("G-1", "North")]
    assert {k: gadget[k] for k in ("demand", "avg_daily_demand", "trend", "trend_change",
                                   "available", "days_until_stockout", "lead_time_days",
                                   "suggested_reorder_date", "suggested_quantity")} == {
        "demand": "5.000", "avg_daily_demand": 0.5, "trend": "falling", "trend_change": -1.0,
        "available": "45.000", "days_until_stockout": 90.0, "lead_time_days": 0,
        "suggested_reorder_date": (today + timedelta(days=90)).isoformat(),
        "suggested_quantity": "0.000"}
    flour = rows[("FLOUR", "North")]
    assert {k: flour[k] for k in ("demand", "avg_daily_demand", "trend", "trend_change",
                                  "available", "days_until_stockout",
                                  "suggested_reorder_date", "suggested_quantity")} == {
        "demand": "0.000", "avg_daily_demand": 0.0, "trend": "flat", "trend_change": None,
        "available": "15.000", "days_until_stockout": None, "suggested_reorder_date": None,
        "suggested_quantity": "0.000"}


def test_cover_days_and_the_reorder_quantity_floor(client, manager, series):
    rows = keyed(forecast_of(client, manager, window_days=10, cover_days=30))
    # 2.6 × (10 + 30) − 70 − 15 = 19: at least reorder_quantity 20
    assert rows[("W-1", "North")]["suggested_quantity"] == "20.000"
    assert rows[("W-1", "South")]["suggested_quantity"] == "65.000"  # 2.1 × 40 − 19
    rows = keyed(forecast_of(client, manager, window_days=10, cover_days=40))
    assert rows[("W-1", "North")]["suggested_quantity"] == "45.000"  # 2.6 × 50 − 85


def test_a_wider_window_and_one_of_seven_days(client, manager, series):
    rows = keyed(forecast_of(client, manager))  # 30 days: the T−40 receipts are outside
    widget = rows[("W-1", "North")]
    assert widget["avg_daily_demand"] == 0.8667  # 26 / 30
    # halves T−29..T−15 and T−14..T: everything in the second
    assert (widget["trend"], widget["trend_change"]) == ("rising", None)
    rows = keyed(forecast_of(client, manager, window_days=7))
    # T−6..T: halves of 3 days (T−6..T−4: 6 North, 11 South) and 4 days (T−3..T)
    assert rows[("W-1", "North")]["demand"] == "22.000"
    assert rows[("W-1", "North")]["trend_change"] == 1.0  # 16 / 4 against 6 / 3
    assert rows[("W-1", "South")]["demand"] == "11.000"
    assert rows[("W-1", "South")]["trend"] == "falling"
    assert ("G-1", "North") in rows  # held, though its order is out of the window


def test_store_and_product_filters_and_scope(client, auth, manager, series):
    body = forecast_of(client, manager, window_days=10, store_id=series["south"])
    assert list(keyed(body)) == [("W-1", "South")] and body["store_id"] == series["south"]
    body = forecast_of(client, manager, window_days=10, product_id=series["widget"])
    assert list(keyed(body)) == [("W-1", "North"), ("W-1", "South")]
    assert body["product_id"] == series["widget"]
    south = auth("manager", store_ids=[series["south"]])
    assert list(keyed(forecast_of(client, south, window_days=10))) == [("W-1", "South")]
    assert_error(client.get(FORECAST, headers=south, query_string={"store_id": series["north"]}),
                 403)


def test_csv(client, manager, series):
    response = client.get(FORECAST, headers=manager,
                          query_string={"window_days": 10, "format": "csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == [
        "product_id", "sku", "name", "store_id", "store_name", "demand", "avg_daily_demand",
        "trend", "trend_change", "available", "on_order", "days_until_stockout",
        "lead_time_days", "suggested_reorder_date", "suggested_quantity"]
    flour, _, widget, _ = rows
    assert (flour["trend_change"], flour["days_until_stockout"],
            flour["suggested_reorder_date"]) == ("", "", "")
    assert widget["avg_daily_demand"] == "2.6" and widget["trend"] == "rising"
    assert widget["suggested_reorder_date"] == (series["today"] + timedelta(days=16)).isoformat()


@pytest.mark.parametrize("role, code", [("employee", 403), ("customer", 403),
                                        ("manager", 200), ("admin", 200)])
def test_roles(client, auth, role, code):
    response = client.get(FORECAST, headers=auth(role))
    assert response.status_code == code
    if code != 200:
        assert_error(response, code)


def test_unauthenticated_is_401(client):
    assert_error(client.get(FORECAST), 401)


@pytest.mark.parametrize("query", [
    {"window_days": 6}, {"window_days": 366}, {"window_days": "7.5"}, {"window_days": "x"},
    {"cover_days": 0}, {"cover_days": 400}, {"product_id": 0}, {"product_id": "p"},
    {"format": "pdf"}, {"store_id": "-3"},
])
def test_bad_args_are_422(client, manager, query):
    body = assert_error(client.get(FORECAST, headers=manager, query_string=query), 422)
    assert set(body["errors"]["query"]) == set(query)


def test_statement_count_does_not_grow_with_the_catalog(app, client, manager):
    counts = []
    for size in (5, 50):
        with app.app_context():
            db.session.execute(insert(Store), [{"name": f"F{size}", "code": f"F{size}"}])
            store_id = db.session.scalar(db.select(Store.id).where(Store.code == f"F{size}"))
            db.session.execute(insert(Product), [
                {"sku": f"F{size}-{i:03}", "name": f"P {i}", "price": Decimal("1.00"),
                 "reorder_quantity": Decimal("3")} for i in range(size)])
            db.session.commit()
            for product_id in db.session.scalars(db.select(Product.id).where(
                    Product.sku.like(f"F{size}-%"))):
                receive(product_id, store_id, 3)
        with count_statements(app) as statements:
            response = client.get(FORECAST, headers=manager)
        assert response.status_code == 200
        counts.append(len(statements))
    assert len(response.json["rows"]) == 55
    assert counts[0] == counts[1]
