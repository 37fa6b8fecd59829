"""Demand forecast: when each product runs out in each store, and what to reorder.

The window is the last `window_days` business days ending today (today
included). Per (active product, active store) in scope with stock available
or demand in the window (demand as in `holdings`: sales and order movements
net of their returns):

* `demand`: units taken in the window; `avg_daily_demand` = demand ÷
  window_days (4 places; a net of returns below 0 counts as 0);
* `trend`: the daily demand of the window's second half against its first
  (the first half is the older `window_days // 2` days, the second the
  rest). `trend_change` = second ÷ first − 1 (4 places; null when the first
  half had no demand). `rising` above +10 %, `falling` below −10 %, else
  `flat`; with no demand in the first half it is `rising` when the second
  had some, else `flat`;
* `days_until_stockout` = available ÷ avg_daily_demand (2 places; 0 when
  nothing is available; null without demand);
* `suggested_reorder_date` = today + whole days until stock-out − the
  preferred supplier's `lead_time_days` (0 without supplier or lead time),
  not before today; null without demand;
* `suggested_quantity`: enough for the lead time and a cover period
  (`cover_days`, default the window's length) at the average demand, less
  what is available and what open purchase orders of the store still bring
  (`on_order`), rounded up to whole units, and at least the product's
  `reorder_quantity`; 0 when that need is not positive (or no demand).

One statement: stock levels, window demand and open purchase orders each
summed per (product, store) in SQL and joined.
"""

import math
from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from sqlalchemy import select

from ..common import dates
from ..products.models import Product
from ..purchasing.models import PurchaseOrder, PurchaseOrderLine
from ..purchasing.suggestions import OPEN_STATUSES
from ..stock.models import Movement, StockLevel
from ..stores.models import Store
from ..suppliers.models import Supplier
from . import source
from .args import within_stores
from .export import Column, Report
from .holdings import (
    DAYS,
    DEMAND_TYPES,
    QUANTITY,
    RATE,
    ZERO,
    demand_sum,
    or_zero,
    quantity_sum,
    single_store,
)

DEFAULT_WINDOW_DAYS = 30
TREND_BAND = Decimal("0.10")

FORECAST_COLUMNS = [
    Column("product_id", "Product id", numeric=True), Column("sku", "SKU"),
    Column("name", "Product"), Column("store_id", "Store id", numeric=True),
    Column("store_name", "Store"), Column("demand", "Demand", numeric=True),
    Column("avg_daily_demand", "Avg daily demand", numeric=True), Column("trend", "Trend"),
    Column("trend_change", "Trend change", numeric=True),
    Column("available", "Available", numeric=True), Column("on_order", "On order", numeric=True),
    Column("days_until_stockout", "Days until stock-out", numeric=True),
    Column("lead_time_days", "Lead time (days)", numeric=True),
    Column("suggested_reorder_date", "Reorder by"),
    Column("suggested_quantity", "Suggested quantity", numeric=True),
]


def forecast(stores, window_days=DEFAULT_WINDOW_DAYS, cover_days=None, product_id=None):
    """The forecast rows (module docstring) for `stores` (from `store_scope`), by SKU
    then store; `product_id` narrows to one product."""
    today = dates.today()
    first_day = today - timedelta(days=window_days - 1)
    older_days = window_days // 2
    cover_days = window_days if cover_days is None else cover_days
    scope = {"stores": stores, "product_id": product_id}
    demand = _demand(first_day, first_day + timedelta(days=older_days), **scope)
    levels, on_order = _available(**scope), _on_order(**scope)

    stmt = (
        select(Product.id, Product.sku, Product.name, Product.reorder_quantity,
               Store.id.label("store_id"), Store.name.label("store_name"),
               or_zero(levels.c.available).label("available"),
               or_zero(demand.c.demand).label("demand"),
               or_zero(demand.c.older).label("older"),
               or_zero(on_order.c.on_order).label("on_order"),
               Supplier.lead_time_days)
        .select_from(levels)
        .join(Product, Product.id == levels.c.product_id)
        .join(Store, Store.id == levels.c.store_id)
        .outerjoin(demand, (demand.c.product_id == levels.c.product_id)
                   & (demand.c.store_id == levels.c.store_id))
        .outerjoin(on_order, (on_order.c.product_id == levels.c.product_id)
                   & (on_order.c.store_id == levels.c.store_id))
        .outerjoin(Supplier, Supplier.id == Product.preferred_supplier_id)
        .where(Product.active.is_(True), Store.active.is_(True))
        .order_by(Product.sku, Product.id, Store.name, Store.id)
    )
    shape = _Window(today, window_days, older_days, cover_days)
    rows = [shape.row(sums) for sums in source.rows(stmt)
            if sums.available > 0 or sums.demand > 0]
    filters = {"date_from": first_day, "date_to": today, "window_days": window_days,
               "cover_days": cover_days, "store_id": single_store(stores),
               "product_id": product_id}
    return Report(name="forecast", title="Demand forecast", columns=FORECAST_COLUMNS,
                  rows=rows, filters=filters, body={**filters, "rows": rows})


def _narrowed(product_column, store_column, stores, product_id):
    conditions = within_stores(store_column, stores)
    if product_id is not None:
        conditions.append(product_column == product_id)
    return conditions


def _demand(first_day, middle_day, **scope):
    """Per (product, store): the window's demand, and the part before `middle_day`."""
    return (
        select(Movement.product_id, Movement.store_id,
               demand_sum().label("demand"),
               demand_sum(Movement.created_at < dates.day_start(middle_day)).label("older"))
        .where(Movement.created_at >= dates.day_start(first_day),
               Movement.type.in_(DEMAND_TYPES),
               *_narrowed(Movement.product_id, Movement.store_id, **scope))
        .group_by(Movement.product_id, Movement.store_id)
        .subquery("demand")
    )


def _available(**scope):
    """Per (product, store) with a stock level: Σ on_hand − reserved over its lots."""
    return (
        select(StockLevel.product_id, StockLevel.store_id,
               quantity_sum(StockLevel.on_hand - StockLevel.reserved).label("available"))
        .where(*_narrowed(StockLevel.product_id, StockLevel.store_id, **scope))
        .group_by(StockLevel.product_id, StockLevel.store_id)
        .subquery("levels")
    )


def _on_order(**scope):
    """Per (product, store): what open purchase orders still bring (drafts do not count)."""
    line = PurchaseOrderLine
    return (
        select(line.product_id, PurchaseOrder.store_id,
               quantity_sum(line.quantity - line.received_quantity).label("on_order"))
        .join(PurchaseOrder, PurchaseOrder.id == line.purchase_order_id)
        .where(PurchaseOrder.status.in_(OPEN_STATUSES),
               *_narrowed(line.product_id, PurchaseOrder.store_id, **scope))
        .group_by(line.product_id, PurchaseOrder.store_id)
        .subquery("on_order")
    )


class _Window:
    """The arithmetic of one forecast window, applied to each row of sums."""

    def __init__(self, today, window_days, older_days, cover_days):
        self.today = today
        self.window_days = window_days
        self.older_days = older_days
        self.newer_days = window_days - older_days
        self.cover_days = cover_days

    def row(self, sums):
        demand = max(sums.demand, ZERO)
        daily = demand / self.window_days
        trend, change = self.trend(max(sums.older, ZERO), max(sums.demand - sums.older, ZERO))
        lead_time = sums.lead_time_days or 0
        days_left = reorder_date = None
        if daily > 0:
            days_left = max(sums.available, ZERO) / daily
            reorder_date = max(self.today, self.today + timedelta(
                days=math.floor(days_left) - lead_time))
        return {
            "product_id": sums.id, "sku": sums.sku, "name": sums.name,
            "store_id": sums.store_id, "store_name": sums.store_name, "demand": sums.demand,
            "avg_daily_demand": float(daily.quantize(RATE, ROUND_HALF_UP)),
            "trend": trend, "trend_change": change,
            "available": sums.available, "on_order": sums.on_order,
            "days_until_stockout": (None if days_left is None
                                    else float(days_left.quantize(DAYS, ROUND_HALF_UP))),
            "lead_time_days": lead_time, "suggested_reorder_date": reorder_date,
            "suggested_quantity": self.quantity(daily, lead_time, sums),
        }

    def trend(self, older, newer):
        """(`rising` | `falling` | `flat`, second half ÷ first half − 1 or None)."""
        older_rate, newer_rate = older / self.older_days, newer / self.newer_days
        if not older_rate:
            return ("rising" if newer_rate else "flat"), None
        change = newer_rate / older_rate - 1
        trend = "rising" if change > TREND_BAND else "falling" if change < -TREND_BAND else "flat"
        return trend, float(change.quantize(RATE, ROUND_HALF_UP))

    def quantity(self, daily, lead_time, sums):
        need = daily * (lead_time + self.cover_days) - sums.available - sums.on_order
        if need <= 0:
            return ZERO
        return max(need.to_integral_value(ROUND_CEILING), sums.reorder_quantity).quantize(QUANTITY)
