"""Stock lists run a constant number of statements per page, whatever its size."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock import documents, service
from inventory_api.stock.models import Movement, StockLevel
from inventory_api.stock.service import Change
from inventory_api.stores.models import Store
from tests.test_query_counts import count_statements

ROWS = 55


@pytest.fixture
def stocked(app):
    """55 products (every third lot-tracked) with stock, transfers, counts and events."""
    with app.app_context():
        db.session.add_all([Store(name="One", code="ONE"), Store(name="Two", code="TWO")])
        db.session.execute(insert(Product), [
            {"sku": f"SQ-{i:03}", "name": f"Stocked {i:03}", "price": Decimal("2.00"),
             "min_stock": Decimal("3"), "track_lots": i % 3 == 0} for i in range(ROWS)])
        db.session.commit()
        one, two = db.session.scalars(select(Store.id).order_by(Store.id)).all()
        products = db.session.scalars(select(Product).order_by(Product.id)).all()
        changes = []
        for i, product in enumerate(products):
            for n in (1, 2) if product.track_lots else (None,):
                changes.append(Change(
                    type="receipt", product_id=product.id, store_id=one, quantity=Decimal(5),
                    lot=f"L{n}" if n else None,
                    expiry_date=date(2027, 1, 1) + timedelta(days=i + (n or 0)) if n else None))
        service.post_movements(changes)
        db.session.commit()
        for product in products:
            documents.create_transfer({"from_store_id": one, "to_store_id": two, "lines": [
                {"product_id": product.id, "quantity": Decimal(1)}]})
            documents.post_manual_movement({"type": "issue", "product_id": product.id,
                                            "store_id": one, "quantity": Decimal(2)})
        for product in products:
            lot = "L1" if product.track_lots else None
            documents.create_stock_count({"store_id": two, "lines": [
                {"product_id": product.id, "counted_quantity": Decimal(0), "lot": lot}]})
        ids = {"one": one, "two": two, "product": products[1].id}
        db.session.remove()
        return ids


PATHS = [
    "/api/v1/movements",
    "/api/v1/movements?type=transfer_in",
    "/api/v1/products/{product}/movements",
    "/api/v1/transfers",
    "/api/v1/stock-counts",
    "/api/v1/stores/{one}/inventory",
    "/api/v1/lots",
    "/api/v1/alerts/low-stock",
    "/api/v1/alerts/events",
]


def test_stock_lists_same_statements_for_5_and_50(app, client, auth, stocked):
    """One data set, every stock list (the setup is the slow part)."""
    headers = auth("manager")
    for path in PATHS:
        _check(app, client, headers, path.format(**stocked))


def _check(app, client, headers, path):
    counts = {}
    for size in (5, 50):
        sep = "&" if "?" in path else "?"
        with count_statements(app) as statements:
            response = client.get(f"{path}{sep}page_size={size}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        total = json.loads(response.headers["X-Pagination"])["total"]
        assert total > 0 and len(response.json) == min(size, total), (path, total)
        counts[size] = len(statements)
    assert counts[5] == counts[50], (path, counts)
    assert counts[50] <= 10, (path, counts)


def test_a_transfer_runs_the_same_statements_for_1_and_3_lines(app, client, auth, stocked):
    """Both sides post in one unit: the alerts of both stores are read once, not per side."""
    headers = auth("manager")
    with app.app_context():
        ids = db.session.scalars(select(Product.id).where(Product.track_lots.is_(False))
                                 .order_by(Product.id).limit(4)).all()
    counts = {}
    for lines in ([ids[0]], ids[1:4]):
        body = {"from_store_id": stocked["one"], "to_store_id": stocked["two"],
                "lines": [{"product_id": pid, "quantity": "1"} for pid in lines]}
        with count_statements(app) as statements:
            response = client.post("/api/v1/transfers", json=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        assert len(response.json["movements"]) == 2 * len(lines)
        counts[len(lines)] = statements
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite gets no multi-row INSERT ... RETURNING from the ORM: one per row there
        assert len(counts[1]) == len(counts[3]), "\n".join(s[:90] for s in counts[3])
    for name in ("stock_minimums", "low_stock_events"):
        reads = [s for s in counts[3] if s.lstrip().startswith("SELECT") and f"FROM {name}" in s]
        assert len(reads) == 1, (name, reads)
    # both sides' rows written together: one UPDATE per table, one batch of movements
    for table in ("stock_levels", "ledger_counts"):
        updates = [s for s in counts[3] if s.lstrip().startswith(f"UPDATE {table} ")]
        assert len(updates) == 1, (table, updates)
        assert not [s for s in counts[3].batches if table in s]  # not one per row
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        inserts = [s for s in counts[3] if s.lstrip().startswith("INSERT INTO movements ")]
        assert len(inserts) == 1, inserts


def test_a_sale_writes_its_stock_levels_in_one_update(app, client, auth, stocked):
    headers = auth("manager")
    with app.app_context():
        ids = db.session.scalars(select(Product.id).where(Product.track_lots.is_(False))
                                 .order_by(Product.id).limit(3)).all()
    body = {"store_id": stocked["one"], "payment_method": "cash",
            "lines": [{"product_id": pid, "quantity": "1"} for pid in ids]}
    with count_statements(app) as statements:
        response = client.post("/api/v1/sales", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    updates = [s for s in statements if s.lstrip().startswith("UPDATE stock_levels ")]
    assert len(updates) == 1, updates
    assert not [s for s in statements.batches if s.lstrip().startswith("UPDATE")]
    with app.app_context():
        levels = db.session.execute(select(StockLevel.product_id, StockLevel.on_hand,
                                           StockLevel.movement_count)
                                    .where(StockLevel.store_id == stocked["one"],
                                           StockLevel.product_id.in_(ids))).all()
        movements = {pid: db.session.scalar(
            select(Movement).where(Movement.product_id == pid, Movement.store_id ==
                                   stocked["one"]).order_by(Movement.id.desc()).limit(1))
            for pid in ids}
        for product_id, on_hand, movement_count in levels:  # each row its own values
            assert movements[product_id].balance_after == on_hand
            assert movements[product_id].level_seq == movement_count
        db.session.remove()


def test_a_posting_larger_than_one_prebuilt_statement_writes_every_row(app, stocked):
    """More rows than PREBUILT_ROWS: the levels and totals go in runs of that many."""
    from inventory_api.stock.models import ProductStock
    from inventory_api.stock.queries import ledger_drift

    size = service.PREBUILT_ROWS + 20
    with app.app_context():
        db.session.execute(insert(Product), [
            {"sku": f"BIG-{i:03}", "name": f"Big {i:03}", "price": Decimal("1.00")}
            for i in range(size)])
        db.session.commit()
        ids = db.session.scalars(select(Product.id).where(Product.sku.like("BIG-%"))
                                 .order_by(Product.id)).all()
        with count_statements(app) as statements:
            service.post_movements([
                Change(type="receipt", product_id=pid, store_id=stocked["one"],
                       quantity=Decimal(n + 1)) for n, pid in enumerate(ids)])
            db.session.commit()
        updates = [s for s in statements if s.lstrip().startswith("UPDATE stock_levels ")]
        assert len(updates) == 2, len(updates)  # 100 rows, then 20
        totals = dict(db.session.execute(select(ProductStock.product_id, ProductStock.on_hand)
                                         .where(ProductStock.product_id.in_(ids))).all())
        assert totals == {pid: Decimal(n + 1) for n, pid in enumerate(ids)}
        levels = dict(db.session.execute(select(StockLevel.product_id, StockLevel.on_hand)
                                         .where(StockLevel.product_id.in_(ids))).all())
        assert levels == totals
        assert ledger_drift() == []
        db.session.remove()
