"""Catalog rows for stock tests, created directly (setup only; stock itself is
always changed through the movements service)."""

from decimal import Decimal

import pytest

from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stores.models import Store


@pytest.fixture
def shop(app):
    """Two stores and three products: plain, lot-tracked raw material, another plain."""
    with app.app_context():
        north = Store(name="North", code="N")
        south = Store(name="South", code="S")
        closed = Store(name="Closed", code="C", active=False)
        widget = Product(sku="W-1", name="Widget", price=Decimal("10.00"), cost=Decimal("4.00"),
                         min_stock=Decimal("5"), reorder_quantity=Decimal("20"))
        flour = Product(sku="FLOUR", name="Flour", kind="raw_material", unit="kg",
                        price=Decimal("2.00"), cost=Decimal("1.00"), track_lots=True,
                        min_stock=Decimal("10"))
        gadget = Product(sku="G-1", name="Gadget", price=Decimal("30.00"), cost=Decimal("12.00"))
        db.session.add_all([north, south, closed, widget, flour, gadget])
        db.session.commit()
        return {"north": north.id, "south": south.id, "closed": closed.id,
                "widget": widget.id, "flour": flour.id, "gadget": gadget.id}
