from sqlalchemy import func, select

from inventory_api.categories.models import Category
from inventory_api.extensions import db
from inventory_api.products.models import KINDS, UNITS, Product
from inventory_api.stock.models import Lot, Movement, StockLevel
from inventory_api.stock.queries import ledger_drift


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_small(app, runner):
    result = runner.invoke(args=["seed-demo", "--size", "small"])
    assert result.exit_code == 0, result.output
    assert "Seeded small demo data" in result.output
    with app.app_context():
        assert count(Product) >= 50
        assert count(Product, Product.kind == "raw_material", Product.unit.in_(["kg", "l"])) >= 10
        assert count(Product, Product.track_lots.is_(True)) >= 3
        assert {p.kind for p in db.session.scalars(select(Product))} == set(KINDS)
        assert {p.unit for p in db.session.scalars(select(Product))} <= set(UNITS)
        assert count(Category, Category.parent_id.is_(None)) >= 2
        assert count(Category, Category.parent_id.is_not(None)) >= 4
        skus = list(db.session.scalars(select(Product.sku)))
        assert all(sku == sku.upper() for sku in skus)
        # opening stock, transfers, counts and issues, all through the movements service
        assert count(Movement, Movement.type == "receipt") >= 50
        assert count(Movement, Movement.type == "transfer_out") >= 2
        assert count(Movement, Movement.reference_type == "count") >= 1
        assert count(Movement, Movement.type == "issue") >= 1
        assert count(Lot, Lot.expiry_date.is_not(None)) >= 6
        assert count(StockLevel) > 0
        assert ledger_drift() == []
        db.session.remove()
    check = runner.invoke(args=["check-ledger"])
    assert check.exit_code == 0 and "Ledger OK" in check.output


def test_seed_demo_is_deterministic(app, runner):
    from tests.conftest import _wipe

    runner.invoke(args=["seed-demo"])
    with app.app_context():
        first = [(p.sku, p.name, str(p.cost), p.barcode) for p in
                 db.session.scalars(select(Product).order_by(Product.sku))]
        db.session.remove()
    _wipe(app)
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        second = [(p.sku, p.name, str(p.cost), p.barcode) for p in
                  db.session.scalars(select(Product).order_by(Product.sku))]
        db.session.remove()
    assert first == second


def test_seed_demo_visible_through_api(runner, client, auth):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    headers = auth("manager")
    for path in ("products", "categories", "suppliers", "clients", "stores"):
        response = client.get(f"/api/v1/{path}", headers=headers)
        assert response.status_code == 200 and response.json, path


def test_seed_demo_refuses_when_products_exist(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "already has products" in again.output


def test_seed_demo_rejects_unknown_size(runner):
    assert runner.invoke(args=["seed-demo", "--size", "huge"]).exit_code != 0


def test_seed_demo_large(app):
    """`large` at full size (10,000 products, 200,000 movements, 4,000 sales) takes
    minutes: tested with a smaller catalog, ledger and year."""
    from inventory_api.seed import seed_demo

    with app.app_context():
        counts = seed_demo("large", large_products=3_000, large_movements=8_000,
                           large_sales=200)
        assert count(Product) == 3_000 and counts["products"] == 3_000
        assert count(Movement) >= 8_000 and counts["movements"] == count(Movement)
        assert counts["sales"] >= 150 and counts["orders"] >= 20
        assert count(Movement, Movement.reason == "benchmark history") >= 1_000
        times = list(db.session.scalars(select(Movement.created_at).order_by(Movement.id)))
        assert times == sorted(times)
        history = set(db.session.scalars(select(Movement.created_at).where(
            Movement.reason == "benchmark history")))
        assert len(history) >= 52  # a batch a week
        assert ledger_drift() == []
        db.session.remove()


def test_the_demo_has_a_user_of_each_role_that_signs_in(app, runner, client):
    result = runner.invoke(args=["seed-demo", "--size", "small"])
    assert result.exit_code == 0, result.output
    assert "3 demo_users" in result.output
    seen = {}
    for role in ("manager", "employee", "customer"):
        response = client.post("/api/v1/auth/login", json={
            "email": f"{role}@example.com", "password": "demo-password"})
        assert response.status_code == 200, response.json
        seen[role] = response.json
        assert response.json["user"]["role"] == role
    assert len(seen["employee"]["user"]["store_ids"]) == 1
    assert seen["manager"]["user"]["store_ids"] == []
    # the demo customer is a client with a history: its own orders show
    token = seen["customer"]["access_token"]
    orders = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert orders.status_code == 200 and len(orders.json) >= 1
    client_id = seen["customer"]["user"]["client_id"]
    assert {order["client_id"] for order in orders.json} == {client_id}
