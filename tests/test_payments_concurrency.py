"""Concurrent payments and credit against a real database server (MariaDB, PostgreSQL).

Real threads, each with its own connection, released together by a barrier;
skipped on SQLite (`server_db`, tests/conftest.py).
"""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.common.uow import transaction
from inventory_api.debts import service as debts
from inventory_api.debts.models import Debt, Payment, PaymentAllocation
from inventory_api.extensions import db
from tests.debt_fixtures import make_client, make_debt
from tests.test_stock_concurrency import headers_for, run_together, server_app  # noqa: F401

API = "/api/v1"

pytestmark = pytest.mark.server_db


def _totals(debt_ids):
    allocated = db.session.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                                  .where(PaymentAllocation.debt_id.in_(debt_ids)))
    paid = db.session.scalar(select(func.sum(Debt.paid_amount)).where(Debt.id.in_(debt_ids)))
    return Decimal(str(allocated)).quantize(Decimal("0.01")), paid


def test_concurrent_payments_never_over_pay_one_debt(server_app, make_user, login):  # noqa: F811
    headers = headers_for(server_app, make_user, login, role="employee")
    with server_app.app_context():
        client_id = make_client()
        debt_id = make_debt(client_id, "100.00", 1)

    def pay(_):
        response = server_app.test_client().post(f"{API}/payments", headers=headers, json={
            "client_id": client_id, "amount": "15.00", "method": "cash", "debt_id": debt_id})
        return response.status_code, response.get_json()

    results = run_together(pay, 12)
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 6, statuses  # 6 × 15.00 = 90.00; a 7th would over-pay
    assert statuses.count(409) == 6, statuses
    for status, body in results:
        if status == 409:
            assert body["errors"]["open_balance"] in ("10.00", "25.00", "40.00", "55.00",
                                                      "70.00", "85.00", "100.00")
    with server_app.app_context():
        allocated, paid = _totals([debt_id])
        assert allocated == paid == Decimal("90.00")
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 6
        assert debts.client_balance(client_id) == Decimal("10.00")


def test_concurrent_oldest_first_payments_across_debts(server_app, make_user, login):  # noqa: F811
    headers = headers_for(server_app, make_user, login, role="employee")
    with server_app.app_context():
        client_id = make_client()
        debt_ids = [make_debt(client_id, "7.00", n) for n in range(1, 4)]  # 21.00 in all

    def pay(_):
        response = server_app.test_client().post(f"{API}/payments", headers=headers, json={
            "client_id": client_id, "amount": "2.00", "method": "card"})
        return response.status_code

    statuses = run_together(pay, 16)
    assert statuses.count(201) == 10 and statuses.count(409) == 6, statuses
    with server_app.app_context():
        allocated, paid = _totals(debt_ids)
        assert allocated == paid == Decimal("20.00")
        rows = db.session.scalars(select(Debt).where(Debt.id.in_(debt_ids))
                                  .order_by(Debt.id)).all()
        assert [(d.status, str(d.balance)) for d in rows] == [
            ("paid", "0.00"), ("paid", "0.00"), ("open", "1.00")]


def test_concurrent_credit_never_exceeds_the_limit(server_app):  # noqa: F811
    with server_app.app_context():
        client_id = make_client(credit_limit="100.00")

    def open_one(index):
        with server_app.app_context():
            try:
                with transaction():
                    debts.open_debt(client_id, Decimal("12.50"), source_type="sale",
                                    source_id=1000 + index, check_limit=True)
                return "opened"
            except debts.CreditLimitExceeded:
                return "refused"
            finally:
                db.session.remove()

    results = run_together(open_one, 14)
    assert results.count("opened") == 8 and results.count("refused") == 6, results
    with server_app.app_context():
        assert debts.client_balance(client_id) == Decimal("100.00")
