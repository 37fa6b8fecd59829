"""List endpoints run a constant number of statements per page, whatever its size (no N+1)."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, insert

from inventory_api.categories.models import Category
from inventory_api.clients.models import Client
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock.models import StockLevel
from inventory_api.stores.models import Store
from inventory_api.suppliers.models import Supplier

ROWS = 60


@pytest.fixture
def data(app):
    """60 of everything, and stock levels for every product in two stores (read side only)."""
    with app.app_context():
        db.session.execute(insert(Store), [
            {"name": f"Store {i}", "code": f"S{i:03}"} for i in range(ROWS)])
        db.session.execute(insert(Category), [{"name": f"Category {i}"} for i in range(ROWS)])
        db.session.execute(insert(Supplier), [{"name": f"Supplier {i}"} for i in range(ROWS)])
        db.session.execute(insert(Client), [{"name": f"Client {i}"} for i in range(ROWS)])
        db.session.flush()
        store_ids = [s.id for s in db.session.scalars(db.select(Store).limit(2))]
        category_id = db.session.scalar(db.select(Category.id).limit(1))
        supplier_id = db.session.scalar(db.select(Supplier.id).limit(1))
        db.session.execute(insert(Product), [
            {"sku": f"QC-{i:03}", "name": f"Product {i}", "price": Decimal("1.00"),
             "category_id": category_id, "preferred_supplier_id": supplier_id,
             "min_stock": Decimal("5")} for i in range(ROWS)])
        product_ids = list(db.session.scalars(db.select(Product.id)))
        db.session.execute(insert(StockLevel), [
            {"product_id": pid, "store_id": sid, "lot_key": 0, "on_hand": Decimal(n % 9),
             "reserved": Decimal(0)}
            for n, pid in enumerate(product_ids) for sid in store_ids])
        db.session.commit()


class _Statements(list):
    """The statements run, and `batches`: those run as an executemany."""

    def __init__(self):
        super().__init__()
        self.batches = []


@contextmanager
def count_statements(app):
    statements = _Statements()
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)
        if executemany:  # a batch of one statement per row (PyMySQL sends an UPDATE per row)
            statements.batches.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("path, role", [
    ("/api/v1/products", "manager"),
    ("/api/v1/products?sort=-stock_total&stock_status=in_stock", "manager"),
    ("/api/v1/products", "customer"),
    ("/api/v1/categories", "manager"),
    ("/api/v1/suppliers", "manager"),
    ("/api/v1/clients", "manager"),
    ("/api/v1/stores", "manager"),
])
def test_same_number_of_statements_for_5_and_50_rows(app, client, auth, data, path, role):
    headers = auth(role)
    counts = {}
    for size in (5, 50):
        sep = "&" if "?" in path else "?"
        with count_statements(app) as statements:
            response = client.get(f"{path}{sep}page_size={size}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert len(response.json) == size or "stock_status" in path
        counts[size] = len(statements)
    assert counts[5] == counts[50], counts
    assert counts[50] <= 8, counts
