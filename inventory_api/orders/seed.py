"""Demo orders for `flask seed-demo`: a few dozen, in every status, through the service,
over the demo year (`seed.Agenda`): each confirmed hours after it was placed, shipped
a day or two later and delivered after that; the ones still pending or confirmed were
placed in the last days (a pending order expires after `ORDER_EXPIRY_HOURS`)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..auth.decorators import Principal
from ..errors import Conflict
from ..extensions import db
from ..seed import Agenda
from ..stock.models import StockLevel
from ..users.models import User
from . import service

ORDERS = 30
# the life each seeded order gets, in turn: (status it ends in, how it got there)
PLANS = ("pending", "confirmed", "shipped", "delivered", "delivered", "cancelled_pending",
         "cancelled_confirmed")
# Orders between two readings of the stock they choose from.
STOCK_READ_EVERY = 25


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


def _placed_at(rng, agenda, plan):
    """When an order with this plan is placed: its whole life fits before the end, and
    the ones still open at the end are recent."""
    end, hours = agenda.end, timedelta(hours=1)
    if plan == "pending":
        return end - rng.uniform(1, 48) * hours
    if plan == "confirmed":
        return end - rng.uniform(12, 72) * hours
    if plan == "shipped":
        return end - rng.uniform(3, 10) * 24 * hours
    return agenda.start + (end - agenda.start - 8 * 24 * hours) * rng.random()


class _Orders:
    """Places the planned orders as the agenda reaches them and takes each through
    its plan; `counts` says how many so far."""

    def __init__(self, rng, agenda, staff, store_ids, product_ids):
        self.rng, self.agenda, self.staff = rng, agenda, staff
        self.store_ids, self.product_ids = store_ids, product_ids
        self.available, self.until_read = {}, 0
        self.counts = {"orders": 0}

    def _lines(self, store_id):
        if self.until_read <= 0:
            self.available = _available(self.store_ids, self.product_ids)
            self.until_read = STOCK_READ_EVERY
        self.until_read -= 1
        available = self.available
        candidates = [p for p in self.product_ids if available.get((p, store_id), 0) >= 2]
        lines = []
        for product_id in self.rng.sample(candidates, min(len(candidates),
                                                          self.rng.randint(1, 3))):
            quantity = Decimal(self.rng.randint(1, min(5, int(available[(product_id,
                                                                         store_id)]))))
            available[(product_id, store_id)] -= quantity
            lines.append({"product_id": product_id, "quantity": quantity})
        return lines

    def place(self, when, plan, client_id):
        store_id = self.rng.choice(self.store_ids)
        lines = self._lines(store_id)
        if not lines:
            return
        try:
            order = service.create_order({
                "client_id": client_id, "store_id": store_id, "lines": lines,
                "notes": self.rng.choice([None, "Call before delivery.",
                                          "Leave at the back door."])}, self.staff)
        except Conflict:  # sold meanwhile
            return
        self.counts["orders"] += 1
        hours = timedelta(hours=1)
        if plan == "cancelled_pending":
            self.agenda.at(when + self.rng.uniform(2, 24) * hours, self.cancel, order.id,
                           "Client changed its mind.")
        elif plan != "pending":
            self.agenda.at(when + self.rng.uniform(1, 6) * hours, self.confirm, order.id,
                           plan)

    def confirm(self, when, order_id, plan):
        order = service.get_order(order_id)
        paid = self.rng.choice([Decimal(0), order.total,
                                (order.total / 2).quantize(Decimal("0.01"))])
        service.confirm_order(order_id, {"amount_paid": paid}, self.staff)
        days = timedelta(days=1)
        if plan == "cancelled_confirmed":
            self.agenda.at(when + self.rng.uniform(1, 2) * days, self.cancel, order_id,
                           "Out of delivery area.")
        elif plan in ("shipped", "delivered"):
            self.agenda.at(when + self.rng.uniform(1, 2) * days, self.ship, order_id, plan)

    def ship(self, when, order_id, plan):
        service.ship_order(order_id, {}, self.staff)
        if plan == "delivered":
            self.agenda.at(when + timedelta(days=self.rng.uniform(1, 3)), self.deliver,
                           order_id)

    def deliver(self, _when, order_id):
        service.deliver_order(order_id, {}, self.staff)

    def cancel(self, _when, order_id, note):
        service.cancel_order(order_id, {"note": note}, self.staff)


def seed(rng, *, stores, clients, products, user_id, agenda=None, count=ORDERS):
    """Plan about `count` orders for random clients in every status over the agenda's
    year; returns {"orders": placed}, filled as the agenda runs.

    Orders take only stock that is available (one the sales took meanwhile is
    skipped); confirmed ones are paid in full, in part or not at all (the rest
    becomes a debt). Writes orders, their reservations, movements, debts and
    status history through `orders.service`, each step its own unit of work.
    Without an `agenda`, runs a year of its own and moves the dates.
    """
    store_ids = [_id(s) for s in stores if getattr(s, "active", True)]
    client_ids = [_id(c) for c in clients]
    product_ids = [_id(p) for p in products
                   if getattr(p, "active", True) and getattr(p, "price", 1) > 0]
    if not (store_ids and client_ids and product_ids):
        return {"orders": 0}
    user = db.session.get(User, user_id) if user_id is not None else None
    staff = Principal(role="admin", user=user) if user is not None else None
    own = agenda is None
    agenda = agenda or Agenda()
    orders = _Orders(rng, agenda, staff, store_ids, product_ids)
    for index in range(count):
        plan = PLANS[index % len(PLANS)]
        agenda.at(_placed_at(rng, agenda, plan), orders.place, plan, rng.choice(client_ids))
    if own:
        agenda.run()
        agenda.rewrite()
    return orders.counts
