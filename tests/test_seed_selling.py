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
