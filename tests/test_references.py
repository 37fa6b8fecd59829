"""References and history are found from the foreign keys, not from lists in the catalog.

A table defined here, in the test, refers to products: the products package
knows nothing of it, yet a product it refers to cannot be deleted (409 naming
it), and when its column is marked as history the product is archived instead.
"""

import ast
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, event, insert, select

from inventory_api.categories.models import Category
from inventory_api.common.references import (
    HISTORY,
    count_references,
    references_to,
    singular,
)
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stores.models import Store
from tests.catalog_utils import create, ids
from tests.conftest import assert_error

ROOT = Path(__file__).resolve().parent.parent / "inventory_api"
BASE = "/api/v1/products"


@pytest.fixture
def manager(auth):
    return auth("manager")


@contextmanager
def extra_table(app, name, **column_options):
    """A table with a foreign key to products.id, on the shared metadata, for one test."""
    table = Table(
        name, db.metadata,
        Column("id", Integer, primary_key=True),
        Column("product_id", ForeignKey("products.id"), nullable=False, **column_options),
        Column("note", String(40)),
    )
    with app.app_context():
        table.create(db.engine)
    try:
        yield table
    finally:
        with app.app_context():
            db.session.remove()
            table.drop(db.engine)
        db.metadata.remove(table)


def refer(app, table, product_id, count=1):
    with app.app_context():
        db.session.execute(insert(table), [{"product_id": product_id, "note": "x"}] * count)
        db.session.commit()


def test_a_new_table_referring_to_a_product_makes_its_delete_409(app, client, manager):
    product = create(client, manager, "products", {"sku": "REF-1", "name": "Kept", "price": 1})
    with extra_table(app, "test_delivery_notes") as table:
        refer(app, table, product["id"], count=2)
        error = assert_error(client.delete(f"{BASE}/{product['id']}", headers=manager), 409)
        assert error["message"] == (
            "The product is still referenced by 2 test delivery notes."
        )
        assert error["errors"]["references"] == [{
            "table": "test_delivery_notes", "column": "product_id", "count": 2,
            "history": False, "label": "2 test delivery notes",
        }]
        kept = client.get(f"{BASE}/{product['id']}", headers=manager)
        assert kept.status_code == 200 and kept.json["active"] is True
    # once the table is gone the product has nothing left and is removed
    assert client.delete(f"{BASE}/{product['id']}", headers=manager).status_code == 204
    assert_error(client.get(f"{BASE}/{product['id']}", headers=manager), 404)


def test_a_new_history_table_makes_the_delete_archive(app, client, manager):
    product = create(client, manager, "products", {"sku": "REF-2", "name": "Old", "price": 1})
    unused = create(client, manager, "products", {"sku": "REF-3", "name": "New", "price": 1})
    with extra_table(app, "test_price_history", info=HISTORY) as table:
        refer(app, table, product["id"])
        response = client.delete(f"{BASE}/{product['id']}", headers=manager)
        assert response.status_code == 204 and response.data == b""
        archived = client.get(f"{BASE}/{product['id']}", headers=manager)
        assert archived.status_code == 200 and archived.json["active"] is False
        assert ids(client.get(f"{BASE}?active=false", headers=manager)) == [product["id"]]
        # a product the history table does not refer to is still removed
        assert client.delete(f"{BASE}/{unused['id']}", headers=manager).status_code == 204
        assert_error(client.get(f"{BASE}/{unused['id']}", headers=manager), 404)
        with app.app_context():
            assert db.session.scalar(select(table.c.product_id)) == product["id"]


def test_history_does_not_override_a_blocking_reference(app, client, manager):
    product = create(client, manager, "products", {"sku": "REF-4", "name": "Both", "price": 1})
    with extra_table(app, "test_history_rows", info=HISTORY) as history, \
            extra_table(app, "test_open_claims") as claims:
        refer(app, history, product["id"])
        refer(app, claims, product["id"])
        error = assert_error(client.delete(f"{BASE}/{product['id']}", headers=manager), 409)
        assert error["message"] == "The product is still referenced by 1 test open claim."
    assert client.get(f"{BASE}/{product['id']}", headers=manager).json["active"] is True


def test_stock_tables_refer_to_products_as_history(app):
    with app.app_context():
        refs = {(r.column.table.name, r.column.name): r.history
                for r in references_to(Product.__table__)}
    for table in ("movements", "stock_levels", "lots", "stock_minimums", "transfer_lines",
                  "stock_count_lines", "low_stock_events"):
        assert refs[(table, "product_id")] is True, table


def test_labels_read_well(app):
    with app.app_context():
        stores = {(r.column.table.name, r.column.name): r.label
                  for r in references_to(Store.__table__)}
        categories = {(r.column.table.name, r.column.name): r.label
                      for r in references_to(Category.__table__)}
    assert stores[("user_stores", "store_id")] == "users"  # an association table
    assert stores[("transfers", "from_store_id")] == "transfers (from store)"
    assert stores[("stock_levels", "store_id")] == "stock levels"
    assert categories[("categories", "parent_id")] == "subcategories"
    assert categories[("products", "category_id")] == "products"
    assert [singular(w) for w in ("subcategories", "stock levels", "boxes", "address")] == [
        "subcategory", "stock level", "box", "address"]


def test_counting_costs_one_statement_whatever_the_number_of_referrers(app, client, manager):
    store = create(client, manager, "stores", {"name": "Counted", "code": "CNT"})
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        row = db.session.get(Store, store["id"])
        assert len(references_to(Store.__table__)) >= 7
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert count_references(row) == []
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1, statements


def _imports(package):
    """Every module a package's files import, as written (`..stock.models`)."""
    found = set()
    for path in (ROOT / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                found.add(("." * node.level) + (node.module or ""))
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("package, refers_to", [
    ("categories", set()),
    ("suppliers", set()),
    ("clients", set()),
    ("stores", set()),
    ("products", {"categories", "suppliers"}),
])
def test_catalog_imports_no_domain_that_refers_to_it(package, refers_to):
    """The catalog imports only what it refers to (and the shared layers)."""
    domains = {"products", "categories", "suppliers", "clients", "stores", "stock", "users"}
    imported = {name.lstrip(".").split(".")[0] for name in _imports(package)
                if name.startswith("..") or name.startswith("inventory_api")}
    assert imported & domains <= refers_to, imported & domains
