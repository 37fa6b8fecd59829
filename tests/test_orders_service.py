"""The orders service called directly (no HTTP), the expire-orders command, the
seed and the list's query count."""

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from inventory_api.clients.models import Client
from inventory_api.debts.models import Debt
from inventory_api.extensions import db
from inventory_api.orders import service
from inventory_api.orders.models import Order, OrderStatusChange
from inventory_api.stock import queries
from inventory_api.stock.models import LowStockEvent, StockLevel
from tests.orders_utils import stock_in
from tests.test_query_counts import count_statements

D = Decimal


@pytest.fixture
def buyer(app):
    with app.app_context():
        client = Client(name="Buyer")
        db.session.add(client)
        db.session.commit()
        return client.id


def level(shop, product="widget", store="north"):
    return db.session.scalar(select(StockLevel).where(
        StockLevel.product_id == shop[product], StockLevel.store_id == shop[store]))


def order_for(buyer, shop, qty="2", product="widget"):
    return service.create_order({"client_id": buyer, "store_id": shop["north"],
                                 "lines": [{"product_id": shop[product], "quantity": D(qty)}]})


def test_service_life_cycle_without_http(app, ctx, shop, buyer):
    stock_in(app, shop, "widget", "10")
    order = order_for(buyer, shop, "4")
    assert (order.status, order.total, level(shop).reserved) == ("pending", D("40.00"), 4)
    with pytest.raises(service.IllegalTransition) as error:
        service.ship_order(order.id)
    assert error.value.status_code == 409 and error.value.errors["status"] == "pending"
    service.confirm_order(order.id, {"amount_paid": D("0")})
    assert (level(shop).on_hand, level(shop).reserved) == (6, 0)
    debt = db.session.scalar(select(Debt).where(Debt.source_type == "order"))
    assert (debt.amount, debt.client_id, debt.source_id) == (D("40.00"), buyer, order.id)
    service.cancel_order(order.id)
    assert level(shop).on_hand == 10 and db.session.get(Debt, debt.id).status == "void"
    assert queries.ledger_drift() == []


def test_default_store_falls_back_to_the_environment(app, ctx, shop, monkeypatch):
    monkeypatch.setenv("DEFAULT_ORDER_STORE_ID", str(shop["south"]))
    assert service.default_store_id() == shop["south"]
    monkeypatch.setenv("DEFAULT_ORDER_STORE_ID", "south")
    with pytest.raises(Exception) as error:
        service.default_store_id()
    assert error.value.status_code == 422
    monkeypatch.delenv("DEFAULT_ORDER_STORE_ID")
    assert service.default_store_id() == min(shop["north"], shop["south"])


def test_reservation_event_and_movement_event_references(app, ctx, shop, buyer):
    stock_in(app, shop, "widget", "8")  # minimum 5
    order = order_for(buyer, shop, "3")
    event = db.session.scalar(select(LowStockEvent))
    assert (event.movement_id, event.reference_type, event.reference_id) == (
        None, "order", order.id)
    assert event.available == 5 and event.resolved_at is None
    service.cancel_order(order.id)
    assert db.session.get(LowStockEvent, event.id).resolved_at is not None


def _age(order_id, hours):
    db.session.execute(update(Order).where(Order.id == order_id).values(
        created_at=datetime.now(UTC) - timedelta(hours=hours)))
    db.session.commit()


def test_expire_orders_cancels_old_pending_orders_once(app, runner, shop, buyer):
    stock_in(app, shop, "widget", "10")
    with app.app_context():
        old = order_for(buyer, shop, "2").id
        young = order_for(buyer, shop, "1").id
        confirmed = order_for(buyer, shop, "3").id
        service.confirm_order(confirmed)
        _age(old, 80)
        _age(confirmed, 100)
        _age(young, 10)
    result = runner.invoke(args=["expire-orders"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Expired 1 pending order(s) older than 72 h: {old}."
    with app.app_context():
        assert db.session.get(Order, old).status == "cancelled"
        assert db.session.get(Order, young).status == "pending"
        assert db.session.get(Order, confirmed).status == "confirmed"
        change = db.session.scalars(select(OrderStatusChange).where(
            OrderStatusChange.order_id == old).order_by(OrderStatusChange.id)).all()[-1]
        assert (change.from_status, change.to_status, change.note, change.user_id) == (
            "pending", "cancelled", "expired", None)
        assert level(shop).reserved == 1 and level(shop).on_hand == 7
    again = runner.invoke(args=["expire-orders"])
    assert again.exit_code == 0 and again.output.strip() == "No pending orders older than 72 h."
    narrower = runner.invoke(args=["expire-orders", "--older-than-hours", "5"])
    assert narrower.exit_code == 0 and f": {young}." in narrower.output
    with app.app_context():
        assert level(shop).reserved == 0
        assert db.session.scalar(select(func.count()).select_from(OrderStatusChange).where(
            OrderStatusChange.note == "expired")) == 2
        assert queries.ledger_drift() == []


def test_expire_orders_reads_the_setting_and_refuses_bad_input(app, runner, shop, buyer):
    stock_in(app, shop, "widget", "10")
    with app.app_context():
        old = order_for(buyer, shop, "2").id
        _age(old, 5)
    app.config["ORDER_EXPIRY_HOURS"] = 4
    try:
        result = runner.invoke(args=["expire-orders"])
        assert result.exit_code == 0 and "older than 4 h" in result.output
        app.config["ORDER_EXPIRY_HOURS"] = "soon"
        bad = runner.invoke(args=["expire-orders"])
        assert bad.exit_code == 1 and "ORDER_EXPIRY_HOURS" in bad.output
    finally:
        app.config.pop("ORDER_EXPIRY_HOURS")
    assert runner.invoke(args=["expire-orders", "--older-than-hours", "-1"]).exit_code == 2


@pytest.fixture
def many_orders(app, shop, buyer):
    def make(n):
        stock_in(app, shop, "widget", str(n * 2))
        stock_in(app, shop, "gadget", str(n * 2))
        with app.app_context():
            for _ in range(n):
                service.create_order({"client_id": buyer, "store_id": shop["north"], "lines": [
                    {"product_id": shop["widget"], "quantity": D(1)},
                    {"product_id": shop["gadget"], "quantity": D(1)}]})
    return make


def test_order_list_runs_constant_statements(app, client, auth, many_orders):
    headers = auth("manager")
    counts = []
    for n in (5, 45):  # 5 vs 50 rows in all
        many_orders(n)
        with count_statements(app) as statements:
            response = client.get("/api/v1/orders?page_size=100", headers=headers)
        assert response.status_code == 200
        assert json.loads(response.headers["X-Pagination"])["total"] in (5, 50)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_seed_creates_orders_in_every_status(app, ctx, shop, buyer):
    from inventory_api.orders.seed import seed
    from inventory_api.stores.models import Store

    stock_in(app, shop, "widget", "200")
    stock_in(app, shop, "gadget", "200")
    stock_in(app, shop, "widget", "50", store="south")
    stores = db.session.scalars(select(Store).where(Store.active.is_(True))).all()
    clients = db.session.scalars(select(Client)).all()
    from inventory_api.products.models import Product

    products = db.session.scalars(select(Product)).all()
    counts = seed(random.Random(7), stores=stores, clients=clients, products=products,
                  user_id=None)
    db.session.commit()
    statuses = set(db.session.scalars(select(Order.status)))
    assert statuses == {"pending", "confirmed", "shipped", "delivered", "cancelled"}
    assert counts["orders"] == db.session.scalar(select(func.count()).select_from(Order)) >= 20
    assert queries.ledger_drift() == []
