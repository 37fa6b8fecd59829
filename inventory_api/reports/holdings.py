"""What the business holds: inventory valuation and stock turnover.

Both read the present stock from `stock_levels` (a product's lots summed per
store) and, for turnover, the movements ledger; each is one aggregate
statement whatever the catalog's size, read through `source`.

Demand, here and in the forecast, is what customers took: the net outflow
of the `sale` and `order` movements less their `sale_return` and
`order_return` movements. A cancelled sale or order restocks through those
return movements, so it nets out (the lead's rule: every sale but a
cancelled one counts, net of returns). It is counted when the movement was
posted: a sale of the period returned after the period still counts in it.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select, type_coerce

from ..categories.models import Category
from ..common import dates
from ..common.tree import descendants_select
from ..common.types import Quantity
from ..products.models import Product
from ..stock.models import Movement, StockLevel
from ..stores.models import Store
from . import source
from .args import within_stores
from .export import Column, Report

DEMAND_TYPES = ("sale", "order", "sale_return", "order_return")
MONEY = Decimal("0.01")
QUANTITY = Decimal("0.001")
RATE = Decimal("0.0001")
DAYS = Decimal("0.01")
ZERO = Decimal("0.000")


def quantity_sum(expression):
    """SUM of a quantity expression, 0 over no rows, read back as an exact Decimal
    (SQLite sums REAL; the Quantity type quantizes what it returns)."""
    return type_coerce(func.coalesce(func.sum(expression), 0), Quantity())


def or_zero(column):
    """A quantity column of an outer-joined subquery, 0 where the join found nothing."""
    return type_coerce(func.coalesce(column, 0), Quantity())


def demand_sum(*conditions):
    """SQL: Σ units customers took (positive) over the movements meeting `conditions`."""
    taken = and_(Movement.type.in_(DEMAND_TYPES), *conditions)
    return quantity_sum(case((taken, -Movement.quantity), else_=0))


def ratio(numerator, denominator, places=RATE):
    """numerator ÷ denominator as a JSON number rounded to `places`; None when ÷ 0."""
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP))


def in_category(column, category_id):
    """SQL: `column` is `category_id` or one of its subcategories (one recursive CTE,
    inside the report's statement)."""
    return column.in_(descendants_select(Category, category_id).scalar_subquery())


# --------------------------------------------------------------------------- valuation

VALUATION_COLUMNS = [
    Column("product_id", "Product id", numeric=True), Column("sku", "SKU"),
    Column("name", "Product"), Column("store_id", "Store id", numeric=True),
    Column("store_name", "Store"), Column("quantity", "Quantity", numeric=True),
    Column("unit_cost", "Unit cost", numeric=True), Column("value", "Value", numeric=True),
]


def inventory_valuation(stores, category_id=None):
    """The stock on hand valued at each product's moving-average cost, per product and
    store (`stores` from `store_scope`; `category_id` includes its subcategories).

    A row per (product, store) holding stock (lots summed; on_hand 0 left out):
    `quantity` (on_hand, reserved units included: they are still ours),
    `unit_cost` (the product's `cost` now), `value` = quantity × unit_cost
    rounded to cents. `totals`: Σ value (of the rounded row values, so the
    rows add up to it) and Σ quantity (a plain sum over whatever units the
    products use). Rows by SKU, then store name. One statement.
    """
    on_hand = func.sum(StockLevel.on_hand)
    conditions = within_stores(StockLevel.store_id, stores)
    if category_id is not None:
        conditions.append(in_category(Product.category_id, category_id))
    stmt = (
        select(Product.id, Product.sku, Product.name, Store.id.label("store_id"),
               Store.name.label("store_name"), type_coerce(on_hand, Quantity()).label("on_hand"),
               Product.cost)
        .select_from(StockLevel)
        .join(Product, Product.id == StockLevel.product_id)
        .join(Store, Store.id == StockLevel.store_id)
        .where(*conditions)
        .group_by(Product.id, Product.sku, Product.name, Store.id, Store.name, Product.cost)
        .having(on_hand > 0)
        .order_by(Product.sku, Store.name, Store.id)
    )
    rows = [{"product_id": row.id, "sku": row.sku, "name": row.name,
             "store_id": row.store_id, "store_name": row.store_name,
             "quantity": row.on_hand, "unit_cost": row.cost,
             "value": (row.on_hand * row.cost).quantize(MONEY, ROUND_HALF_UP)}
            for row in source.rows(stmt)]
    totals = {"quantity": sum((row["quantity"] for row in rows), ZERO),
              "value": sum((row["value"] for row in rows), Decimal("0.00"))}
    filters = {"store_id": single_store(stores), "category_id": category_id}
    return Report(name="inventory-valuation", title="Inventory valuation",
                  columns=VALUATION_COLUMNS, rows=rows, totals=totals, filters=filters,
                  body={**filters, "rows": rows, "totals": totals})


def single_store(stores):
    """The `store_id` to echo: the one store asked for, else None (all, or the caller's)."""
    return stores[0] if stores is not None and len(stores) == 1 else None


# --------------------------------------------------------------------------- turnover

TURNOVER_COLUMNS = [
    Column("product_id", "Product id", numeric=True), Column("sku", "SKU"),
    Column("name", "Product"), Column("units_sold", "Units sold", numeric=True),
    Column("opening_stock", "Opening stock", numeric=True),
    Column("closing_stock", "Closing stock", numeric=True),
    Column("average_stock", "Average stock", numeric=True),
    Column("turnover", "Turnover", numeric=True),
    Column("days_of_cover", "Days of cover", numeric=True),
]


def stock_turnover(stores, date_from, date_to):
    """How fast each product's stock turns over in the period, over the stores in scope.

    Per product with stock or movements in those stores:

    * `units_sold`: demand in the period (module docstring);
    * `closing_stock`: on_hand at the end of `date_to`, i.e. on_hand now
      less every movement posted after the period (a period in the future
      closes at today's stock);
    * `opening_stock`: closing less the period's net movements (all types),
      i.e. on_hand at the start of `date_from`;
    * `average_stock`: the mean of opening and closing (rounded to 3 places
      for display; the ratios use the exact mean);
    * `turnover` = units_sold ÷ average_stock (4 places), null when the
      average is 0;
    * `days_of_cover` = closing_stock ÷ (units_sold ÷ days in the period)
      (2 places), null when nothing was sold (units_sold ≤ 0).

    Products with nothing on hand at both ends and nothing sold are left
    out. Rows by SKU. One statement: the stock levels and the period's
    movements (from `date_from` on) each summed per product in SQL.
    """
    start, end = dates.day_start(date_from), dates.day_start(date_to + timedelta(days=1))
    days = (date_to - date_from).days + 1
    after_end = Movement.created_at >= end
    moves = (
        select(Movement.product_id,
               demand_sum(Movement.created_at < end).label("sold"),
               quantity_sum(case((after_end, 0), else_=Movement.quantity)).label("during"),
               quantity_sum(case((after_end, Movement.quantity), else_=0)).label("after"))
        .where(Movement.created_at >= start, *within_stores(Movement.store_id, stores))
        .group_by(Movement.product_id)
        .subquery("moves")
    )
    levels = (
        select(StockLevel.product_id, func.sum(StockLevel.on_hand).label("on_hand"))
        .where(*within_stores(StockLevel.store_id, stores))
        .group_by(StockLevel.product_id)
        .subquery("levels")
    )
    stmt = (
        select(Product.id, Product.sku, Product.name,
               type_coerce(levels.c.on_hand, Quantity()).label("on_hand"),
               or_zero(moves.c.sold).label("sold"), or_zero(moves.c.during).label("during"),
               or_zero(moves.c.after).label("after"))
        .select_from(levels)
        .join(Product, Product.id == levels.c.product_id)
        .outerjoin(moves, moves.c.product_id == levels.c.product_id)
        .order_by(Product.sku, Product.id)
    )
    rows = [row for row in (_turnover_row(sums, days) for sums in source.rows(stmt))
            if row is not None]
    filters = {"date_from": date_from, "date_to": date_to, "store_id": single_store(stores)}
    return Report(name="stock-turnover", title="Stock turnover", columns=TURNOVER_COLUMNS,
                  rows=rows, filters=filters, body={**filters, "rows": rows})


def _turnover_row(row, days):
    """The report row of one product's sums, or None when there is nothing to say."""
    closing = row.on_hand - row.after
    opening = closing - row.during
    sold = row.sold
    if not opening and not closing and not sold:
        return None
    average = (opening + closing) / 2
    return {"product_id": row.id, "sku": row.sku, "name": row.name, "units_sold": sold,
            "opening_stock": opening, "closing_stock": closing,
            "average_stock": average.quantize(QUANTITY, ROUND_HALF_UP),
            "turnover": ratio(sold, average),
            "days_of_cover": ratio(closing * days, sold, DAYS) if sold > 0 else None}
