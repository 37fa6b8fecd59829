"""Reading debts, payments and statements, scoped to what the caller may see.

Staff (`debts:read` / `payments:read`) see every client's records; anyone
else (a customer) sees only its own client's: another client's record is
404, and lists hold only its own rows whatever the filters.
"""


from sqlalchemy import and_, exists, false, not_, select

from ..clients.models import Client
from ..common.dates import within_days
from ..common.pagination import apply_sort
from ..errors import NotFound
from ..extensions import db
from .models import Debt, Payment, PaymentAllocation
from .service import client_balance, money, overdue_condition


def _own_client(principal, permission):
    """None when `principal` sees every client; else the client id it may see (or 0)."""
    if principal.can(permission):
        return None
    return principal.client_id or 0


def _scope(stmt, column, principal, permission):
    own = _own_client(principal, permission)
    if own is None:
        return stmt
    return stmt.where(column == own) if own else stmt.where(false())


def debts_select(args, principal):
    """The debts the caller may see, filtered and sorted (default: due date, then id)."""
    stmt = _scope(select(Debt), Debt.client_id, principal, "debts:read")
    if "client_id" in args:
        stmt = stmt.where(Debt.client_id == args["client_id"])
    if "status" in args:
        stmt = stmt.where(Debt.status == args["status"])
    if "overdue" in args:
        condition = overdue_condition()
        stmt = stmt.where(condition if args["overdue"] else not_(condition))
    if "source_type" in args:
        stmt = stmt.where(Debt.source_type == args["source_type"])
    if "source_id" in args:
        stmt = stmt.where(Debt.source_id == args["source_id"])
    columns = {"due_date": Debt.due_date, "created_at": Debt.created_at, "amount": Debt.amount}
    return apply_sort(stmt, args.get("sort", "due_date"), columns, Debt.id)


def get_debt(debt_id, principal):
    """One debt the caller may see (with its allocations), else NotFound."""
    debt = db.session.get(Debt, debt_id)
    own = _own_client(principal, "debts:read")
    if debt is None or (own is not None and debt.client_id != own):
        raise NotFound("Debt not found.")
    return debt


def payments_select(args, principal):
    """The payments the caller may see, newest first."""
    stmt = _scope(select(Payment), Payment.client_id, principal, "payments:read")
    if "client_id" in args:
        stmt = stmt.where(Payment.client_id == args["client_id"])
    if "method" in args:
        stmt = stmt.where(Payment.method == args["method"])
    if "debt_id" in args:
        stmt = stmt.where(exists(select(PaymentAllocation.id).where(
            PaymentAllocation.payment_id == Payment.id,
            PaymentAllocation.debt_id == args["debt_id"])))
    stmt = stmt.where(*within_days(Payment.created_at, args.get("date_from"),
                                   args.get("date_to")))
    return stmt.order_by(Payment.created_at.desc(), Payment.id.desc())


def get_payment(payment_id, principal):
    """One payment the caller may see (with its allocations), else NotFound."""
    payment = db.session.get(Payment, payment_id)
    own = _own_client(principal, "payments:read")
    if payment is None or (own is not None and payment.client_id != own):
        raise NotFound("Payment not found.")
    return payment


def statement(client_id, args, principal):
    """The client's open debts (oldest due first), its payments (newest first, within
    `date_from`/`date_to`), `balance` and `overdue_balance`, computed from the debts."""
    own = _own_client(principal, "debts:read")
    client = db.session.get(Client, client_id)
    if client is None or (own is not None and client_id != own):
        raise NotFound("Client not found.")
    open_debts = db.session.scalars(
        select(Debt).where(Debt.client_id == client_id, Debt.status == "open")
        .order_by(Debt.due_date, Debt.id)).all()
    payments = db.session.scalars(payments_select({**args, "client_id": client_id},
                                                  principal)).all()
    overdue = db.session.scalars(select(Debt.amount - Debt.paid_amount).where(
        and_(Debt.client_id == client_id, overdue_condition()))).all()
    return {"client_id": client.id, "name": client.name, "credit_limit": client.credit_limit,
            "balance": client_balance(client_id), "overdue_balance": money(sum(overdue, 0)),
            "open_debts": open_debts, "payments": payments}
