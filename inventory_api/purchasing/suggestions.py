"""Reorder suggestions from low stock, and draft purchase orders made from them.

A suggestion is a (product, store) pair that the low-stock list reports
(`stock.queries.low_stock_select`: active product, available ≤ the effective
minimum, i.e. the store's override or else the product's `min_stock`) in an
active store, with

    suggested_quantity = min_stock + reorder_quantity − available − on_order

where `on_order` is what open purchase orders (ordered / partially_received)
of that store still expect for the product (Σ quantity − received). Drafts
do not count as on order. Pairs whose suggestion is ≤ 0 are dropped.
Suggestions are grouped by the product's preferred supplier; products without
one form a group of their own (`supplier_id: null`, listed last).
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, type_coerce

from ..common.types import Quantity
from ..common.uow import atomic
from ..extensions import db
from ..products.models import Product
from ..stock.queries import low_stock_select
from ..stores.models import Store
from ..suppliers.models import Supplier
from . import service as po_service
from .models import PurchaseOrder, PurchaseOrderLine

OPEN_STATUSES = ("ordered", "partially_received")
ZERO = Decimal("0.000")


def _on_order():
    """Per (product, store): Σ outstanding quantity on open purchase orders."""
    line = PurchaseOrderLine
    return (
        select(line.product_id, PurchaseOrder.store_id,
               func.sum(line.quantity - line.received_quantity).label("on_order"))
        .join(PurchaseOrder, PurchaseOrder.id == line.purchase_order_id)
        .where(PurchaseOrder.status.in_(OPEN_STATUSES))
        .group_by(line.product_id, PurchaseOrder.store_id)
        .subquery("on_order")
    )


def suggestion_rows(args, principal=None):
    """The suggestion lines (dicts), ordered by store and product. One query; reads only.

    `args`: optional `store_id`, `supplier_id` (the preferred supplier).
    """
    low = low_stock_select({"store_id": args.get("store_id")}, principal).order_by(None)
    low = low.subquery("low_stock")
    on_order = _on_order()
    pending = type_coerce(func.coalesce(on_order.c.on_order, 0), Quantity())
    stmt = (
        select(low.c.product_id, low.c.store_id, low.c.sku, low.c.name,
               low.c.available, low.c.min_stock, pending.label("on_order"),
               Product.reorder_quantity, Product.cost,
               low.c.preferred_supplier_id, Supplier.name.label("supplier_name"),
               Supplier.active.label("supplier_active"))
        .select_from(low)
        .join(Product, Product.id == low.c.product_id)
        .join(Store, Store.id == low.c.store_id)
        .outerjoin(on_order, (on_order.c.product_id == low.c.product_id)
                   & (on_order.c.store_id == low.c.store_id))
        .outerjoin(Supplier, Supplier.id == low.c.preferred_supplier_id)
        .where(Store.active.is_(True))
        .order_by(low.c.store_id, low.c.product_id)
    )
    if args.get("supplier_id"):
        stmt = stmt.where(low.c.preferred_supplier_id == args["supplier_id"])
    rows = []
    for row in db.session.execute(stmt):
        suggested = row.min_stock + row.reorder_quantity - row.available - row.on_order
        if suggested <= ZERO:
            continue
        rows.append({
            "product_id": row.product_id, "store_id": row.store_id, "sku": row.sku,
            "name": row.name, "available": row.available, "min_stock": row.min_stock,
            "reorder_quantity": row.reorder_quantity, "on_order": row.on_order,
            "suggested_quantity": suggested, "unit_cost": row.cost,
            "preferred_supplier_id": row.preferred_supplier_id,
            "_supplier": (row.preferred_supplier_id, row.supplier_name, row.supplier_active),
        })
    return rows


def reorder_suggestions(args, principal=None):
    """`[{supplier_id, supplier_name, lines: [...]}]`: suppliers by name, then the
    products without a preferred supplier (`supplier_id` null). Reads only."""
    groups = defaultdict(list)
    for row in suggestion_rows(args, principal):
        groups[row.pop("_supplier")[:2]].append(row)
    ordered = sorted(groups, key=lambda key: (key[0] is None, (key[1] or "").lower(),
                                             key[0] or 0))
    return [{"supplier_id": key[0], "supplier_name": key[1], "lines": groups[key]}
            for key in ordered]


@atomic
def create_from_suggestions(args, principal=None):
    """One draft purchase order per (preferred supplier, store) of the suggestions.

    Lines: `suggested_quantity` at the product's `cost`; `expected_date` is
    today + the supplier's `lead_time_days` when it has one. Products without
    a preferred supplier, or whose supplier is inactive, are skipped. Returns
    the new orders (by supplier id, then store id); writes them through
    `purchasing.service.create_purchase_order` (403 for another store).
    """
    pairs = defaultdict(list)
    suppliers = {}
    for row in suggestion_rows(args, principal):
        supplier_id, _, active = row["_supplier"]
        if supplier_id is None or not active:
            continue
        suppliers[supplier_id] = None
        pairs[(supplier_id, row["store_id"])].append(row)
    lead = dict(db.session.execute(
        select(Supplier.id, Supplier.lead_time_days).where(Supplier.id.in_(suppliers))).all())
    today = datetime.now(UTC).date()
    created = []
    for (supplier_id, store_id), rows in sorted(pairs.items()):
        days = lead.get(supplier_id)
        created.append(po_service.create_purchase_order({
            "supplier_id": supplier_id, "store_id": store_id,
            "expected_date": today + timedelta(days=days) if days else None,
            "notes": "Created from reorder suggestions.",
            "lines": [{"product_id": row["product_id"], "quantity": row["suggested_quantity"],
                       "unit_cost": row["unit_cost"]} for row in rows],
        }, principal))
    return created
