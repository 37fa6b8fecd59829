"""Reads cost the same whatever the size of the catalog and the ledger (issue: performance).

The same requests are counted at 5 products and at 500 (with their stock and
ledger): the number of statements must not change, and no statement may
aggregate stock levels or movements (`GROUP BY`), which is how a read's cost
would grow with the whole catalog or ledger.
"""

from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from inventory_api.categories.models import Category
from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock import service
from inventory_api.stock.models import Movement
from inventory_api.stock.service import Change
from inventory_api.stores.models import Store
from tests.test_query_counts import count_statements


@pytest.fixture
def catalog(app):
    """grow(n): bring the catalog to n products, each received in two stores and
    issued once (three movements per product), through the movements service."""
    with app.app_context():
        db.session.execute(insert(Store), [{"name": "North", "code": "N"},
                                           {"name": "South", "code": "S"}])
        parent = Category(name="Tools")
        db.session.add(parent)
        db.session.flush()
        db.session.add(Category(name="Hand tools", parent_id=parent.id))
        db.session.commit()
        ids = {"parent": parent.id, "stores": list(db.session.scalars(select(Store.id)))}

    def grow(n):
        with app.app_context():
            child = db.session.scalar(select(Category.id).where(Category.parent_id.is_not(None)))
            have = db.session.scalar(select(db.func.count()).select_from(Product))
            db.session.execute(insert(Product), [
                {"sku": f"RC-{i:04}", "name": f"Product {i}", "category_id": child,
                 "price": Decimal(1 + i % 40), "cost": Decimal("0.50"),
                 "min_stock": Decimal(10 * (i % 2))} for i in range(have, n)])
            new = list(db.session.scalars(select(Product.id).where(
                Product.id > (db.session.scalar(select(db.func.max(Movement.product_id))) or 0))))
            north, south = ids["stores"]
            with transaction():
                service.post_movements(
                    [Change(type="receipt", product_id=p, store_id=s, quantity=Decimal(3 + p % 5))
                     for p in new for s in (north, south)], reason="test stock")
                service.post_movements(
                    [Change(type="issue", product_id=p, store_id=north, quantity=Decimal("-1"))
                     for p in new], reason="test use")
            ids["product"] = new[0] if "product" not in ids else ids["product"]
            ids["deep"] = db.session.scalar(select(db.func.min(Movement.id))) + 2
        return ids

    return grow


PATHS = (
    "/api/v1/products?category_id={parent}&min_price=2&max_price=30&page_size=20",
    "/api/v1/products?sort=-stock_total&page_size=20",
    "/api/v1/products?stock_status=low&page_size=20",
    "/api/v1/products/{product}",
    "/api/v1/products/{product}/stock",
    "/api/v1/stores/{north}/inventory?page_size=20",
    "/api/v1/movements?page_size=20",
    "/api/v1/movements?before_id={deep}&page_size=20",
)


def test_reads_run_the_same_statements_for_5_and_500_products(app, client, auth, catalog):
    headers = auth("manager")
    counts = {}
    for size in (5, 500):
        ids = catalog(size)
        for path in PATHS:
            url = path.format(north=ids["stores"][0], **ids)
            client.get(url, headers=headers)  # warm: a first request loads the category tree
            with count_statements(app) as statements:
                response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.get_data(as_text=True))
            assert response.json, url  # every read finds something at both sizes
            counts[(path, size)] = len(statements)
            grouped = [s for s in statements if "GROUP BY" in s.upper()]
            assert not grouped, (url, grouped)
    for path in PATHS:
        assert counts[(path, 5)] == counts[(path, 500)], (path, counts)


def test_both_ways_of_reading_a_store_inventory_give_the_same_pages(app, client, auth, catalog,
                                                                  monkeypatch):
    """A store holding few products is read from its stock rows, a larger one by walking
    the products in name order (stock.queries.FEW_HELD): the pages must not differ."""
    from inventory_api.stock import queries

    ids = catalog(60)
    headers = auth("manager")
    pages = {}
    for few_held in (10_000, 0):  # every store "holds few", then every store "holds many"
        monkeypatch.setattr(queries, "FEW_HELD", few_held)
        for store in ids["stores"]:
            for page in (1, 2, 3):
                response = client.get(f"/api/v1/stores/{store}/inventory?page_size=25"
                                      f"&page={page}", headers=headers)
                assert response.status_code == 200
                pages.setdefault((store, page), []).append(
                    (response.json, response.headers["X-Pagination"]))
    for key, (first, second) in pages.items():
        assert first == second, key
    assert any(rows for (rows, _), _ in pages.values())
