"""Selling reports: the dashboard, sales grouped by a key, and top products.

What these three reports count, the same way in each:

* **Sales that count**: every sale except `cancelled` ones. A sale that was
  returned in full still counts in `sales_count` (it happened), with a net
  amount and quantity of zero.
* **Money sold is net of returns**: a sale's amount is `total −
  returned_total`; a line's is its `line_total` less the value of what came
  back from it (the sum of its return lines, i.e. the service's pro-rata
  value, to the cent). `subtotal` and `discount_total` are as at the time of
  sale, so `subtotal − discount_total − returned_total = total` on every
  row and in the totals. A return lowers the figures of its sale (and the
  sale's day), whenever it was made.
* **Quantities are net of returns**: `quantity − returned_quantity`.
* **Days** are the business's (`common/dates.py`); a period is whole days,
  both ends included. Without `date_from` / `date_to` a period is the 30 days
  ending today; with only one of them, the 30 days starting (or ending)
  there. The effective period is echoed in the body.
* **Store scope**: `store_id`, or a store-scoped manager's stores (another
  store: 403). A store id that names no store gives empty figures.

Every figure is a SQL aggregate; a report runs a fixed number of statements
whatever the number of sales, products or days (week and month rows are
folded in Python from the day rows, which are bounded by the period). Reads
go through `source` (the replica when one is configured).
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, and_, case, cast, func, or_, select, type_coerce

from ..categories.models import Category
from ..common import dates
from ..common.types import MONEY_PLACES, Money, Quantity
from ..debts.models import Debt
from ..orders.models import STATUSES as ORDER_STATUSES
from ..orders.models import Order
from ..products.models import Product
from ..sales.models import Sale, SaleLine, SaleReturnLine
from ..stock.models import StockLevel
from ..stock.queries import low_stock_select
from ..stores.models import Store
from ..users.models import User
from . import source
from .args import period, store_scope, within_stores
from .export import Column, Report

DASHBOARD_TOP = 5
UNCATEGORISED = "Uncategorised"
ZERO = Decimal("0.00")
ZERO_QTY = Decimal("0.000")

MONEY_COLUMNS = [Column("subtotal", "Subtotal", True), Column("discount_total", "Discounts", True),
                 Column("returned_total", "Returned", True), Column("total", "Total (net)", True)]
MONEY_KEYS = [column.key for column in MONEY_COLUMNS]

# per group_by: the key columns of a row, and whether rows carry a quantity
GROUP_KEYS = {
    "day": [Column("date", "Date")],
    "week": [Column("week_start", "Week of (Monday)")],
    "month": [Column("month", "Month")],
    "product": [Column("product_id", "Product id", True), Column("sku", "SKU"),
                Column("name", "Product")],
    "category": [Column("category_id", "Category id", True), Column("name", "Category")],
    "store": [Column("store_id", "Store id", True), Column("name", "Store")],
    "employee": [Column("user_id", "User id", True), Column("name", "Name"),
                 Column("email", "Email")],
}
WITH_QUANTITY = ("product", "category")


# --------------------------------------------------------------------------- shared pieces


def _counted(date_from, date_to, stores):
    """Conditions on Sale: counted (not cancelled), in the period and the stores."""
    return [Sale.status != "cancelled",
            *dates.within_days(Sale.created_at, date_from, date_to),
            *within_stores(Sale.store_id, stores)]


def _money_sum(expression):
    return type_coerce(func.coalesce(func.sum(expression), 0), Money())


def _quantity_sum(expression):
    return type_coerce(func.coalesce(func.sum(expression), 0), Quantity())


def _sale_figures(sales=Sale):
    """The aggregate columns of a group of sales (`sales`: Sale or a subquery of it)."""
    c = sales if sales is Sale else sales.c
    return [func.count(c.id).label("sales_count"),
            _money_sum(c.subtotal).label("subtotal"),
            _money_sum(c.discount_total).label("discount_total"),
            _money_sum(c.returned_total).label("returned_total"),
            _money_sum(c.total - c.returned_total).label("total")]


def _period_lines(conditions):
    """A subquery: one row per line of the counted sales, its figures net of returns.

    `returned` is the value of what came back from the line (Σ of its return
    lines), read per line through the return lines' `sale_line_id` index.
    """
    returned = (select(func.coalesce(func.sum(SaleReturnLine.value), 0))
                .where(SaleReturnLine.sale_line_id == SaleLine.id)
                .correlate(SaleLine).scalar_subquery())
    return (select(SaleLine.sale_id, SaleLine.product_id,
                   (SaleLine.quantity - SaleLine.returned_quantity).label("quantity"),
                   (SaleLine.line_total + SaleLine.discount).label("gross"),
                   SaleLine.discount, SaleLine.line_total, returned.label("returned"))
            .join(Sale, Sale.id == SaleLine.sale_id)
            .where(*conditions)
            .subquery("period_lines"))


def _line_figures(lines):
    """The aggregate columns of a group of sale lines (from `_period_lines`)."""
    c = lines.c
    return [func.count(func.distinct(c.sale_id)).label("sales_count"),
            _quantity_sum(c.quantity).label("quantity"),
            _money_sum(c.gross).label("subtotal"),
            _money_sum(c.discount).label("discount_total"),
            _money_sum(c.returned).label("returned_total"),
            _money_sum(c.line_total - c.returned).label("total")]


def _figures(row, quantity=False):
    """A row's figures as a dict (money as Decimals to the cent)."""
    figures = {"sales_count": int(row.sales_count)}
    if quantity:
        figures["quantity"] = row.quantity
    figures.update({key: getattr(row, key) for key in MONEY_KEYS})
    return figures


def _exact_value(quantity, unit_cost):
    """SQL: quantity × unit_cost as an integer count of 1/100000 (exact on SQLite's REAL)."""
    return (cast(func.round(quantity * 1000), BigInteger)
            * cast(func.round(unit_cost * 100), BigInteger))


def _from_exact_value(units):
    return (Decimal(int(units or 0)) / 100000).quantize(MONEY_PLACES, ROUND_HALF_UP)


# --------------------------------------------------------------------------- top products


def _top_products(conditions, by, limit):
    """[{rank, product_id, sku, name, quantity, amount}] of the counted lines, best first.

    Ranked by net amount or net quantity (ties: lower product id first);
    products whose whole quantity came back are left out. One statement.
    """
    lines = _period_lines(conditions)
    quantity = func.sum(lines.c.quantity)
    amount = func.sum(lines.c.line_total - lines.c.returned)
    first, second = (func.round(amount, 2), func.round(quantity, 3)) if by == "amount" else (
        func.round(quantity, 3), func.round(amount, 2))
    rows = source.rows(
        select(Product.id, Product.sku, Product.name,
               type_coerce(quantity, Quantity()).label("quantity"),
               type_coerce(amount, Money()).label("amount"))
        .select_from(lines).join(Product, Product.id == lines.c.product_id)
        .group_by(Product.id, Product.sku, Product.name)
        .having(quantity > 0)
        .order_by(first.desc(), second.desc(), Product.id)
        .limit(limit))
    return [{"rank": rank, "product_id": row.id, "sku": row.sku, "name": row.name,
             "quantity": row.quantity, "amount": row.amount}
            for rank, row in enumerate(rows, start=1)]


TOP_COLUMNS = [Column("rank", "Rank", True), Column("product_id", "Product id", True),
               Column("sku", "SKU"), Column("name", "Product"),
               Column("quantity", "Quantity", True), Column("amount", "Amount (net)", True)]


def top_products(args, principal):
    """`/reports/top-products`: the best-selling products of the period, by amount or quantity.

    Body: `{date_from, date_to, store_id, by, limit, rows}`; each row `rank`,
    `product_id`, `sku`, `name`, `quantity`, `amount` (both net of returns).
    """
    stores = store_scope(principal, args.get("store_id"))
    date_from, date_to = period(args)
    by, limit = args["by"], args["limit"]
    rows = _top_products(_counted(date_from, date_to, stores), by, limit)
    filters = {"date_from": date_from, "date_to": date_to, "store_id": args.get("store_id"),
               "by": by, "limit": limit}
    return Report(name=f"top-products-by-{by}", title=f"Top products by {by}",
                  columns=TOP_COLUMNS, rows=rows, body={**filters, "rows": rows},
                  filters=filters)


# --------------------------------------------------------------------------- sales


def _day_rows(conditions, date_from, date_to):
    """[(day, figures)] of the days with counted sales, oldest first. One statement."""
    day = dates.local_day_number(Sale.created_at, dates.day_start(date_from),
                                 dates.day_start(date_to + timedelta(days=1)))
    # grouped over a subquery's column: the day expression carries bound values, and
    # PostgreSQL would not see two renderings of it (SELECT, GROUP BY) as the same
    sales = (select(day.label("day"), Sale.id, Sale.subtotal, Sale.discount_total,
                    Sale.returned_total, Sale.total).where(*conditions).subquery("dated_sales"))
    rows = source.rows(select(sales.c.day, *_sale_figures(sales))
                       .group_by(sales.c.day).order_by(sales.c.day))
    return [(dates.day_from_number(row.day), _figures(row)) for row in rows]


def _folded(day_rows, key, label):
    """Day rows summed into rows keyed by `key(day)` (week start, month), in order."""
    folded = {}
    for day, figures in day_rows:
        row = folded.setdefault(key(day), {label: key(day), "sales_count": 0,
                                           **dict.fromkeys(MONEY_KEYS, ZERO)})
        for name, value in figures.items():
            row[name] += value
    return list(folded.values())


def _by_time(group_by, conditions, date_from, date_to):
    day_rows = _day_rows(conditions, date_from, date_to)
    if group_by == "day":
        return [{"date": day, **figures} for day, figures in day_rows]
    if group_by == "week":
        return _folded(day_rows, lambda day: day - timedelta(days=day.weekday()), "week_start")
    return _folded(day_rows, lambda day: f"{day:%Y-%m}", "month")


def _by_product(conditions):
    lines = _period_lines(conditions)
    rows = source.rows(select(Product.id, Product.sku, Product.name, *_line_figures(lines))
                       .select_from(lines).join(Product, Product.id == lines.c.product_id)
                       .group_by(Product.id, Product.sku, Product.name))
    return [{"product_id": row.id, "sku": row.sku, "name": row.name,
             **_figures(row, quantity=True)} for row in rows]


def _by_category(conditions):
    lines = _period_lines(conditions)
    rows = source.rows(select(Product.category_id, Category.name, *_line_figures(lines))
                       .select_from(lines).join(Product, Product.id == lines.c.product_id)
                       .outerjoin(Category, Category.id == Product.category_id)
                       .group_by(Product.category_id, Category.name))
    return [{"category_id": row.category_id,
             "name": row.name if row.category_id is not None else UNCATEGORISED,
             **_figures(row, quantity=True)} for row in rows]


def _by_store(conditions):
    rows = source.rows(select(Sale.store_id, Store.name, *_sale_figures())
                       .join(Store, Store.id == Sale.store_id).where(*conditions)
                       .group_by(Sale.store_id, Store.name))
    return [{"store_id": row.store_id, "name": row.name, **_figures(row)} for row in rows]


def _by_employee(conditions):
    rows = source.rows(select(Sale.created_by_id, User.name, User.email, *_sale_figures())
                       .outerjoin(User, User.id == Sale.created_by_id).where(*conditions)
                       .group_by(Sale.created_by_id, User.name, User.email))
    return [{"user_id": row.created_by_id, "name": row.name, "email": row.email,
             **_figures(row)} for row in rows]


GROUPERS = {"product": _by_product, "category": _by_category, "store": _by_store,
            "employee": _by_employee}
ID_KEYS = {"product": "product_id", "category": "category_id", "store": "store_id",
           "employee": "user_id"}


def _largest_first(rows, id_key):
    """Rows by net total, largest first; ties by id, the null group (no id) last."""
    return sorted(rows, key=lambda row: (-row["total"], row[id_key] is None, row[id_key] or 0))


def sales(args, principal):
    """`/reports/sales`: the period's counted sales grouped by `group_by`, with totals.

    Rows: the group's key (`date`; `week_start`, the Monday; `month` "YYYY-MM";
    `product_id`, `sku`, `name`; `category_id`, `name` (a product without a
    category: null id, "Uncategorised"); `store_id`, `name`; `user_id`,
    `name`, `email` (null for sales made with an API key)), then
    `sales_count`, `quantity` (product and category only), `subtotal`,
    `discount_total`, `returned_total` and `total` (net of returns).

    Time rows are only the days (weeks, months) with sales, oldest first; a
    week or month at an end of the period covers only its days inside it.
    Other rows come largest net total first. A product or category row's
    `sales_count` is the number of sales it appears in; `totals.sales_count`
    counts each sale once. Categories are the products' own (not rolled up
    to their parents) as they are now.
    """
    stores = store_scope(principal, args.get("store_id"))
    date_from, date_to = period(args)
    group_by = args["group_by"]
    conditions = _counted(date_from, date_to, stores)
    if group_by in GROUPERS:
        rows = _largest_first(GROUPERS[group_by](conditions), ID_KEYS[group_by])
    else:
        rows = _by_time(group_by, conditions, date_from, date_to)
    quantity = group_by in WITH_QUANTITY
    totals = _figures(source.one(select(*_sale_figures()).where(*conditions)))
    if quantity:
        totals["quantity"] = sum((row["quantity"] for row in rows), ZERO_QTY)
    columns = [*GROUP_KEYS[group_by], Column("sales_count", "Sales", True),
               *([Column("quantity", "Quantity", True)] if quantity else []), *MONEY_COLUMNS]
    filters = {"date_from": date_from, "date_to": date_to, "store_id": args.get("store_id"),
               "group_by": group_by}
    return Report(name=f"sales-by-{group_by}", title=f"Sales by {group_by}", columns=columns,
                  rows=rows, totals=totals, body={**filters, "rows": rows, "totals": totals},
                  filters=filters)


# --------------------------------------------------------------------------- dashboard


def _sales_today_and_month(today, month_start, stores):
    """(today's figures, the month's) as {sales_count, sales_amount}. One statement."""
    is_today = Sale.created_at >= dates.day_start(today)
    net = Sale.total - Sale.returned_total
    row = source.one(select(
        func.count(case((is_today, Sale.id))).label("today_count"),
        _money_sum(case((is_today, net), else_=0)).label("today_amount"),
        func.count(Sale.id).label("month_count"),
        _money_sum(net).label("month_amount"),
    ).where(*_counted(month_start, today, stores)))
    return ({"sales_count": int(row.today_count), "sales_amount": row.today_amount},
            {"sales_count": int(row.month_count), "sales_amount": row.month_amount})


def _orders_by_status(stores):
    """{status: count} over every status the contract names (0 when none)."""
    rows = source.rows(select(Order.status, func.count(Order.id))
                       .where(*within_stores(Order.store_id, stores)).group_by(Order.status))
    counts = dict.fromkeys(ORDER_STATUSES, 0)
    counts.update({status: int(count) for status, count in rows})
    return counts


def _open_debt_total(stores):
    """Σ balance of the open debts; in a store scope, of those whose sale or order is there."""
    stmt = select(_money_sum(Debt.amount - Debt.paid_amount)).where(Debt.status == "open")
    if stores is not None:
        stmt = (stmt.outerjoin(Sale, and_(Debt.source_type == "sale", Sale.id == Debt.source_id))
                .outerjoin(Order, and_(Debt.source_type == "order",
                                       Order.id == Debt.source_id))
                .where(or_(Sale.store_id.in_(stores), Order.store_id.in_(stores))))
    return source.scalar(stmt)


def _low_stock_count(store_id, principal):
    """How many (product, store) rows `/alerts/low-stock` lists for this scope."""
    listed = low_stock_select({"store_id": store_id}, principal).order_by(None).subquery()
    return int(source.scalar(select(func.count()).select_from(listed)))


def _stock_value(stores):
    """Σ on_hand × the product's current cost over the stock rows in scope (every
    product, archived ones too: their stock is still there)."""
    units = source.scalar(select(func.sum(_exact_value(StockLevel.on_hand, Product.cost)))
                          .join(Product, Product.id == StockLevel.product_id)
                          .where(*within_stores(StockLevel.store_id, stores)))
    return _from_exact_value(units)


def dashboard(args, principal):
    """`/reports/dashboard`: today and this month at a glance, with the present state.

    Body: `store_id`; `today` {date, sales_count, sales_amount}; `month` {from
    (its first day), sales_count, sales_amount} up to and including today;
    `orders_by_status` (every order by its current status, each status
    present); `open_debt_total`; `low_stock_count` (the rows of
    `/alerts/low-stock`); `stock_value` (Σ on_hand × current cost);
    `top_products`: the month's five best by net amount. CSV: one `metric,
    value` line per figure, keys flattened with dots (`today.sales_count`,
    `top_products.1.sku`).
    """
    store_id = args.get("store_id")
    stores = store_scope(principal, store_id)
    today = dates.today()
    month_start = today.replace(day=1)
    day_figures, month_figures = _sales_today_and_month(today, month_start, stores)
    body = {
        "store_id": store_id,
        "today": {"date": today, **day_figures},
        "month": {"from": month_start, **month_figures},
        "orders_by_status": _orders_by_status(stores),
        "open_debt_total": _open_debt_total(stores),
        "low_stock_count": _low_stock_count(store_id, principal),
        "stock_value": _stock_value(stores),
        "top_products": _top_products(_counted(month_start, today, stores), "amount",
                                      DASHBOARD_TOP),
    }
    rows = [{"metric": metric, "value": value} for metric, value in _flattened(body)]
    return Report(name="dashboard", title="Dashboard",
                  columns=[Column("metric", "Metric"), Column("value", "Value")],
                  rows=rows, body=body, filters={"store_id": store_id})


def _flattened(value, prefix=""):
    """(dotted key, value) pairs of nested dicts and lists (list items numbered from 1)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(n), item) for n, item in enumerate(value, start=1))
    else:
        yield prefix, value
        return
    for key, item in items:
        yield from _flattened(item, f"{prefix}.{key}" if prefix else key)
