"""Debts and payments: the only code that writes `debts`, `payments` and
`payment_allocations`.

Every function flushes only: it runs inside its caller's unit of work
(`@atomic`). Money is `Decimal`, quantized to 0.01 with ROUND_HALF_UP.

How the amounts read (contract: `balance = amount - paid_amount`):
* `amount` is what was owed when the debt arose; it never changes.
* `paid_amount` is the sum of the debt's allocations: real payments
  (`kind` 'payment'), credits from returns ('credit') and the void of what
  was open when the source was cancelled ('void'). It is changed only here,
  together with the allocation, so `paid_amount == sum(allocations)`.
* `status`: 'open' while `balance > 0`; 'paid' once settled by payments
  (credits may have helped); 'void' when cancelled (`void_for`) or settled by
  credits alone (a sale returned whole). `/payments` lists real payments only.
* A client's balance is the sum of its open debts' balances, never stored.

Lock order (every writer): the client row (`lock_client`), then its debts
(`SELECT ... FOR UPDATE`). Documents that may create a debt lock the client
before posting stock movements, so credit sales, order confirmations and
payments never deadlock with each other.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, exists, func, select

from ..clients.models import Client
from ..clients.service import register_filter
from ..common.types import MONEY_PLACES
from ..common.uow import atomic
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from .models import Debt, Payment, PaymentAllocation

ZERO = Decimal("0.00")


class CreditLimitExceeded(Conflict):
    """409: the new debt would take the client's open balance over its credit limit."""

    def __init__(self, credit_limit, balance, requested):
        super().__init__(
            f"Credit limit exceeded: the client's open balance is {balance}, its credit "
            f"limit {credit_limit}; {requested} more on credit is not allowed.",
            errors={"credit_limit": str(credit_limit), "balance": str(balance),
                    "requested": str(requested)})


def money(value):
    """`value` as a Decimal with 2 places, ROUND_HALF_UP."""
    return Decimal(str(value)).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def today():
    """Today's date in UTC (due dates and `overdue` use it)."""
    return datetime.now(UTC).date()


def lock_client(client_id):
    """The client row, locked (`SELECT ... FOR UPDATE`) for the rest of the transaction.

    422 `{"client_id": [...]}` when it does not exist. Call it before posting any
    stock movement in a document that may create a debt (the global lock order).
    """
    client = db.session.scalars(
        select(Client).where(Client.id == client_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if client is None:
        raise ValidationFailed({"client_id": [f"Client {client_id} does not exist."]})
    return client


def client_balance(client_id):
    """The client's open balance: Σ (amount − paid_amount) over its open debts."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Debt.amount - Debt.paid_amount), 0))
        .where(Debt.client_id == client_id, Debt.status == "open"))
    return money(total)


@atomic
def open_debt(client_id, amount, *, source_type, source_id, user_id=None, check_limit=True):
    """Create the open debt of a sale/order; returns it, or None when `amount` is 0.

    `due_date` = today (UTC) + the client's `payment_terms_days`. With
    `check_limit`, the client is locked and `balance + amount` must not exceed
    its `credit_limit` (0 = no credit): else `CreditLimitExceeded` (409).
    Writes one `debts` row.
    """
    amount = money(amount)
    if amount < 0:
        raise ValueError("a debt amount cannot be negative")
    if amount == 0:
        return None
    if check_limit:
        client = lock_client(client_id)
        balance = client_balance(client_id)
        limit = money(client.credit_limit or 0)
        if balance + amount > limit:
            raise CreditLimitExceeded(limit, balance, amount)
    else:
        client = db.session.get(Client, client_id)
        if client is None:
            raise ValidationFailed({"client_id": [f"Client {client_id} does not exist."]})
    debt = Debt(client_id=client_id, source_type=source_type, source_id=source_id,
                amount=amount, paid_amount=ZERO, status="open",
                due_date=today() + timedelta(days=client.payment_terms_days or 0),
                created_by_id=user_id)
    db.session.add(debt)
    db.session.flush()
    return debt


def _allocate(debt, amount, kind, payment=None):
    """Settle `amount` of `debt` (≤ its balance): one allocation, `paid_amount` and
    `status` updated together. Returns the allocation."""
    allocation = PaymentAllocation(debt=debt, payment=payment, kind=kind, amount=amount)
    db.session.add(allocation)
    debt.paid_amount = money(debt.paid_amount + amount)
    if debt.paid_amount >= debt.amount:
        if kind == "void":
            debt.status = "void"
        elif any(a.kind == "payment" for a in debt.allocations) or kind == "payment":
            debt.status = "paid"
        else:
            debt.status = "void"
    return allocation


def _lock_source_debts(source_type, source_id):
    """The open debts of a source, their client locked first, then the debts themselves."""
    client_ids = db.session.scalars(
        select(Debt.client_id).where(Debt.source_type == source_type,
                                     Debt.source_id == source_id).distinct()).all()
    for client_id in sorted(client_ids):
        lock_client(client_id)
    return db.session.scalars(
        select(Debt).where(Debt.source_type == source_type, Debt.source_id == source_id,
                           Debt.status == "open")
        .order_by(Debt.id).with_for_update()
        .execution_options(populate_existing=True)).all()


@atomic
def void_for(source_type, source_id):
    """Void what is still open of the source's debt(s) (status 'void', a 'void'
    allocation for the open balance); returns the amount voided (0.00 when none)."""
    voided = ZERO
    for debt in _lock_source_debts(source_type, source_id):
        rest = debt.balance
        if rest > 0:
            _allocate(debt, rest, "void")
            voided += rest
        debt.status = "void"
    db.session.flush()
    return money(voided)


@atomic
def credit(source_type, source_id, amount):
    """A return: reduce the source's open debt(s) by up to `amount` ('credit'
    allocations); returns the rest, which must be refunded to the client."""
    rest = money(amount)
    if rest < 0:
        raise ValueError("a credit cannot be negative")
    for debt in _lock_source_debts(source_type, source_id):
        if rest == 0:
            break
        part = min(rest, debt.balance)
        if part > 0:
            _allocate(debt, part, "credit")
            rest -= part
    db.session.flush()
    return money(rest)


def _payment_targets(client_id, debt_id):
    """The open debts a payment settles, locked, in allocation order."""
    if debt_id is not None:
        debt = db.session.scalars(
            select(Debt).where(Debt.id == debt_id).with_for_update()
            .execution_options(populate_existing=True)).one_or_none()
        if debt is None or debt.client_id != client_id:
            raise ValidationFailed({"debt_id": [f"Debt {debt_id} is not a debt of client "
                                                f"{client_id}."]})
        if debt.status != "open":
            raise Conflict(f"Debt {debt_id} is {debt.status}: its open balance is 0.00.",
                           errors={"debt_id": debt_id, "open_balance": "0.00"})
        return [debt]
    return db.session.scalars(
        select(Debt).where(Debt.client_id == client_id, Debt.status == "open")
        .order_by(Debt.due_date, Debt.id).with_for_update()
        .execution_options(populate_existing=True)).all()


@atomic
def record_payment(data, principal=None):
    """Record a payment and allocate it (to `debt_id`, else the oldest open debts
    first, by due date then id); returns the payment.

    409 naming the open balance when `amount` exceeds it (nothing written); 422
    when the client does not exist or `debt_id` is not one of its debts. Locks
    the client, then the debts. Writes one `payments` row and its allocations.
    """
    client_id = data["client_id"]
    amount = money(data["amount"])
    lock_client(client_id)
    debts = _payment_targets(client_id, data.get("debt_id"))
    open_balance = money(sum((d.balance for d in debts), ZERO))
    if amount > open_balance:
        target = (f"debt {data['debt_id']}" if data.get("debt_id") is not None
                  else f"client {client_id}")
        raise Conflict(
            f"The payment ({amount}) exceeds the open balance of {target} ({open_balance}).",
            errors={"amount": str(amount), "open_balance": str(open_balance)})
    payment = Payment(
        client_id=client_id, amount=amount, method=data["method"],
        reference=data.get("reference"), notes=data.get("notes"),
        created_by_id=getattr(principal, "user_id", None),
        created_by_api_key_id=getattr(getattr(principal, "api_key", None), "id", None))
    db.session.add(payment)
    rest = amount
    for debt in debts:
        if rest == 0:
            break
        part = min(rest, debt.balance)
        if part > 0:
            _allocate(debt, part, "payment", payment)
            rest -= part
    db.session.flush()
    return payment


def _has_open_debt():
    return exists(select(Debt.id).where(Debt.client_id == Client.id, Debt.status == "open")
                  .correlate(Client))


register_filter("has_debt", _has_open_debt)


def overdue_condition(on=None):
    """SQL: the debt is open and its due date has passed (`on`, default today UTC)."""
    return and_(Debt.status == "open", Debt.due_date < (on or today()))
