"""What a client buys and how it stands: `/clients/{id}/insights` (manager+).

Purchases are recorded by the sales domain, which refers to clients: this
module never imports it. `sales` registers, with `register_purchases`, two
SQL selects for one client — its purchases and what they held — and this
module aggregates them in SQL: reading a client's insights takes the same
three statements (the client, the figures, the top products) whether it
bought twice or ten thousand times. With nothing registered, every client
reads as one that never bought.

What counts (the convention the reports share):

* a purchase is a sale of the client in any status except `cancelled`
  (a fully returned sale still counts as a purchase, worth 0.00);
* money is net of returns (`total − returned_total` per sale; a line's
  `line_total` less the value of its returns), quantities net of
  `returned_quantity`.

The figures:

* `purchases_count`, `total_spent` (Σ net amounts), `avg_ticket`
  (`total_spent / purchases_count`, 2 places, null without purchases);
* `first_purchase_at`, `last_purchase_at`: the first and latest purchase;
* `avg_days_between_purchases`: `(last − first) / (purchases_count − 1)`
  in days (fractions of a day included), 2 places; null with fewer than
  two purchases;
* `top_products`: the TOP_PRODUCTS products with the highest net amount
  (ties: lower product id first), each with its net `quantity` and
  `amount`; a product whose every unit came back is left out.

The segment is RFM-based; `rfm` in the answer shows the three inputs:

* `recency_days`: business days (BUSINESS_TIMEZONE) from the day of the
  latest purchase to today; null without purchases;
* `frequency`: purchases in the last WINDOW_DAYS days (those on or after the
  start of the business day WINDOW_DAYS days ago, i.e. `recency_days` ≤ 365);
* `monetary`: the net amount of those purchases.

The rules, evaluated in this order (the first that holds wins):

1. `new`: no purchase yet;
2. `lost`: `recency_days` > LOST_AFTER_DAYS (180);
3. `at_risk`: `recency_days` > AT_RISK_AFTER_DAYS (90);
4. `champion`: `frequency` ≥ CHAMPION_FREQUENCY (10) and `monetary` ≥
   CHAMPION_MONETARY (1000.00);
5. `loyal`: `frequency` ≥ LOYAL_FREQUENCY (3);
6. `new` otherwise: a recent client with fewer than 3 purchases in the year.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, case, cast, func, select

from ..common import dates
from ..common.lookup import get_or_404
from ..common.types import MONEY_PLACES, QTY_PLACES
from ..extensions import db
from .models import Client

SEGMENTS = ("new", "loyal", "at_risk", "lost", "champion")
TOP_PRODUCTS = 5
WINDOW_DAYS = 365
LOST_AFTER_DAYS = 180
AT_RISK_AFTER_DAYS = 90
CHAMPION_FREQUENCY = 10
CHAMPION_MONETARY = Decimal("1000.00")
LOYAL_FREQUENCY = 3
DAY_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")


# "purchases" / "products" -> function(client_id) returning a select (see register_purchases)
_SOURCE = {}


def register_purchases(purchases, products):
    """Let the domain that records purchases (sales) supply them; replaces any earlier one.

    `purchases(client_id)` returns a select with one row per purchase of the
    client that counts and the columns `purchased_at` (a UTC timestamp) and
    `amount` (money, net of returns). `products(client_id)` returns a select
    with one row per line of those purchases and the columns `product_id`,
    `name`, `quantity` and `amount` (both net of returns).
    """
    _SOURCE.update(purchases=purchases, products=products)


def _cents(amount):
    """SQL: money as a whole number of cents, so sums are exact (SQLite stores REAL)."""
    return cast(func.round(amount * 100), BigInteger)


def _thousandths(quantity):
    return cast(func.round(quantity * 1000), BigInteger)


def _money(cents):
    return (Decimal(int(cents)) / 100).quantize(MONEY_PLACES, ROUND_HALF_UP)


def _figures(client_id, since):
    """One row: count, cents, first and last purchase, and count and cents since `since`."""
    purchases = _SOURCE["purchases"](client_id).subquery("purchases")
    recent = purchases.c.purchased_at >= since
    cents = _cents(purchases.c.amount)
    return db.session.execute(select(
        func.count().label("count"),
        func.coalesce(func.sum(cents), 0).label("cents"),
        func.min(purchases.c.purchased_at).label("first"),
        func.max(purchases.c.purchased_at).label("last"),
        func.coalesce(func.sum(case((recent, 1), else_=0)), 0).label("recent_count"),
        func.coalesce(func.sum(case((recent, cents), else_=0)), 0).label("recent_cents"),
    ).select_from(purchases)).one()


def _top_products(client_id):
    """The client's TOP_PRODUCTS products by net amount, as answer rows."""
    lines = _SOURCE["products"](client_id).subquery("bought")
    quantity = func.sum(_thousandths(lines.c.quantity)).label("quantity")
    cents = func.sum(_cents(lines.c.amount)).label("cents")
    rows = db.session.execute(
        select(lines.c.product_id, lines.c.name, quantity, cents)
        .group_by(lines.c.product_id, lines.c.name)
        .having(quantity > 0)
        .order_by(cents.desc(), lines.c.product_id)
        .limit(TOP_PRODUCTS))
    return [{"id": row.product_id, "name": row.name,
             "quantity": (Decimal(int(row.quantity)) / 1000).quantize(QTY_PLACES),
             "amount": _money(row.cents)} for row in rows]


def segment(recency_days, frequency, monetary):
    """The RFM segment of a client (rules in the module docstring); None recency = never bought."""
    if recency_days is None:
        return "new"
    if recency_days > LOST_AFTER_DAYS:
        return "lost"
    if recency_days > AT_RISK_AFTER_DAYS:
        return "at_risk"
    if frequency >= CHAMPION_FREQUENCY and monetary >= CHAMPION_MONETARY:
        return "champion"
    if frequency >= LOYAL_FREQUENCY:
        return "loyal"
    return "new"


def _avg_days_between(first, last, count):
    if count < 2:
        return None
    days = Decimal((last - first).total_seconds()) / 86400 / (count - 1)
    return float(days.quantize(DAY_PLACES, ROUND_HALF_UP))


def client_insights(client_id):
    """The client's purchase figures, top products and RFM segment (a dict). Reads only.

    404 for an unknown client.
    """
    get_or_404(Client, client_id)
    if not _SOURCE:
        return _no_purchases(client_id)
    today = dates.today()
    figures = _figures(client_id, dates.day_start(today - timedelta(days=WINDOW_DAYS)))
    count = int(figures.count)
    if not count:
        return _no_purchases(client_id)
    total = _money(figures.cents)
    recency = (today - dates.local_date(figures.last)).days
    frequency, monetary = int(figures.recent_count), _money(figures.recent_cents)
    return {
        "client_id": client_id,
        "purchases_count": count,
        "total_spent": total,
        "avg_ticket": (total / count).quantize(MONEY_PLACES, ROUND_HALF_UP),
        "first_purchase_at": figures.first,
        "last_purchase_at": figures.last,
        "avg_days_between_purchases": _avg_days_between(figures.first, figures.last, count),
        "top_products": _top_products(client_id),
        "segment": segment(recency, frequency, monetary),
        "rfm": {"recency_days": recency, "frequency": frequency, "monetary": monetary},
    }


def _no_purchases(client_id):
    """The answer for a client that never bought (rule 1: `new`)."""
    return {"client_id": client_id, "purchases_count": 0, "total_spent": ZERO,
            "avg_ticket": None, "first_purchase_at": None, "last_purchase_at": None,
            "avg_days_between_purchases": None, "top_products": [], "segment": "new",
            "rfm": {"recency_days": None, "frequency": 0, "monetary": ZERO}}
