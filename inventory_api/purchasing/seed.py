"""Demo purchase orders for `seed-demo`, written through `purchasing.service` (so the
ledger, lots and costs follow): orders in every status, some received late, some
short (partly received, then left open past their date or closed by a cancel),
one with goods returned, plus a few ratings.

The service stamps `ordered_at` with the current time; the seed then moves it
back a few days (and sets `expected_date` from it) so that lead times and
lateness look like a real history. Nothing else is written directly.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..auth.decorators import Principal
from ..common.uow import transaction
from ..extensions import db
from ..products.models import Product
from ..users.models import User
from . import evaluation, service
from .models import PurchaseOrder

# (final status, days ordered ago, days promised, share of each line received);
# receipts happen now, so an order is on time when days promised ≥ days ago
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


def _ids(rows):
    return [getattr(row, "id", row) for row in rows]


def _principal(user_id):
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return Principal(role=user.role, user=user)


def _backdate(po_id, days_ago, promised):
    """Move `ordered_at` back `days_ago` days and set `expected_date` from it (committed)."""
    with transaction():
        po = db.session.get(PurchaseOrder, po_id)
        ordered_at = datetime.now(UTC) - timedelta(days=days_ago)
        po.ordered_at = ordered_at
        po.expected_date = (ordered_at + timedelta(days=promised)).date()


def _receive(po, share, principal):
    expiry = (datetime.now(UTC) + timedelta(days=180)).date()
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


def seed(rng, *, stores, suppliers, products, user_id):
    """Create one purchase order per PLAN row for each supplier (rotating stores and
    products). Each service call commits on its own. Returns {"purchase_orders",
    "purchase_receipts", "purchase_returns", "supplier_ratings"}."""
    principal = _principal(user_id)
    store_ids, supplier_ids = _ids(stores), _ids(suppliers)
    product_rows = db.session.scalars(select(Product).where(
        Product.id.in_(_ids(products)), Product.active.is_(True)).order_by(Product.id)).all()
    counts = {"purchase_orders": 0, "purchase_receipts": 0, "purchase_returns": 0,
              "supplier_ratings": 0}
    if not (store_ids and supplier_ids and product_rows):
        return counts
    for s_index, supplier_id in enumerate(supplier_ids):
        for p_index, (status, days_ago, promised, share) in enumerate(PLAN):
            picked = rng.sample(product_rows, min(len(product_rows), rng.randint(1, 3)))
            po = service.create_purchase_order({
                "supplier_id": supplier_id,
                "store_id": store_ids[(s_index + p_index) % len(store_ids)],
                "lines": [{"product_id": p.id, "quantity": Decimal(rng.choice([10, 20, 40])),
                           "unit_cost": p.cost if p.cost > 0 else Decimal("1.00")}
                          for p in picked],
                "notes": "Demo purchase order."}, principal)
            counts["purchase_orders"] += 1
            if status == "draft" or (status == "cancelled" and share is None):
                if status == "cancelled":
                    service.cancel_purchase_order(po.id, principal)
                continue
            service.submit_purchase_order(po.id, principal)
            _backdate(po.id, days_ago, promised)
            if share is not None:
                po = _receive(db.session.get(PurchaseOrder, po.id), share, principal)
                counts["purchase_receipts"] += 1
            if status == "cancelled":
                service.cancel_purchase_order(po.id, principal)
            elif status == "returned":
                line = po.lines[0]
                qty = max((line.received_quantity / 4).quantize(Decimal("1")), Decimal("1"))
                item = {"line_id": line.id, "quantity": qty}
                if line.product_id in {p.id for p in picked if p.track_lots}:
                    item["lot"] = f"PO{po.id}-{line.id}"
                service.return_to_supplier(po.id, {"lines": [item], "reason": "damaged"},
                                           principal)
                counts["purchase_returns"] += 1
        evaluation.rate_supplier(supplier_id, {"score": rng.randint(2, 5),
                                               "comment": "Demo rating."}, principal)
        counts["supplier_ratings"] += 1
    return counts
