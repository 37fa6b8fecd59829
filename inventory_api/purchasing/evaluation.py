"""Supplier performance (computed in SQL) and manual supplier ratings.

`supplier_performance` runs one aggregate query over the supplier's purchase
orders (a per-order subquery summed once) and one over its ratings; no order
or line rows are loaded into Python. Ratios are divided in Python from exact
sums, so SQLite, MariaDB and PostgreSQL give identical numbers:

* `orders_count`: orders placed, i.e. submitted (`ordered_at` set), whatever
  their status now: a cancelled draft was never an order, a cancelled
  submitted one was;
* `received_count`: orders in status `received`;
* `on_time_rate`: of the *due* orders that have an `expected_date`, the share
  received in full on or before that date (the UTC day of `received_at`). An
  order is due once it is `received`, cancelled after receiving part of it
  (closed short), or still open (`ordered` / `partially_received`) after its
  `expected_date` (late); open orders not yet due are left out. Null when none;
* `fill_rate`: Σ received ÷ Σ ordered quantity over the lines of due orders
  (with or without `expected_date`); null when none;
* `avg_lead_time_days`: mean of `received_at − ordered_at` in days (2 places)
  over `received` orders; null when none;
* `total_spent`: Σ received_quantity × unit_cost over every placed order
  (value received, returns not deducted), a money string;
* `last_order_at`: the latest `ordered_at`;
* `rating`: the mean score of the ratings (2 places), null when none.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, Float, and_, case, cast, func, or_, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..common.lookup import get_or_404
from ..common.types import Quantity, UTCDateTime
from ..common.uow import atomic
from ..errors import ValidationFailed
from ..extensions import db
from ..suppliers.models import Supplier
from .evaluation_models import SupplierRating
from .models import PurchaseOrder, PurchaseOrderLine

OPEN_STATUSES = ("ordered", "partially_received")
RATE_PLACES = Decimal("0.0001")
TWO_PLACES = Decimal("0.01")


class days_between(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """`days_between(end, start)`: (end − start) in fractional days, per dialect."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "mysql")
def _days_mysql(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(TIMESTAMPDIFF(MICROSECOND, {start}, {end}) / 86400000000.0)"


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


def _ratio(numerator, denominator, places=RATE_PLACES):
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP))


def _cents_x1000(quantity, unit_cost):
    """quantity × unit_cost as an exact integer in 1/100000 (SQLite stores REAL)."""
    return (cast(func.round(quantity * 1000), BigInteger)
            * cast(func.round(unit_cost * 100), BigInteger))


def _per_order(supplier_id):
    """One row per placed order of the supplier, with its line sums."""
    line = PurchaseOrderLine
    return (
        select(
            PurchaseOrder.id, PurchaseOrder.status, PurchaseOrder.expected_date,
            PurchaseOrder.ordered_at, PurchaseOrder.received_at,
            func.sum(line.quantity).label("ordered_qty"),
            func.sum(line.received_quantity).label("received_qty"),
            func.sum(_cents_x1000(line.received_quantity, line.unit_cost)).label("value"),
        )
        .join(line, line.purchase_order_id == PurchaseOrder.id)
        .where(PurchaseOrder.supplier_id == supplier_id, PurchaseOrder.ordered_at.is_not(None))
        .group_by(PurchaseOrder.id, PurchaseOrder.status, PurchaseOrder.expected_date,
                  PurchaseOrder.ordered_at, PurchaseOrder.received_at)
        .subquery("po_totals")
    )


def supplier_performance(supplier_id, today=None):
    """The performance figures of a supplier (see the module docstring). Reads only.

    `today` (UTC by default) decides which open orders are late.
    """
    get_or_404(Supplier, supplier_id)
    today = today or datetime.now(UTC).date()
    po = _per_order(supplier_id)
    due = or_(
        po.c.status == "received",
        and_(po.c.status == "cancelled", po.c.received_qty > 0),
        and_(po.c.status.in_(OPEN_STATUSES), po.c.expected_date < today),
    )
    on_time = and_(po.c.status == "received", po.c.expected_date.is_not(None),
                   func.date(po.c.received_at) <= po.c.expected_date)
    received = po.c.status == "received"
    row = db.session.execute(select(
        func.count().label("orders_count"),
        func.coalesce(func.sum(case((received, 1), else_=0)), 0).label("received_count"),
        func.coalesce(func.sum(case((on_time, 1), else_=0)), 0).label("on_time"),
        func.coalesce(func.sum(case((and_(due, po.c.expected_date.is_not(None)), 1),
                                    else_=0)), 0).label("due_dated"),
        type_coerce(func.sum(case((due, po.c.received_qty))), Quantity()).label("due_received"),
        type_coerce(func.sum(case((due, po.c.ordered_qty))), Quantity()).label("due_ordered"),
        func.avg(case((received, days_between(po.c.received_at, po.c.ordered_at)))
                 ).label("lead_time"),
        func.coalesce(func.sum(po.c.value), 0).label("value"),
        type_coerce(func.max(po.c.ordered_at), UTCDateTime()).label("last_order_at"),
    ).select_from(po)).one()
    ratings = db.session.execute(
        select(func.count(), func.coalesce(func.sum(SupplierRating.score), 0))
        .where(SupplierRating.supplier_id == supplier_id)).one()
    lead_time = row.lead_time
    return {
        "supplier_id": supplier_id,
        "orders_count": int(row.orders_count),
        "received_count": int(row.received_count),
        "on_time_rate": _ratio(int(row.on_time), int(row.due_dated)),
        "fill_rate": _ratio(row.due_received or 0, row.due_ordered),
        "avg_lead_time_days": (None if lead_time is None else float(
            Decimal(str(lead_time)).quantize(TWO_PLACES, ROUND_HALF_UP))),
        "total_spent": (Decimal(int(row.value)) / 100000).quantize(TWO_PLACES, ROUND_HALF_UP),
        "last_order_at": row.last_order_at,
        "rating": _ratio(int(ratings[1]), int(ratings[0]), TWO_PLACES),
    }


@atomic
def rate_supplier(supplier_id, data, principal=None):
    """Record a rating of the supplier; returns the new SupplierRating (added, flushed).

    422 when `purchase_order_id` is not a placed (submitted) order of this supplier.
    """
    get_or_404(Supplier, supplier_id)
    order_id = data.get("purchase_order_id")
    if order_id is not None:
        order = db.session.get(PurchaseOrder, order_id)
        if order is None or order.supplier_id != supplier_id or order.ordered_at is None:
            raise ValidationFailed({"purchase_order_id": [
                "Not a placed purchase order of this supplier."]})
    api_key = getattr(principal, "api_key", None)
    rating = SupplierRating(
        supplier_id=supplier_id, purchase_order_id=order_id, score=data["score"],
        comment=data.get("comment"),
        created_by_id=principal.user_id if principal is not None else None,
        created_by_api_key_id=api_key.id if api_key is not None else None)
    db.session.add(rating)
    db.session.flush()
    return rating
