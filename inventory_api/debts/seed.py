"""Demo payments (and, standalone, demo debts) through the debts service.

`seed` runs after the sales and orders seeds: it pays the open debts they
created: some in full against the debt, some in part, some oldest-first
without naming a debt, and leaves the rest open. With `standalone=True`
(no sales/orders seeded) it first creates debts itself through `open_debt`
with `source_type` 'sale'/'order' and made-up source ids from 900000 up
(no document has them), some backdated so that they are overdue, and voids
and credits a few, so that every status and allocation kind exists.
"""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from ..clients.models import Client
from ..common.uow import transaction
from ..extensions import db
from . import service
from .models import PAYMENT_METHODS, Debt

STANDALONE_SOURCE_ID = 900_000


def _client_ids(clients):
    """Client ids from a list of ids or Client rows; every client when not given."""
    if clients and not isinstance(clients, int):
        return [getattr(c, "id", c) for c in clients]
    return db.session.scalars(select(Client.id).order_by(Client.id)).all()


def _standalone_debts(rng, client_ids, user_id):
    """About 30 debts spread over the clients; returns how many were created."""
    created = 0
    for n in range(30):
        client_id = rng.choice(client_ids)
        amount = Decimal(rng.randint(1500, 40000)) / 100
        debt = service.open_debt(client_id, amount, source_type=rng.choice(("sale", "order")),
                                 source_id=STANDALONE_SOURCE_ID + n, user_id=user_id,
                                 check_limit=False)
        if n % 3 == 0:  # arose a while ago: overdue
            days = rng.randint(40, 120)
            db.session.execute(update(Debt).where(Debt.id == debt.id).values(
                due_date=debt.due_date - timedelta(days=days),
                created_at=debt.created_at - timedelta(days=days)))
        created += 1
    for n in (1, 2):
        service.void_for("sale", STANDALONE_SOURCE_ID + n)
        service.void_for("order", STANDALONE_SOURCE_ID + n)
    for n in (4, 5):
        service.credit("sale", STANDALONE_SOURCE_ID + n, Decimal("10.00"))
        service.credit("order", STANDALONE_SOURCE_ID + n, Decimal("10.00"))
    db.session.expire_all()
    return created


class _Seeder:
    """The principal `record_payment` expects: only the acting user's id."""

    def __init__(self, user_id):
        self.user_id = user_id
        self.api_key = None


def seed(rng, *, stores=None, clients=None, products=None, user_id=None, standalone=False):
    """Pay part of the open debts; returns `{"debts": created, "payments": recorded}`."""
    created = 0
    principal = _Seeder(user_id)
    with transaction():
        if standalone:
            created = _standalone_debts(rng, _client_ids(clients), user_id)
        open_debts = db.session.scalars(
            select(Debt).where(Debt.status == "open").order_by(Debt.id)).all()
        targets = [(d.id, d.client_id, d.balance) for d in open_debts]
    payments = 0
    for index, (debt_id, client_id, balance) in enumerate(targets):
        kind = index % 4  # 0: paid in full, 1: paid in part, 2: oldest first, 3: left open
        if kind == 3:
            continue
        with transaction():
            current = db.session.get(Debt, debt_id)
            db.session.refresh(current)
            if current.status != "open":
                continue  # settled by an earlier oldest-first payment
            balance = current.balance
            amount = balance if kind == 0 else max(
                Decimal("0.01"), (balance * Decimal(rng.choice((25, 40, 50))) / 100)
                .quantize(Decimal("0.01")))
            data = {"client_id": client_id, "amount": amount,
                    "method": rng.choice(PAYMENT_METHODS[:3] if kind else PAYMENT_METHODS),
                    "reference": f"DEMO-{index + 1:04}" if kind != 2 else None}
            if kind != 2:
                data["debt_id"] = debt_id
            else:
                data["amount"] = min(amount, service.client_balance(client_id))
            service.record_payment(data, principal)
            payments += 1
    return {"debts": created, "payments": payments}
