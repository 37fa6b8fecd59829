"""Reorder suggestions and drafts made from them: quantities already on open purchase
orders are subtracted (drafts are not), the store's minimum override applies, products
without a preferred supplier are listed apart, from-suggestions creates drafts, roles."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.purchasing import service
from inventory_api.purchasing.models import PurchaseOrder
from inventory_api.stock.models import StockMinimum
from tests.conftest import assert_error
from tests.purchasing_fixtures import API, suppliers  # noqa: F401
from tests.sales_fixtures import receive

D = Decimal


@pytest.fixture
def low(app, suppliers):  # noqa: F811
    """North: widget 3 (min 5, reorder 20, Acme, 10 on an ordered PO + 100 on a draft),
    gadget 5 (store minimum 8, Beta), flour 2 (min 10, no supplier); South: widget 30
    (not low), flour 10 (at its minimum, suggestion 0: dropped)."""
    s = suppliers
    with app.app_context():
        receive(s["widget"], s["north"], 3)
        receive(s["gadget"], s["north"], 5)
        receive(s["flour"], s["north"], 2, lot="L1", expiry=date(2031, 1, 1))
        receive(s["widget"], s["south"], 30)
        receive(s["flour"], s["south"], 10, lot="L2", expiry=date(2031, 1, 1))
        with transaction():
            db.session.execute(update(Product).where(Product.id == s["widget"])
                               .values(preferred_supplier_id=s["acme"]))
            db.session.execute(update(Product).where(Product.id == s["gadget"])
                               .values(preferred_supplier_id=s["beta"]))
            db.session.add(StockMinimum(product_id=s["gadget"], store_id=s["north"],
                                        min_stock=D("8")))
        ordered = service.create_purchase_order({
            "supplier_id": s["acme"], "store_id": s["north"],
            "lines": [{"product_id": s["widget"], "quantity": D("10"),
                       "unit_cost": D("4.00")}]})
        service.submit_purchase_order(ordered.id)
        service.create_purchase_order({
            "supplier_id": s["acme"], "store_id": s["north"],
            "lines": [{"product_id": s["widget"], "quantity": D("100"),
                       "unit_cost": D("4.00")}]})
        return s


@pytest.fixture
def manager(auth):
    return auth("manager")


def line(s, product, available, minimum, on_order, suggested, cost, supplier):
    sku = {"widget": "W-1", "gadget": "G-1", "flour": "FLOUR"}[product]
    name = {"widget": "Widget", "gadget": "Gadget", "flour": "Flour"}[product]
    reorder = {"widget": "20.000", "gadget": "0.000", "flour": "0.000"}[product]
    return {"product_id": s[product], "store_id": s["north"], "sku": sku, "name": name,
            "available": available, "min_stock": minimum, "reorder_quantity": reorder,
            "on_order": on_order, "suggested_quantity": suggested, "unit_cost": cost,
            "preferred_supplier_id": s[supplier] if supplier else None}


def expected(s):
    return [
        {"supplier_id": s["acme"], "supplier_name": "Acme", "lines": [
            line(s, "widget", "3.000", "5.000", "10.000", "12.000", "4.00", "acme")]},
        {"supplier_id": s["beta"], "supplier_name": "Beta", "lines": [
            line(s, "gadget", "5.000", "8.000", "0.000", "3.000", "12.00", "beta")]},
        {"supplier_id": None, "supplier_name": None, "lines": [
            line(s, "flour", "2.000", "10.000", "0.000", "8.000", "1.00", None)]},
    ]


def test_suggestions_subtract_open_orders_and_group(client, manager, low):
    response = client.get(f"{API}/purchase-orders/suggestions", headers=manager)
    assert response.status_code == 200, response.json
    assert response.json == expected(low)


def test_partly_received_order_counts_its_outstanding_part(client, manager, low, app):
    with app.app_context():
        po_id = db.session.scalar(select(PurchaseOrder.id).where(
            PurchaseOrder.status == "ordered"))
        po = db.session.get(PurchaseOrder, po_id)
        service.receive(po_id, {"lines": [{"line_id": po.lines[0].id, "quantity": D("4")}]})
    # widget north: available 7 > 5 → no longer low at all
    groups = client.get(f"{API}/purchase-orders/suggestions", headers=manager).json
    assert [g["supplier_id"] for g in groups] == [low["beta"], None]
    with app.app_context():
        with transaction():
            db.session.execute(update(Product).where(Product.id == low["widget"])
                               .values(min_stock=D("7")))
    groups = client.get(f"{API}/purchase-orders/suggestions", headers=manager).json
    # 7 + 20 − 7 available − 6 outstanding = 14
    assert groups[0]["lines"][0]["on_order"] == "6.000"
    assert groups[0]["lines"][0]["suggested_quantity"] == "14.000"


def test_filters(client, manager, low):
    url = f"{API}/purchase-orders/suggestions"
    assert client.get(f"{url}?store_id={low['south']}", headers=manager).json == []
    assert client.get(f"{url}?supplier_id={low['beta']}", headers=manager).json == \
        [expected(low)[1]]
    assert client.get(f"{url}?store_id={low['north']}", headers=manager).json == expected(low)
    assert_error(client.get(f"{url}?store_id=abc", headers=manager), 422)


def test_store_scoped_manager_sees_own_stores(client, auth, low):
    scoped = auth("manager", store_ids=[low["south"]])
    assert client.get(f"{API}/purchase-orders/suggestions", headers=scoped).json == []


def _count_drafts():
    return db.session.scalar(select(func.count()).select_from(PurchaseOrder).where(
        PurchaseOrder.status == "draft"))


def test_from_suggestions_creates_drafts(client, manager, low, app):
    with app.app_context():
        before = _count_drafts()
    response = client.post(f"{API}/purchase-orders/from-suggestions", json={},
                           headers=manager)
    assert response.status_code == 201, response.json
    body = response.json
    assert [(po["supplier_id"], po["store_id"], po["status"]) for po in body] == [
        (low["acme"], low["north"], "draft"), (low["beta"], low["north"], "draft")]
    assert [[(ln["product_id"], ln["quantity"], ln["unit_cost"]) for ln in po["lines"]]
            for po in body] == [[(low["widget"], "12.000", "4.00")],
                                [(low["gadget"], "3.000", "12.00")]]
    assert body[0]["total"] == "48.00" and body[0]["expected_date"] is None
    with app.app_context():
        assert _count_drafts() == before + 2


def test_from_suggestions_narrowed_and_lead_time(client, manager, low, app):
    from inventory_api.suppliers.models import Supplier
    with app.app_context():
        with transaction():
            db.session.get(Supplier, low["beta"]).lead_time_days = 3
    response = client.post(f"{API}/purchase-orders/from-suggestions",
                           json={"supplier_id": low["beta"], "store_id": low["north"]},
                           headers=manager)
    assert response.status_code == 201, response.json
    assert [po["supplier_id"] for po in response.json] == [low["beta"]]
    assert response.json[0]["expected_date"] is not None
    empty = client.post(f"{API}/purchase-orders/from-suggestions",
                        json={"store_id": low["south"]}, headers=manager)
    assert empty.status_code == 201 and empty.json == []
    bad = assert_error(client.post(f"{API}/purchase-orders/from-suggestions",
                                   json={"store_id": "x"}, headers=manager), 422)
    assert "store_id" in bad["errors"]["json"]


def test_products_without_supplier_only_listed(client, manager, low, app):
    with app.app_context():
        with transaction():
            db.session.execute(update(Product).values(preferred_supplier_id=None))
    groups = client.get(f"{API}/purchase-orders/suggestions", headers=manager).json
    assert [g["supplier_id"] for g in groups] == [None]
    assert {ln["product_id"] for ln in groups[0]["lines"]} == {
        low["widget"], low["gadget"], low["flour"]}
    response = client.post(f"{API}/purchase-orders/from-suggestions", json={},
                           headers=manager)
    assert response.status_code == 201 and response.json == []


@pytest.mark.parametrize("role, get, post", [
    ("customer", 403, 403), ("employee", 403, 403), ("manager", 200, 201),
    ("admin", 200, 201)])
def test_role_matrix(client, auth, low, app, role, get, post):
    headers = auth(role)
    with app.app_context():
        before = _count_drafts()
    response = client.get(f"{API}/purchase-orders/suggestions", headers=headers)
    assert response.status_code == get, response.json
    response = client.post(f"{API}/purchase-orders/from-suggestions", json={},
                           headers=headers)
    assert response.status_code == post, response.json
    with app.app_context():
        assert _count_drafts() == before + (2 if post == 201 else 0)
    if get == 403:
        assert_error(client.get(f"{API}/purchase-orders/suggestions", headers=headers), 403)
