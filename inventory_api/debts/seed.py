"""Demo payments (and, standalone, demo debts) through the debts service.

`seed` collects what the sales and orders seeds leave owed over the demo
year (`seed.Agenda`): a daily round looks at the debts that arose since the
last one and plans their payments, around when they fall due: some in full
against the debt, some in part (with or without the rest later), some
oldest-first without naming a debt, and leaves some open, among them the first
debt of every age bucket of the debtors' report (0-30, 31-60, 61-90, 90+ days),
so that each shows. With `standalone=True`
(no sales/orders seeded) it first creates debts itself through `open_debt`
with `source_type` 'sale'/'order' and made-up source ids from 900000 up
(no document has them), at the start of the year, so that they are overdue, and voids
and credits a few, so that every status and allocation kind exists.
"""

import math
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..clients.models import Client
from ..common.uow import transaction
from ..extensions import db
from ..seed import Agenda
from . import service
from .models import PAYMENT_METHODS, Debt

STANDALONE_SOURCE_ID = 900_000
# The fate of the n-th debt collected, by n % len(FATES): paid in full against the
# debt, paid in part and the rest later, paid oldest-first without naming it, paid
# in part only, left open.
FATES = ("full", "full", "full", "full", "part_then_rest", "oldest_first", "part", "open")
# Ages (days, at the end of the year) of the debts kept open for the aging report:
# within its buckets 0-30, 31-60, 61-90 and 90+, away from their edges; the first
# KEPT_PER_AGE debts of each stay open.
KEEP_AGES = ((5, 25), (36, 55), (66, 85), (100, 10_000))
KEPT_PER_AGE = 2
# A round plans a debt's payment once it is this old (a cancel voids it before that).
SETTLED_DAYS = 3


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
        service.open_debt(client_id, amount, source_type=rng.choice(("sale", "order")),
                                 source_id=STANDALONE_SOURCE_ID + n, user_id=user_id,
                                 check_limit=False)
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


def _keep_age(days):
    """The `KEEP_AGES` window a debt this many days old falls in, else None."""
    return next((n for n, (low, high) in enumerate(KEEP_AGES) if low <= days <= high), None)


class _Collector:
    """Plans and records the payments of the debts that arise as the agenda runs;
    `counts` says how many."""

    def __init__(self, rng, agenda, principal):
        self.rng, self.agenda, self.principal = rng, agenda, principal
        self.seen = db.session.scalar(select(func.max(Debt.id))) or 0
        self.collected = 0
        self.kept = [0] * len(KEEP_AGES)  # debts left open per window of age
        self.counts = {"debts": 0, "payments": 0}

    def round(self, when):
        """Plan the payments of the debts that arose since the last round and are
        `SETTLED_DAYS` old."""
        terms = dict(db.session.execute(select(Client.id, Client.payment_terms_days)).all())
        new = db.session.execute(
            select(Debt.id, Debt.client_id, Debt.created_at, Debt.status)
            .where(Debt.id > self.seen).order_by(Debt.id)).all()
        for debt_id, client_id, created_at, status in new:
            arose = self.agenda.demo_time(created_at)
            if arose > when - timedelta(days=SETTLED_DAYS):
                break
            self.seen = debt_id
            if status != "open":
                continue
            window = _keep_age((self.agenda.end - arose).days)
            if window is not None and self.kept[window] < KEPT_PER_AGE:
                self.kept[window] += 1
                continue
            fate = FATES[self.collected % len(FATES)]
            self.collected += 1
            if fate == "open":
                continue
            due = timedelta(days=terms.get(client_id) or 0)
            when = arose + due * self.rng.uniform(0.3, 1.3)
            if when < self.agenda.end:
                self.agenda.at(when, self.pay, debt_id, client_id, fate)

    def pay(self, when, debt_id, client_id, fate):
        with transaction():
            current = db.session.get(Debt, debt_id)
            db.session.refresh(current)
            if current.status != "open":
                return  # settled by an earlier oldest-first payment, or voided
            balance = current.balance
            data = {"client_id": client_id, "amount": balance,
                    "method": self.rng.choice(PAYMENT_METHODS),
                    "reference": f"DEMO-{self.counts['payments'] + 1:04}"}
            if fate in ("part", "part_then_rest"):
                data["amount"] = max(Decimal("0.01"), (
                    balance * Decimal(self.rng.choice((25, 40, 50))) / 100)
                    .quantize(Decimal("0.01")))
                data["method"] = self.rng.choice(PAYMENT_METHODS[:3])
            if fate == "oldest_first" and _oldest_open(client_id) == debt_id:
                del data["reference"]
            else:
                data["debt_id"] = debt_id
            service.record_payment(data, self.principal)
            self.counts["payments"] += 1
        if fate == "part_then_rest":
            days = timedelta(days=self.rng.uniform(5, 30))
            if when + days < self.agenda.end:
                self.agenda.at(when + days, self.pay, debt_id, client_id, "full")


def _oldest_open(client_id):
    """The debt an unnamed payment of the client goes to first (the service's order)."""
    return db.session.scalar(select(Debt.id).where(
        Debt.client_id == client_id, Debt.status == "open")
        .order_by(Debt.due_date, Debt.id).limit(1))


def seed(rng, *, stores=None, clients=None, products=None, user_id=None, standalone=False,
         agenda=None):
    """Plan the payments of the debts that arise over the agenda's year (a round a
    day); returns `{"debts": created, "payments": recorded}`, filled as it runs.

    With `standalone`, first creates debts of its own (`open_debt`). Without an
    `agenda`, runs a year of its own (rounds over the debts there already are,
    then moves the dates).
    """
    own = agenda is None
    agenda = agenda or Agenda()
    collector = _Collector(rng, agenda, _Seeder(user_id))
    if standalone:
        with transaction():
            collector.counts["debts"] = _standalone_debts(rng, _client_ids(clients), user_id)
    if own:  # the debts there already are arose before the year: collect them from its start
        collector.seen = 0
    days = math.ceil((agenda.end - agenda.start) / timedelta(days=1))
    for day in range(days):
        agenda.at(agenda.start + timedelta(days=day, hours=20), collector.round)
    if own:
        agenda.run()
        if standalone:  # what it created itself moves into the year; older debts stay
            agenda.rewrite()
    return collector.counts
