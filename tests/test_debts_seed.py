"""The debts demo seed: standalone debts of every status, payments of every kind."""

import random

from sqlalchemy import func, select

from inventory_api.debts import seed
from inventory_api.debts.models import Debt, Payment, PaymentAllocation
from inventory_api.extensions import db
from tests.debt_fixtures import make_client, make_debt
from tests.test_debts_service import assert_paid_amounts_match_allocations


def test_standalone_seed_has_every_status(ctx):
    clients = [make_client(f"Client {n}") for n in range(5)]
    counts = seed.seed(random.Random(7), clients=clients, standalone=True)
    assert counts["debts"] == 30 and counts["payments"] > 10
    statuses = set(db.session.scalars(select(Debt.status).distinct()))
    assert statuses == {"open", "paid", "void"}
    kinds = set(db.session.scalars(select(PaymentAllocation.kind).distinct()))
    assert kinds == {"payment", "credit", "void"}
    assert db.session.scalar(select(func.count()).select_from(Payment)) == counts["payments"]
    assert_paid_amounts_match_allocations()


def test_seed_pays_existing_debts_only(ctx):
    client = make_client()
    for n in range(8):
        make_debt(client, "20.00", n + 1)
    counts = seed.seed(random.Random(1), clients=[client])
    assert counts["debts"] == 0 and counts["payments"] >= 4
    assert db.session.scalar(select(func.count()).select_from(Debt)) == 8
    assert_paid_amounts_match_allocations()
