"""Demo orders for `flask seed-demo`: a few dozen, in every status, through the service."""

from decimal import Decimal

from sqlalchemy import select

from ..auth.decorators import Principal
from ..extensions import db
from ..stock.models import StockLevel
from ..users.models import User
from . import service

ORDERS = 30
# the life each seeded order gets, in turn: (status it ends in, how it got there)
PLANS = ("pending", "confirmed", "shipped", "delivered", "delivered", "cancelled_pending",
         "cancelled_confirmed")


def _id(item):
    return getattr(item, "id", item)


def _available(store_ids, product_ids):
    """{(product_id, store_id): available} for the candidates (reads only)."""
    rows = db.session.scalars(select(StockLevel).where(
        StockLevel.store_id.in_(store_ids), StockLevel.product_id.in_(product_ids))).all()
    available = {}
    for row in rows:
        key = (row.product_id, row.store_id)
        available[key] = available.get(key, Decimal(0)) + row.available
    return available


def seed(rng, *, stores, clients, products, user_id):
    """Create about 30 orders for random clients in every status; returns {name: count}.

    Orders take only stock that is available (nothing fails); confirmed ones are
    paid in full, in part or not at all (the rest becomes a debt). Writes orders,
    their reservations, movements, debts and status history through
    `orders.service` (flushes; the caller commits).
    """
    store_ids = [_id(s) for s in stores if getattr(s, "active", True)]
    client_ids = [_id(c) for c in clients]
    product_ids = [_id(p) for p in products
                   if getattr(p, "active", True) and getattr(p, "price", 1) > 0]
    if not (store_ids and client_ids and product_ids):
        return {"orders": 0}
    user = db.session.get(User, user_id) if user_id is not None else None
    staff = Principal(role="admin", user=user) if user is not None else None
    available = _available(store_ids, product_ids)
    created = 0
    for index in range(ORDERS):
        store_id = rng.choice(store_ids)
        candidates = [p for p in product_ids if available.get((p, store_id), 0) >= 2]
        if not candidates:
            continue
        lines = []
        for product_id in rng.sample(candidates, min(len(candidates), rng.randint(1, 3))):
            quantity = Decimal(rng.randint(1, min(5, int(available[(product_id, store_id)]))))
            available[(product_id, store_id)] -= quantity
            lines.append({"product_id": product_id, "quantity": quantity})
        order = service.create_order({
            "client_id": rng.choice(client_ids), "store_id": store_id, "lines": lines,
            "notes": rng.choice([None, "Call before delivery.", "Leave at the back door."])},
            staff)
        created += 1
        plan = PLANS[index % len(PLANS)]
        if plan == "cancelled_pending":
            service.cancel_order(order.id, {"note": "Client changed its mind."}, staff)
        if plan in ("confirmed", "shipped", "delivered", "cancelled_confirmed"):
            paid = rng.choice([Decimal(0), order.total, (order.total / 2).quantize(
                Decimal("0.01"))])
            service.confirm_order(order.id, {"amount_paid": paid}, staff)
        if plan in ("shipped", "delivered"):
            service.ship_order(order.id, {}, staff)
        if plan == "delivered":
            service.deliver_order(order.id, {}, staff)
        if plan == "cancelled_confirmed":
            service.cancel_order(order.id, {"note": "Out of delivery area."}, staff)
    return {"orders": created}
