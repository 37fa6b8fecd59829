"""Helpers shared by the catalog tests (categories, products, suppliers, clients, stores)."""

import json

ROLES = ("customer", "employee", "manager", "admin")


def pagination(response):
    return json.loads(response.headers["X-Pagination"])


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.json]


def create(client, headers, path, body):
    response = client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def expected(role, allowed):
    """The status a role gets: `ok` when it is in `allowed`, else 403."""
    return role in allowed


def put_stock(app, product_id, store_id, on_hand, reserved="0", with_movement=False):
    """Test setup only: write a stock level directly, or receive it with a ledger line.

    Production code changes stock only through the movements service; these
    catalog tests just need something for the read side to read. The direct
    write keeps the product's stored totals (`product_stock`) as the service
    would; `with_movement=True` goes through the service itself (a receipt).
    """
    from decimal import Decimal

    from inventory_api.common.uow import transaction
    from inventory_api.extensions import db
    from inventory_api.stock import service
    from inventory_api.stock.models import ProductStock, StockLevel

    with app.app_context():
        if with_movement:
            assert Decimal(reserved) == 0, "a receipt reserves nothing"
            with transaction():
                service.post_movements([service.Change(
                    type="receipt", product_id=product_id, store_id=store_id,
                    quantity=Decimal(on_hand))], reason="test stock")
            return
        level = StockLevel(product_id=product_id, store_id=store_id, lot_key=0,
                           on_hand=Decimal(on_hand), reserved=Decimal(reserved))
        db.session.add(level)
        totals = db.session.get(ProductStock, product_id)
        if totals is None:
            totals = ProductStock(product_id=product_id, on_hand=Decimal(0), available=Decimal(0))
            db.session.add(totals)
        totals.on_hand += Decimal(on_hand)
        totals.available += Decimal(on_hand) - Decimal(reserved)
        db.session.commit()
