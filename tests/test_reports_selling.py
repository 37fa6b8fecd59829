"""/reports/dashboard, /reports/sales and /reports/top-products: exact figures on a
constructed history, every group_by, the business time zone, CSV and PDF, store
scope, roles, validation, and a statement count that does not grow with the data.

Sales, returns, cancels, orders and payments go through the API; only the
sales' `created_at` is then moved into the past with a direct UPDATE (the API
never backdates).
"""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, update

from inventory_api.categories.models import Category
from inventory_api.common import dates
from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.sales.models import Sale
from tests.conftest import assert_error
from tests.sales_fixtures import (
    API,
    receive,
    stocked_store,  # noqa: F401  (the `store` fixture)
)
from tests.test_query_counts import count_statements

REPORTS = f"{API}/reports"
PERIOD = "date_from=2026-03-02&date_to=2026-03-15"
FIGURES = ("sales_count", "subtotal", "discount_total", "returned_total", "total")


def at(day, hour, minute=0, second=0):
    return datetime.combine(day, time(hour, minute, second), tzinfo=UTC)


def backdate(app, sale_id, instant):
    with app.app_context(), transaction():
        db.session.execute(update(Sale).where(Sale.id == sale_id).values(created_at=instant))


def sell(client, headers, store_id, lines, when=None, **body):
    """POST a sale of `lines` [(product_id, quantity[, unit_price[, discount]])]; moved to
    `when` if given. Returns the sale's body."""
    items = []
    for product_id, quantity, *rest in lines:
        item = {"product_id": product_id, "quantity": quantity}
        if rest:
            item["unit_price"] = rest[0]
        if len(rest) > 1:
            item["discount"] = rest[1]
        items.append(item)
    response = client.post(f"{API}/sales", headers=headers, json={
        "store_id": store_id, "payment_method": "cash", "lines": items, **body})
    assert response.status_code == 201, response.json
    if when is not None:
        backdate(client.application, response.json["id"], when)
    return response.json


def give_back(client, headers, sale, line_index, quantity):
    response = client.post(f"{API}/sales/{sale['id']}/returns", headers=headers, json={
        "lines": [{"sale_line_id": sale["lines"][line_index]["id"], "quantity": quantity}]})
    assert response.status_code == 201, response.json


def staff(make_user, login, role, **kwargs):
    """A user of `role`: {"id", "email", "name", "headers"}."""
    user = make_user(role, **kwargs)
    token = login(user["email"], user["password"])["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    return {**user, "headers": headers}


def get(client, headers, path, query=""):
    response = client.get(f"{REPORTS}/{path}?{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


@pytest.fixture
def history(app, client, store, make_user, login, auth):
    """The sales of 2 to 15 March 2026 (and around them), by three sellers.

    | sale | day (UTC)   | store | seller  | lines                                 | net   |
    | S1   | 03-02 10:00 | north | clerk   | widget 3 @10 −1.50, gadget 1 @30      | 58.50 |
    | S2   | 03-02 15:00 | north | boss    | widget 2 @10                          | 20.00 |
    | S5   | 03-03       | north | boss    | flour 2 (cancelled: not counted)      |   -   |
    | S3   | 03-10       | south | clerk   | widget 1 @10                          | 10.00 |
    | S6   | 03-10       | north | boss    | gadget 2 @30, one returned (30.00)    | 30.00 |
    | S4   | 03-11       | north | API key | gadget 1 @25                          | 25.00 |
    | S8   | 03-14       | north | boss    | flour 1.5 @2                          |  3.00 |
    | S7   | 02-28 23:59:59 and S9 03-16 00:00: widget 1 each, outside the period |

    Widget and flour are in category Tools; gadget has none.
    """
    clerk = staff(make_user, login, "employee")
    boss = staff(make_user, login, "manager")
    key = client.post(f"{API}/api-keys/", json={"name": "till", "role": "manager"},
                      headers=auth("admin")).json["key"]
    with app.app_context(), transaction():
        tools = Category(name="Tools")
        db.session.add(tools)
        db.session.flush()
        db.session.execute(update(Product).where(Product.id.in_([store["widget"],
                                                                  store["flour"]]))
                           .values(category_id=tools.id))
        tools_id = tools.id
    north, south = store["north"], store["south"]
    widget, gadget, flour = store["widget"], store["gadget"], store["flour"]
    s1 = sell(client, clerk["headers"], north, [(widget, 3, "10.00", "1.50"), (gadget, 1)],
              at(date(2026, 3, 2), 10))
    s2 = sell(client, boss["headers"], north, [(widget, 2)], at(date(2026, 3, 2), 15))
    s5 = sell(client, boss["headers"], north, [(flour, 2)], at(date(2026, 3, 3), 9))
    assert client.post(f"{API}/sales/{s5['id']}/cancel", headers=boss["headers"],
                       json={}).status_code == 200
    s3 = sell(client, clerk["headers"], south, [(widget, 1)], at(date(2026, 3, 10), 8))
    s6 = sell(client, boss["headers"], north, [(gadget, 2)], at(date(2026, 3, 10), 12))
    give_back(client, boss["headers"], s6, 0, 1)
    s4 = sell(client, {"X-API-Key": key}, north, [(gadget, 1, "25.00")],
              at(date(2026, 3, 11), 18))
    s8 = sell(client, boss["headers"], north, [(flour, "1.5")], at(date(2026, 3, 14), 11))
    sell(client, boss["headers"], north, [(widget, 1)], at(date(2026, 2, 28), 23, 59, 59))
    sell(client, boss["headers"], north, [(widget, 1)], at(date(2026, 3, 16), 0))
    me = client.get(f"{API}/auth/me", headers=clerk["headers"]).json
    boss_me = client.get(f"{API}/auth/me", headers=boss["headers"]).json
    return {**store, "tools": tools_id, "clerk": me, "boss": boss_me,
            "sales": {"s1": s1, "s2": s2, "s3": s3, "s4": s4, "s6": s6, "s8": s8}}


@pytest.fixture
def manager(auth):
    return auth("manager")


def figures(count, subtotal, discount, returned, total, **extra):
    return {"sales_count": count, **extra, "subtotal": subtotal, "discount_total": discount,
            "returned_total": returned, "total": total}


TOTALS = figures(6, "178.00", "1.50", "30.00", "146.50")


# --------------------------------------------------------------------------- /reports/sales


def test_sales_by_day_only_days_with_sales(client, manager, history):
    body = get(client, manager, "sales", PERIOD).json
    assert body == {
        "date_from": "2026-03-02", "date_to": "2026-03-15", "store_id": None, "group_by": "day",
        "rows": [{"date": "2026-03-02", **figures(2, "80.00", "1.50", "0.00", "78.50")},
                 {"date": "2026-03-10", **figures(2, "70.00", "0.00", "30.00", "40.00")},
                 {"date": "2026-03-11", **figures(1, "25.00", "0.00", "0.00", "25.00")},
                 {"date": "2026-03-14", **figures(1, "3.00", "0.00", "0.00", "3.00")}],
        "totals": TOTALS}
    # the default group is day
    assert get(client, manager, "sales", PERIOD + "&group_by=day").json == body


def test_sales_by_week_and_month(client, manager, history):
    weeks = get(client, manager, "sales", PERIOD + "&group_by=week").json
    assert weeks["rows"] == [
        {"week_start": "2026-03-02", **figures(2, "80.00", "1.50", "0.00", "78.50")},
        {"week_start": "2026-03-09", **figures(4, "98.00", "0.00", "30.00", "68.00")}]
    assert weeks["totals"] == TOTALS
    # from Saturday 28 February: S7 (23:59:59 that day) opens a February row, and the
    # week of Monday 23 February holds only the days of the period
    months = get(client, manager, "sales",
                 "date_from=2026-02-28&date_to=2026-03-15&group_by=month").json
    assert months["rows"] == [
        {"month": "2026-02", **figures(1, "10.00", "0.00", "0.00", "10.00")},
        {"month": "2026-03", **figures(6, "178.00", "1.50", "30.00", "146.50")}]
    assert months["totals"] == figures(7, "188.00", "1.50", "30.00", "156.50")
    weeks = get(client, manager, "sales",
                "date_from=2026-02-28&date_to=2026-03-08&group_by=week").json["rows"]
    assert [(row["week_start"], row["sales_count"]) for row in weeks] == [
        ("2026-02-23", 1), ("2026-03-02", 2)]


def test_sales_by_product_net_of_returns(client, manager, history):
    body = get(client, manager, "sales", PERIOD + "&group_by=product").json
    h = history
    assert body["rows"] == [
        {"product_id": h["gadget"], "sku": "G-1", "name": "Gadget",
         **figures(3, "115.00", "0.00", "30.00", "85.00", quantity="3.000")},
        {"product_id": h["widget"], "sku": "W-1", "name": "Widget",
         **figures(3, "60.00", "1.50", "0.00", "58.50", quantity="6.000")},
        {"product_id": h["flour"], "sku": "FLOUR", "name": "Flour",
         **figures(1, "3.00", "0.00", "0.00", "3.00", quantity="1.500")}]
    assert body["totals"] == {**TOTALS, "quantity": "10.500"}


def test_sales_by_category_uncategorised_named(client, manager, history):
    body = get(client, manager, "sales", PERIOD + "&group_by=category").json
    assert body["rows"] == [
        {"category_id": None, "name": "Uncategorised",
         **figures(3, "115.00", "0.00", "30.00", "85.00", quantity="3.000")},
        {"category_id": history["tools"], "name": "Tools",
         **figures(4, "63.00", "1.50", "0.00", "61.50", quantity="7.500")}]
    assert body["totals"] == {**TOTALS, "quantity": "10.500"}


def test_sales_by_store_and_employee(client, manager, history):
    h = history
    stores = get(client, manager, "sales", PERIOD + "&group_by=store").json
    assert stores["rows"] == [
        {"store_id": h["north"], "name": "North",
         **figures(5, "168.00", "1.50", "30.00", "136.50")},
        {"store_id": h["south"], "name": "South", **figures(1, "10.00", "0.00", "0.00", "10.00")}]
    assert stores["totals"] == TOTALS
    people = get(client, manager, "sales", PERIOD + "&group_by=employee").json
    assert people["rows"] == [
        {"user_id": h["clerk"]["id"], "name": h["clerk"]["name"], "email": h["clerk"]["email"],
         **figures(2, "70.00", "1.50", "0.00", "68.50")},
        {"user_id": h["boss"]["id"], "name": h["boss"]["name"], "email": h["boss"]["email"],
         **figures(3, "83.00", "0.00", "30.00", "53.00")},
        {"user_id": None, "name": None, "email": None,  # the API key's sale
         **figures(1, "25.00", "0.00", "0.00", "25.00")}]
    assert people["totals"] == TOTALS


def test_sales_store_filter(client, manager, history):
    body = get(client, manager, "sales",
               PERIOD + f"&group_by=product&store_id={history['south']}").json
    assert body["store_id"] == history["south"]
    assert body["rows"] == [{"product_id": history["widget"], "sku": "W-1", "name": "Widget",
                             **figures(1, "10.00", "0.00", "0.00", "10.00", quantity="1.000")}]
    assert body["totals"] == figures(1, "10.00", "0.00", "0.00", "10.00", quantity="1.000")


def test_empty_period_has_zero_totals(client, manager, history):
    body = get(client, manager, "sales", "date_from=2025-01-01&date_to=2025-01-31").json
    assert body["rows"] == []
    assert body["totals"] == figures(0, "0.00", "0.00", "0.00", "0.00")
    body = get(client, manager, "sales",
               "date_from=2025-01-01&date_to=2025-01-31&group_by=category").json
    assert body["totals"] == figures(0, "0.00", "0.00", "0.00", "0.00", quantity="0.000")


def test_default_period_is_the_30_days_ending_today(app, client, manager, store):
    today = client.get(f"{REPORTS}/sales", headers=manager).json
    with app.app_context():
        now = dates.today()
    assert (today["date_from"], today["date_to"]) == (str(now - timedelta(days=29)), str(now))
    only_from = get(client, manager, "sales", "date_from=2026-01-10").json
    assert (only_from["date_from"], only_from["date_to"]) == ("2026-01-10", "2026-02-08")
    only_to = get(client, manager, "top-products", "date_to=2026-01-10").json
    assert (only_to["date_from"], only_to["date_to"]) == ("2025-12-12", "2026-01-10")


def test_sale_at_2330_local_lands_on_the_local_day(app, client, manager, store):
    # 05:30 UTC on 10 March is 23:30 on 9 March in Mexico City (UTC−6 all year)
    sale = sell(client, manager, store["north"], [(store["widget"], 1)],
                at(date(2026, 3, 10), 5, 30))
    assert sale["total"] == "10.00"
    saved = app.config.get("BUSINESS_TIMEZONE")
    app.config["BUSINESS_TIMEZONE"] = "America/Mexico_City"
    try:
        rows = get(client, manager, "sales", "date_from=2026-03-09&date_to=2026-03-10").json
        assert [(r["date"], r["total"]) for r in rows["rows"]] == [("2026-03-09", "10.00")]
        only_10th = get(client, manager, "sales", "date_from=2026-03-10&date_to=2026-03-10")
        assert only_10th.json["rows"] == []
        week = get(client, manager, "top-products", "date_from=2026-03-09&date_to=2026-03-09")
        assert [r["product_id"] for r in week.json["rows"]] == [store["widget"]]
    finally:
        app.config["BUSINESS_TIMEZONE"] = saved
    utc = get(client, manager, "sales", "date_from=2026-03-09&date_to=2026-03-10").json
    assert [r["date"] for r in utc["rows"]] == ["2026-03-10"]


def test_days_across_a_daylight_saving_change(app, client, manager, store):
    # Madrid moves from UTC+1 to UTC+2 at 01:00 UTC on 29 March 2026
    for instant in (at(date(2026, 3, 28), 23, 30),   # 00:30 on the 29th (+1)
                    at(date(2026, 3, 29), 21, 30),   # 23:30 on the 29th (+2)
                    at(date(2026, 3, 29), 22, 30)):  # 00:30 on the 30th (+2)
        sell(client, manager, store["north"], [(store["widget"], 1)], instant)
    saved = app.config.get("BUSINESS_TIMEZONE")
    app.config["BUSINESS_TIMEZONE"] = "Europe/Madrid"
    try:
        rows = get(client, manager, "sales", "date_from=2026-03-28&date_to=2026-03-30").json
    finally:
        app.config["BUSINESS_TIMEZONE"] = saved
    assert [(r["date"], r["sales_count"]) for r in rows["rows"]] == [
        ("2026-03-29", 2), ("2026-03-30", 1)]


def test_sales_csv_parses_back(client, manager, history):
    response = get(client, manager, "sales", PERIOD + "&group_by=product&format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="sales-by-product-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["product_id", "sku", "name", "sales_count", "quantity", "subtotal", "discount_total",
         "returned_total", "total"],
        [str(history["gadget"]), "G-1", "Gadget", "3", "3.000", "115.00", "0.00", "30.00",
         "85.00"],
        [str(history["widget"]), "W-1", "Widget", "3", "6.000", "60.00", "1.50", "0.00",
         "58.50"],
        [str(history["flour"]), "FLOUR", "Flour", "1", "1.500", "3.00", "0.00", "0.00",
         "3.00"]]
    employees = get(client, manager, "sales", PERIOD + "&group_by=employee&format=csv")
    last = list(csv.reader(io.StringIO(employees.get_data(as_text=True))))[-1]
    assert last == ["", "", "", "1", "25.00", "0.00", "0.00", "25.00"]


def test_sales_pdf_has_title_a_row_and_the_total(client, manager, history):
    response = get(client, manager, "sales", PERIOD + "&format=pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Sales by day" in text
    assert "2026-03-02" in text and "78.50" in text
    assert "Total" in text and "146.50" in text
    weekly = get(client, manager, "sales", PERIOD + "&group_by=week&format=pdf")
    assert "Sales by week" in PdfReader(io.BytesIO(weekly.data)).pages[0].extract_text()


# --------------------------------------------------------------------------- top products


def test_top_products_by_amount_and_quantity(client, manager, history):
    h = history
    by_amount = get(client, manager, "top-products", PERIOD).json
    assert by_amount == {
        "date_from": "2026-03-02", "date_to": "2026-03-15", "store_id": None, "by": "amount",
        "limit": 10, "rows": [
            {"rank": 1, "product_id": h["gadget"], "sku": "G-1", "name": "Gadget",
             "quantity": "3.000", "amount": "85.00"},
            {"rank": 2, "product_id": h["widget"], "sku": "W-1", "name": "Widget",
             "quantity": "6.000", "amount": "58.50"},
            {"rank": 3, "product_id": h["flour"], "sku": "FLOUR", "name": "Flour",
             "quantity": "1.500", "amount": "3.00"}]}
    by_quantity = get(client, manager, "top-products", PERIOD + "&by=quantity&limit=2").json
    assert (by_quantity["by"], by_quantity["limit"]) == ("quantity", 2)
    assert [(r["rank"], r["product_id"], r["quantity"]) for r in by_quantity["rows"]] == [
        (1, h["widget"], "6.000"), (2, h["gadget"], "3.000")]
    csv_rows = list(csv.reader(io.StringIO(get(
        client, manager, "top-products", PERIOD + "&limit=1&format=csv").get_data(as_text=True))))
    assert csv_rows == [["rank", "product_id", "sku", "name", "quantity", "amount"],
                        ["1", str(h["gadget"]), "G-1", "Gadget", "3.000", "85.00"]]


def test_top_products_leave_out_what_came_back_in_full(client, manager, store):
    day = at(date(2026, 3, 5), 12)
    sale = sell(client, manager, store["north"], [(store["gadget"], 1), (store["widget"], 1)],
                day)
    give_back(client, manager, sale, 0, 1)
    rows = get(client, manager, "top-products", "date_from=2026-03-05&date_to=2026-03-05")
    assert [(r["product_id"], r["amount"]) for r in rows.json["rows"]] == [
        (store["widget"], "10.00")]


# --------------------------------------------------------------------------- dashboard


def test_dashboard_figures(app, client, store, make_user, login):
    boss = staff(make_user, login, "manager")
    h = boss["headers"]
    north, south = store["north"], store["south"]
    widget, gadget = store["widget"], store["gadget"]
    with app.app_context():
        today = dates.today()
        month_start = dates.day_start(today.replace(day=1))
    # before this month: left out
    sell(client, h, north, [(widget, 1)], month_start - timedelta(minutes=1))
    # the month's first minute (also today on the 1st): gadget 2, one returned → 30.00 net
    first = sell(client, h, north, [(gadget, 2)], month_start + timedelta(minutes=1))
    give_back(client, h, first, 0, 1)
    # today: two credit sales (debts 20.00 north, 10.00 south) and a cancelled one
    credit = {"client_id": store["acme"], "payment_method": "credit"}
    t1 = sell(client, h, north, [(widget, 2)], **credit)
    sell(client, h, south, [(widget, 1)], **credit)
    cancelled = sell(client, h, north, [(gadget, 1)])
    assert client.post(f"{API}/sales/{cancelled['id']}/cancel", headers=h,
                       json={}).status_code == 200
    # orders in north: one pending (holds a widget), one confirmed (a 10.00 debt)
    for confirm in (False, True):
        order = client.post(f"{API}/orders", headers=h, json={
            "client_id": store["acme"], "store_id": north,
            "lines": [{"product_id": widget, "quantity": 1}]})
        assert order.status_code == 201, order.json
        if confirm:
            assert client.post(f"{API}/orders/{order.json['id']}/confirm", headers=h,
                               json={}).status_code == 200
    # 5.00 paid off the north sale's debt → open: 15.00 + 10.00 (south) + 10.00 (order)
    debts = client.get(f"{API}/debts?client_id={store['acme']}", headers=h).json
    debt_id = next(d["id"] for d in debts if (d["source_type"], d["source_id"]) == (
        "sale", t1["id"]))
    assert client.post(f"{API}/payments", headers=h, json={
        "client_id": store["acme"], "amount": "5.00", "method": "cash",
        "debt_id": debt_id}).status_code == 201
    # minimums that make two rows low: widget in south (9 ≤ 20), gadget in north (49 ≤ 60)
    for store_id, product_id in ((south, widget), (north, gadget)):
        assert client.put(f"{API}/stores/{store_id}/inventory/{product_id}", headers=h,
                          json={"min_stock": "20" if product_id == widget else "60"}
                          ).status_code == 200

    on_the_first = today.day == 1
    body = get(client, h, "dashboard").json
    assert body == {
        "store_id": None,
        "today": {"date": str(today), "sales_count": 3 if on_the_first else 2,
                  "sales_amount": "60.00" if on_the_first else "30.00"},
        "month": {"from": str(today.replace(day=1)), "sales_count": 3, "sales_amount": "60.00"},
        "orders_by_status": {"pending": 1, "confirmed": 1, "shipped": 0, "delivered": 0,
                             "cancelled": 0},
        "open_debt_total": "35.00",
        "low_stock_count": 2,
        # north: widget 96 × 4.00, gadget 49 × 12.00, flour 15 × 1.00, the archived
        # product 5 × 0.00; south: widget 9 × 4.00
        "stock_value": "1023.00",
        # equal amounts (30.00): the larger quantity first
        "top_products": [
            {"rank": 1, "product_id": widget, "sku": "W-1", "name": "Widget",
             "quantity": "3.000", "amount": "30.00"},
            {"rank": 2, "product_id": gadget, "sku": "G-1", "name": "Gadget",
             "quantity": "1.000", "amount": "30.00"}]}
    assert body["low_stock_count"] == len(client.get(f"{API}/alerts/low-stock",
                                                     headers=h).json)

    south_only = get(client, h, "dashboard", f"store_id={south}").json
    assert {k: south_only[k] for k in ("store_id", "today", "month", "open_debt_total",
                                       "low_stock_count", "stock_value")} == {
        "store_id": south,
        "today": {"date": str(today), "sales_count": 1, "sales_amount": "10.00"},
        "month": {"from": str(today.replace(day=1)), "sales_count": 1,
                  "sales_amount": "10.00"},
        "open_debt_total": "10.00", "low_stock_count": 1, "stock_value": "36.00"}
    assert set(south_only["orders_by_status"].values()) == {0}

    lines = list(csv.reader(io.StringIO(get(client, h, "dashboard", "format=csv")
                                        .get_data(as_text=True))))
    assert lines[0] == ["metric", "value"]
    values = dict(lines[1:])
    assert values["today.date"] == str(today)
    assert values["month.sales_amount"] == "60.00"
    assert values["orders_by_status.pending"] == "1"
    assert values["open_debt_total"] == "35.00"
    assert values["stock_value"] == "1023.00"
    assert (values["top_products.1.sku"], values["top_products.2.amount"]) == ("W-1", "30.00")
    assert lines[1] == ["store_id", ""]
    assert len(lines) == 1 + 1 + 3 + 3 + 5 + 3 + 2 * 6


def test_dashboard_of_an_empty_business(client, manager):
    body = get(client, manager, "dashboard").json
    assert (body["today"]["sales_count"], body["today"]["sales_amount"]) == (0, "0.00")
    assert (body["month"]["sales_count"], body["month"]["sales_amount"]) == (0, "0.00")
    assert (body["open_debt_total"], body["low_stock_count"], body["stock_value"],
            body["top_products"]) == ("0.00", 0, "0.00", [])


# --------------------------------------------------------------------------- scope and roles


def test_scoped_manager_sees_only_own_store(client, make_user, login, history):
    south = staff(make_user, login, "manager", store_ids=[history["south"]])["headers"]
    stores = get(client, south, "sales", PERIOD + "&group_by=store").json
    assert [r["store_id"] for r in stores["rows"]] == [history["south"]]
    assert stores["totals"] == figures(1, "10.00", "0.00", "0.00", "10.00")
    top = get(client, south, "top-products", PERIOD).json["rows"]
    assert [(r["product_id"], r["amount"]) for r in top] == [(history["widget"], "10.00")]
    assert get(client, south, "dashboard").json["stock_value"] == "36.00"
    for path in ("sales", "top-products", "dashboard"):
        assert_error(client.get(f"{REPORTS}/{path}?store_id={history['north']}",
                                headers=south), 403)


@pytest.mark.parametrize("path", ["dashboard", "sales", "top-products"])
def test_roles(client, auth, path):
    assert_error(client.get(f"{REPORTS}/{path}"), 401)
    for role in ("employee", "customer"):
        assert_error(client.get(f"{REPORTS}/{path}", headers=auth(role)), 403)
    for role in ("manager", "admin"):
        assert client.get(f"{REPORTS}/{path}", headers=auth(role)).status_code == 200


@pytest.mark.parametrize("path, query", [
    ("sales", "group_by=hour"),
    ("sales", "group_by="),
    ("sales", "format=xlsx"),
    ("sales", "date_from=2026-03-10&date_to=2026-03-01"),
    ("sales", "date_from=1969-12-31"),
    ("sales", "date_to=9999-12-31"),
    ("sales", "date_from=2000-01-01&date_to=2026-01-01"),
    ("sales", "date_from=2026-02-30"),
    ("sales", "store_id=0"),
    ("top-products", "by=price"),
    ("top-products", "limit=0"),
    ("top-products", "limit=101"),
    ("top-products", "limit=2.5"),
    ("top-products", "limit=ten"),
    ("top-products", "format=pdf"),
    ("top-products", "date_to=0001-01-01"),
    ("dashboard", "format=pdf"),
    ("dashboard", "store_id=x"),
])
def test_bad_args_are_422(client, manager, path, query):
    assert_error(client.get(f"{REPORTS}/{path}?{query}", headers=manager), 422)


def test_unknown_args_are_ignored_as_on_every_list(client, manager, history):
    plain = get(client, manager, "sales", PERIOD).json
    assert get(client, manager, "sales", PERIOD + "&grup_by=week").json == plain


def test_unknown_store_is_empty_not_an_error(client, manager, history):
    body = get(client, manager, "sales", PERIOD + "&store_id=999999").json
    assert (body["rows"], body["totals"]["sales_count"]) == ([], 0)


# --------------------------------------------------------------------------- cost


def _catalog_with_sales(app, client, headers, store, count, start):
    """`count` more products, each stocked in north and sold once on 2026-03-05."""
    with app.app_context():
        db.session.execute(insert(Product), [
            {"sku": f"RC-{start + n:03}", "name": f"Report {start + n}",
             "price": Decimal("2.00"), "cost": Decimal("1.00"), "min_stock": Decimal("3"),
             "category_id": None} for n in range(count)])
        db.session.commit()
        ids = db.session.scalars(db.select(Product.id).where(Product.sku.like("RC-%"))
                                 .order_by(Product.id)).all()[start:]
        for product_id in ids:
            receive(product_id, store["north"], 4)
    for product_id in ids:
        sell(client, headers, store["north"], [(product_id, 1)], at(date(2026, 3, 5), 9))


REQUESTS = ["dashboard", "dashboard?format=csv", "top-products?" + PERIOD,
            *[f"sales?{PERIOD}&group_by={g}" for g in
              ("day", "week", "month", "product", "category", "store", "employee")],
            f"sales?{PERIOD}&format=pdf"]


def _statements(app, client, headers):
    counts = {}
    for request in REQUESTS:
        with count_statements(app) as statements:
            assert client.get(f"{REPORTS}/{request}", headers=headers).status_code == 200
        counts[request] = len(statements)
    return counts


def test_statement_count_does_not_grow_with_products_or_sales(app, client, manager, store):
    _catalog_with_sales(app, client, manager, store, 5, 0)
    few = _statements(app, client, manager)
    _catalog_with_sales(app, client, manager, store, 45, 5)
    many = _statements(app, client, manager)
    assert few == many
    assert max(few.values()) <= 10
    rows = get(client, manager, "sales", PERIOD + "&group_by=product").json["rows"]
    assert len(rows) == 50
