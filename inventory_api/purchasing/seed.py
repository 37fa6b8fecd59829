"""Demo purchase orders for `seed-demo`, written through `purchasing.service` (so the
ledger, lots and costs follow): orders in every status, some received late, some
short (partly received, then left open past their date or closed by a cancel),
one with goods returned, plus a few ratings.

They happen over the demo year (`seed.Agenda`): each order is created as a draft,
submitted an hour later with its `expected_date` set from its promised days,
received (if it is) some days after that, then cancelled or partly returned.
The orders still open at the end (draft, ordered, partly received) come once per
supplier at the end of the year; the closed ones once per round, `cycles` rounds
spread over the year. Nothing is written directly.
"""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..auth.decorators import Principal
from ..extensions import db
from ..products.models import Product
from ..seed import Agenda
from ..users.models import User
from . import evaluation, service
from .models import PurchaseOrder

# (final status, days from ordered to received (or to the end of the year), days
# promised, share of each line received); an order is on time when days promised ≥
# days to received
PLAN = [
    ("draft", 0, 7, None),
    ("ordered", 2, 10, None),                 # not yet due
    ("ordered", 20, 7, None),                 # late, nothing arrived
    ("partially_received", 15, 5, "0.5"),     # short and late
    ("received", 5, 10, "1"),                 # on time
    ("received", 25, 30, "1"),                # on time
    ("received", 18, 3, "1"),                 # received late
    ("cancelled", 0, 7, None),                # cancelled draft
    ("cancelled", 10, 5, "0.6"),              # closed short
    ("returned", 30, 10, "1"),                # received, then part sent back
]
OPEN = ("draft", "ordered", "partially_received")
SHELF_DAYS = 180  # the expiry of a received lot, from its receipt


def _ids(rows):
    return [getattr(row, "id", row) for row in rows]


def _principal(user_id):
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return Principal(role=user.role, user=user)


def _receive(po, share, principal, when):
    expiry = (when + timedelta(days=SHELF_DAYS)).date()
    tracked = set(db.session.scalars(select(Product.id).where(
        Product.id.in_([line.product_id for line in po.lines]), Product.track_lots.is_(True))))
    items = []
    for line in po.lines:
        qty = (line.quantity * Decimal(share)).quantize(Decimal("1"))
        if qty <= 0:
            continue
        item = {"line_id": line.id, "quantity": qty}
        if line.product_id in tracked:
            item.update(lot=f"PO{po.id}-{line.id}", expiry_date=expiry)
        items.append(item)
    return service.receive(po.id, {"lines": items}, principal)


class _Buyer:
    """Takes each planned purchase order through its life as the agenda reaches it;
    `counts` says how many of each kind so far."""

    def __init__(self, rng, agenda, principal, store_ids, products):
        self.rng, self.agenda, self.principal = rng, agenda, principal
        self.store_ids, self.products = store_ids, products
        self.counts = {"purchase_orders": 0, "purchase_receipts": 0, "purchase_returns": 0,
                       "supplier_ratings": 0}

    def create(self, when, supplier_id, store_id, row, received_at):
        status, days, promised, share = row
        picked = self.rng.sample(self.products, min(len(self.products),
                                                    self.rng.randint(1, 3)))
        ordered_at = when + timedelta(hours=1)
        po = service.create_purchase_order({
            "supplier_id": supplier_id, "store_id": store_id,
            "expected_date": (ordered_at + timedelta(days=promised)).date(),
            "lines": [{"product_id": p.id, "quantity": Decimal(self.rng.choice([10, 20, 40])),
                       "unit_cost": p.cost if p.cost > 0 else Decimal("1.00")}
                      for p in picked],
            "notes": "Demo purchase order."}, self.principal)
        self.counts["purchase_orders"] += 1
        if status == "draft":
            return
        if status == "cancelled" and share is None:  # a draft given up
            self.agenda.at(ordered_at, self.cancel, po.id)
            return
        self.agenda.at(ordered_at, self.submit, po.id)
        if share is not None:
            self.agenda.at(received_at, self.receive, po.id, status, share,
                           {p.id for p in picked if p.track_lots})

    def submit(self, _when, po_id):
        service.submit_purchase_order(po_id, self.principal)

    def receive(self, when, po_id, status, share, tracked):
        po = _receive(db.session.get(PurchaseOrder, po_id), share, self.principal, when)
        self.counts["purchase_receipts"] += 1
        if status == "cancelled":
            self.agenda.at(when + timedelta(hours=1), self.cancel, po_id)
        elif status == "returned":
            line = po.lines[0]
            qty = max((line.received_quantity / 4).quantize(Decimal("1")), Decimal("1"))
            item = {"line_id": line.id, "quantity": qty}
            if line.product_id in tracked:
                item["lot"] = f"PO{po.id}-{line.id}"
            self.agenda.at(when + timedelta(days=2), self.send_back, po_id, item)

    def cancel(self, _when, po_id):
        service.cancel_purchase_order(po_id, self.principal)

    def send_back(self, _when, po_id, item):
        service.return_to_supplier(po_id, {"lines": [item], "reason": "damaged"},
                                   self.principal)
        self.counts["purchase_returns"] += 1

    def rate(self, _when, supplier_id):
        evaluation.rate_supplier(supplier_id, {"score": self.rng.randint(2, 5),
                                               "comment": "Demo rating."}, self.principal)
        self.counts["supplier_ratings"] += 1


def seed(rng, *, stores, suppliers, products, user_id, agenda=None, cycles=1):
    """Plan the PLAN rows for each supplier over the agenda's year (rotating stores and
    products): the open ones once, at the end, the closed ones `cycles` times. Each
    service call commits on its own. Without an `agenda`, runs a year of its own and
    moves the dates. Returns {"purchase_orders", "purchase_receipts",
    "purchase_returns", "supplier_ratings"}, filled as the agenda runs."""
    principal = _principal(user_id)
    store_ids, supplier_ids = _ids(stores), _ids(suppliers)
    product_rows = db.session.scalars(select(Product).where(
        Product.id.in_(_ids(products)), Product.active.is_(True)).order_by(Product.id)).all()
    own = agenda is None
    agenda = agenda or Agenda()
    buyer = _Buyer(rng, agenda, principal, store_ids, product_rows)
    if not (store_ids and supplier_ids and product_rows):
        return buyer.counts
    day = timedelta(days=1)
    longest = max(days for _, days, _, _ in PLAN) + 3
    span = agenda.end - agenda.start - (longest + 3) * day
    for s_index, supplier_id in enumerate(supplier_ids):
        for cycle in range(cycles):
            for p_index, row in enumerate(PLAN):
                status, days, _, _ = row
                if (status in OPEN or (status == "cancelled" and row[3] is None)) and cycle:
                    continue  # open orders (and the draft given up) once, at the end
                if status in OPEN or row[3] is None:
                    received = agenda.end - rng.uniform(0.1, 0.5) * day
                else:
                    received = (agenda.start + (longest * day)
                                + span * (cycle + rng.random()) / cycles)
                created = received - days * day - timedelta(hours=2)
                store_id = store_ids[(s_index + p_index + cycle) % len(store_ids)]
                agenda.at(created, buyer.create, supplier_id, store_id, row, received)
        agenda.at(agenda.end, buyer.rate, supplier_id)
    if own:
        agenda.run()
        agenda.rewrite()
    return buyer.counts
