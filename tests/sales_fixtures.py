"""Helpers for the sales tests: stocked stores and clients (stock through the movements
service, clients created directly), and counters of what a request wrote."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.clients.models import Client
from inventory_api.common.uow import transaction
from inventory_api.debts.models import Debt
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.sales.models import Sale, SaleReturn
from inventory_api.stock.models import Movement, StockLevel
from inventory_api.stock.service import Change, post_movements

API = "/api/v1"


def receive(product_id, store_id, quantity, lot=None, expiry=None):
    """Receive stock through the movements service (inside an app context)."""
    with transaction():
        post_movements([Change(type="receipt", product_id=product_id, store_id=store_id,
                               quantity=Decimal(quantity), lot=lot, expiry_date=expiry)])


def make_client(name="Acme", credit_limit="0.00", terms=30):
    with transaction():
        client = Client(name=name, credit_limit=Decimal(credit_limit), payment_terms_days=terms)
        db.session.add(client)
        db.session.flush()
        return client.id


@pytest.fixture(name="store")
def stocked_store(app, shop):
    """`shop` with stock in North: 100 widgets, 50 gadgets, flour lots L1 (5, earlier
    expiry) and L2 (10); an inactive product; two clients (credit 100.00 and none)."""
    with app.app_context():
        receive(shop["widget"], shop["north"], 100)
        receive(shop["gadget"], shop["north"], 50)
        receive(shop["widget"], shop["south"], 10)
        receive(shop["flour"], shop["north"], 5, lot="L1", expiry=date(2030, 1, 1))
        receive(shop["flour"], shop["north"], 10, lot="L2", expiry=date(2030, 6, 1))
        with transaction():
            old = Product(sku="OLD-1", name="Old thing", price=Decimal("1.00"), active=False)
            db.session.add(old)
            db.session.flush()
            old_id = old.id
        receive(old_id, shop["north"], 5)
        return {**shop, "old": old_id, "acme": make_client("Acme", "100.00"),
                "walkin": make_client("Walk-in", "0.00")}


def on_hand(product_id, store_id, lot_id=None):
    stmt = select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
        StockLevel.product_id == product_id, StockLevel.store_id == store_id)
    if lot_id is not None:
        stmt = stmt.where(StockLevel.lot_id == lot_id)
    return Decimal(str(db.session.scalar(stmt))).quantize(Decimal("0.001"))


def written():
    """How many sales, returns, sale movements and debts exist (to prove nothing was written)."""
    count = lambda model, *where: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(*where))
    return {"sales": count(Sale), "returns": count(SaleReturn),
            "movements": count(Movement, Movement.reference_type == "sale"),
            "debts": count(Debt)}


def debt_of(sale_id):
    db.session.expire_all()
    return db.session.scalar(select(Debt).where(Debt.source_type == "sale",
                                                Debt.source_id == sale_id))
