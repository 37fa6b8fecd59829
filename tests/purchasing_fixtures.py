"""Helpers for the purchase order tests: suppliers (created directly), draft/ordered
orders over HTTP, and counters of what a request wrote."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReturn
from inventory_api.stock.models import Movement
from inventory_api.suppliers.models import Supplier

API = "/api/v1"


def make_supplier(name="Acme Supply", active=True):
    with transaction():
        supplier = Supplier(name=name, active=active)
        db.session.add(supplier)
        db.session.flush()
        return supplier.id


@pytest.fixture(name="suppliers")
def supplier_shop(app, shop):
    """`shop` plus two active suppliers and an inactive one."""
    with app.app_context():
        return {**shop, "acme": make_supplier("Acme"), "beta": make_supplier("Beta"),
                "gone": make_supplier("Gone", active=False)}


# the name other test modules import the fixture by
suppliers = supplier_shop


def create_po(client, headers, s, lines=None, **body):
    body = {"supplier_id": s["acme"], "store_id": s["north"],
            "lines": lines or [{"product_id": s["widget"], "quantity": "10",
                                "unit_cost": "5.00"}], **body}
    return client.post(f"{API}/purchase-orders", json=body, headers=headers)


def ordered_po(client, headers, s, lines=None, **body):
    """A submitted (ordered) purchase order's body."""
    response = create_po(client, headers, s, lines, **body)
    assert response.status_code == 201, response.get_json()
    response = client.post(f"{API}/purchase-orders/{response.json['id']}/submit",
                           headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.json


def written():
    """How many orders, receipts, returns and purchase movements exist."""
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(*where))
    return {"orders": count(PurchaseOrder), "receipts": count(PurchaseReceipt),
            "returns": count(PurchaseReturn),
            "movements": count(Movement, Movement.reference_type == "purchase_order")}


D = Decimal
