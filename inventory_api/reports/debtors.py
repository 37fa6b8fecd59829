"""Debtors: what each client owes, aged by how long ago each debt arose.

A debt arose on the business's day of its `created_at`; on day `as_of` its
age is `as_of − that day` in days, and what was still open of it then
falls in one bucket: `0-30` (0 to 30 days), `31-60`, `61-90` and `90+`
(91 days and more). What was open on `as_of` is the debt's amount less
every allocation (payment, return credit, void) posted up to the end of
that day, so a past `as_of` shows the balances as they stood then (a debt
paid off since still counts; one arising after `as_of` does not).

No day arithmetic runs in SQL: age ≤ 30 days is the same as "created at
or after the first instant of day `as_of − 30`" in the business's zone, so
the buckets are comparisons of `created_at` with three instants.
"""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select, type_coerce

from ..clients.models import Client
from ..common import dates
from ..common.types import Money
from ..debts.models import Debt, PaymentAllocation
from ..orders.models import Order
from ..sales.models import Sale
from . import source
from .export import Column, Report
from .holdings import single_store

# (key, the oldest age in days the bucket holds; None: no limit)
BUCKETS = (("0-30", 30), ("31-60", 60), ("61-90", 90), ("90+", None))
ZERO = Decimal("0.00")

DEBTORS_COLUMNS = [
    Column("client_id", "Client id", numeric=True), Column("name", "Client"),
    *(Column(key, key, numeric=True) for key, _ in BUCKETS),
    Column("balance", "Balance", numeric=True),
]


def _money_sum(expression):
    return type_coerce(func.coalesce(func.sum(expression), 0), Money())


def _debt_store():
    """SQL: the store of a debt's source document (sale or order)."""
    return func.coalesce(Sale.store_id, Order.store_id)


def debtors(stores, as_of):
    """Per client with something open on `as_of`: its balance in the aging buckets
    (module docstring), biggest balance first. `stores` (from `store_scope`)
    keeps the debts of sales and orders of those stores. One statement.

    Rows: `client_id`, `name`, `balance` and `buckets` {"0-30": ..., "31-60":
    ..., "61-90": ..., "90+": ...} (the CSV/PDF rows have those keys flat);
    `totals`: the same per bucket and overall.
    """
    end = dates.day_start(as_of + timedelta(days=1))
    paid = (
        select(PaymentAllocation.debt_id, func.sum(PaymentAllocation.amount).label("paid"))
        .where(PaymentAllocation.created_at < end)
        .group_by(PaymentAllocation.debt_id)
        .subquery("paid")
    )
    balance = Debt.amount - func.coalesce(paid.c.paid, 0)
    sums = []
    newer = end  # the bucket before holds what arose from here on
    for key, oldest in BUCKETS:
        since = None if oldest is None else dates.day_start(as_of - timedelta(days=oldest))
        arose = Debt.created_at < newer
        if since is not None:
            arose = and_(arose, Debt.created_at >= since)
        sums.append(_money_sum(case((arose, balance), else_=0)).label(key))
        newer = since
    stmt = (
        select(Client.id, Client.name, *sums, _money_sum(balance).label("balance"))
        .select_from(Debt)
        .join(Client, Client.id == Debt.client_id)
        .outerjoin(paid, paid.c.debt_id == Debt.id)
        # a debt paid or voided before `end` was closed on `as_of`: its last update
        # (the one that closed it) came before `end`
        .where(Debt.created_at < end, or_(Debt.status == "open", Debt.updated_at >= end))
        .group_by(Client.id, Client.name)
    )
    if stores is not None:
        stmt = (stmt.outerjoin(Sale, (Debt.source_type == "sale") & (Sale.id == Debt.source_id))
                .outerjoin(Order, (Debt.source_type == "order") & (Order.id == Debt.source_id))
                .where(_debt_store().in_(stores)))
    flat = sorted((_flat_row(row) for row in source.rows(stmt)),
                  key=lambda row: (-row["balance"], row["name"], row["client_id"]))
    flat = [row for row in flat if row["balance"]]
    keys = [key for key, _ in BUCKETS] + ["balance"]
    totals = {key: sum((row[key] for row in flat), ZERO) for key in keys}
    rows = [{"client_id": row["client_id"], "name": row["name"], "balance": row["balance"],
             "buckets": {key: row[key] for key, _ in BUCKETS}} for row in flat]
    filters = {"as_of": as_of, "store_id": single_store(stores)}
    body_totals = {"balance": totals["balance"],
                   "buckets": {key: totals[key] for key, _ in BUCKETS}}
    return Report(name="debtors", title="Debtors", columns=DEBTORS_COLUMNS, rows=flat,
                  totals=totals, filters=filters,
                  body={**filters, "rows": rows, "totals": body_totals})


def _flat_row(row):
    values = row._mapping
    return {"client_id": row.id, "name": row.name, "balance": values["balance"],
            **{key: values[key] for key, _ in BUCKETS}}
