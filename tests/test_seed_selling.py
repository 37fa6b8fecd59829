"""`seed-demo` sells and buys too: sales, orders, payments and purchase orders in every
status, a balanced ledger."""

from sqlalchemy import func, select

from inventory_api.debts.models import Debt, Payment, PaymentAllocation
from inventory_api.extensions import db
from inventory_api.orders.models import Order
from inventory_api.sales.models import Sale
from inventory_api.seed import seed_demo
from inventory_api.stock import queries
from inventory_api.stock.models import Movement


def _statuses(column):
    return set(db.session.scalars(select(column).distinct()))


def test_small_seed_has_sales_orders_debts_and_payments_in_every_status(app):
    with app.app_context():
        counts = seed_demo("small")
        assert counts["sales"] >= 25 and counts["sale_returns"] == 5
        assert counts["cancelled_sales"] == 3 and counts["orders"] >= 20
        assert _statuses(Sale.status) == {"completed", "cancelled", "partially_returned",
                                          "returned"}
        assert {"cash", "credit"} <= _statuses(Sale.payment_method)
        assert _statuses(Order.status) == {"pending", "confirmed", "shipped", "delivered",
                                           "cancelled"}
        assert {"open", "paid"} <= _statuses(Debt.status)
        assert counts["payments"] == db.session.scalar(select(func.count()).select_from(Payment))
        assert counts["debts"] == db.session.scalar(select(func.count()).select_from(Debt))
        paid = db.session.execute(select(Debt.id, Debt.paid_amount)).all()
        allocated = dict(db.session.execute(
            select(PaymentAllocation.debt_id, func.sum(PaymentAllocation.amount))
            .group_by(PaymentAllocation.debt_id)).all())
        for debt_id, amount in paid:
            assert amount == allocated.get(debt_id, 0)
        assert counts["movements"] == db.session.scalar(select(func.count()).select_from(Movement))
        from inventory_api.purchasing.models import PurchaseOrder

        assert _statuses(PurchaseOrder.status) == {"draft", "ordered", "partially_received",
                                                   "received", "cancelled"}
        assert counts["purchase_orders"] >= 30 and counts["supplier_ratings"] >= 1
        assert queries.ledger_drift() == []


def _times(table, column):
    return db.session.execute(select(table.c.id, column).where(column.is_not(None))
                              .order_by(table.c.id)).all()


def test_small_seed_is_a_year_told_in_order(app, runner):
    """Dates spread over the year up to now, ids and times in the same order in every
    table, each document's rows at consistent times, every aging bucket open."""
    from datetime import UTC, datetime, timedelta

    from inventory_api.clients.models import Client
    from inventory_api.common.types import UTCDateTime
    from inventory_api.orders.models import OrderStatusChange
    from inventory_api.purchasing.models import PurchaseOrder, PurchaseReceipt

    before = datetime.now(UTC)
    with app.app_context():
        seed_demo("small")
        after = datetime.now(UTC)
        for table in db.metadata.sorted_tables:
            if "id" not in table.c or "created_at" not in table.c:
                continue
            times = [at for _, at in _times(table, table.c.created_at)]
            assert times == sorted(times), table.name
            assert all(before - timedelta(days=365) <= at <= after for at in times), table.name
        for model, recent in ((Sale, 30), (Order, 30), (Movement, 30), (Payment, 120)):
            first, last = db.session.execute(
                select(func.min(model.created_at), func.max(model.created_at))).one()
            assert first < before - timedelta(days=300), model
            assert last > before - timedelta(days=recent), model
        history = [at for _, at in _times(OrderStatusChange.__table__, OrderStatusChange.at)]
        assert history == sorted(history)
        # a sale's movements at the sale's time; a debt due after its client's terms
        late = db.session.scalar(select(func.count()).select_from(Movement).join(
            Sale, (Movement.reference_type == "sale") & (Movement.reference_id == Sale.id))
            .where(Movement.type == "sale", Movement.created_at != Sale.created_at))
        assert late == 0
        for created, due, terms in db.session.execute(
                select(Debt.created_at, Debt.due_date, Client.payment_terms_days)
                .join(Client, Client.id == Debt.client_id)):
            assert due == created.date() + timedelta(days=terms)
        early = db.session.scalar(select(func.count()).select_from(PaymentAllocation)
                                  .join(Payment).join(Debt)
                                  .where(Payment.created_at < Debt.created_at))
        assert early == 0
        for po in db.session.scalars(select(PurchaseOrder)):
            assert po.ordered_at is None or po.ordered_at > po.created_at
            assert po.received_at is None or po.received_at > po.ordered_at
        receipts = db.session.execute(select(PurchaseReceipt.received_at, PurchaseOrder.ordered_at)
                                      .join(PurchaseOrder)).all()
        assert receipts and all(received > ordered for received, ordered in receipts)
        ages = {(before - created).days for (created,) in db.session.execute(
            select(Debt.created_at).where(Debt.status == "open"))}
        buckets = {next((n for n, bound in enumerate((30, 60, 90)) if age <= bound), 3)
                   for age in ages}
        assert buckets == {0, 1, 2, 3}
        assert isinstance(Debt.__table__.c.created_at.type, UTCDateTime)
        db.session.remove()
    check = runner.invoke(args=["check-ledger"])
    assert check.exit_code == 0 and "Ledger OK" in check.output
