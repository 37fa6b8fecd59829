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
    """Test setup only: write a stock level (and optionally a ledger line) directly.

    Production code changes stock only through the movements service; these
    catalog tests just need something for the read side to aggregate.
    """
    from decimal import Decimal

    from inventory_api.extensions import db
    from inventory_api.stock.models import Movement, StockLevel

    with app.app_context():
        level = StockLevel(product_id=product_id, store_id=store_id, lot_key=0,
                           on_hand=Decimal(on_hand), reserved=Decimal(reserved))
        db.session.add(level)
        db.session.flush()
        if with_movement:
            db.session.add(Movement(type="receipt", product_id=product_id, store_id=store_id,
                                    stock_level_id=level.id, quantity=Decimal(on_hand),
                                    balance_after=Decimal(on_hand)))
        db.session.commit()
