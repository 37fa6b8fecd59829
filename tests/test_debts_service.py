"""The debts service: debts, credit limit, voids, credits and payment allocation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.common.uow import transaction
from inventory_api.debts import service as debts
from inventory_api.debts.models import Debt, Payment, PaymentAllocation
from inventory_api.errors import Conflict, ValidationFailed
from inventory_api.extensions import db
from tests.debt_fixtures import make_client, make_debt, set_terms


def assert_paid_amounts_match_allocations():
    """Every debt's stored `paid_amount` is the sum of its allocations."""
    sums = dict(db.session.execute(
        select(PaymentAllocation.debt_id, func.sum(PaymentAllocation.amount))
        .group_by(PaymentAllocation.debt_id)).all())
    for debt in db.session.scalars(select(Debt)):
        db.session.refresh(debt)
        assert debt.paid_amount == Decimal(str(sums.get(debt.id, 0))).quantize(Decimal("0.01"))
        assert Decimal("0") <= debt.paid_amount <= debt.amount


def pay(client_id, amount, **extra):
    with transaction():
        payment = debts.record_payment({"client_id": client_id, "amount": Decimal(amount),
                                        "method": "cash", **extra})
        return {"id": payment.id, "allocations": [(a.debt_id, str(a.amount))
                                                  for a in payment.allocations]}


def test_open_debt_rounds_and_sets_due_date(ctx):
    client = make_client(terms=15)
    with transaction():
        assert debts.open_debt(client, Decimal("0"), source_type="sale", source_id=1) is None
        debt = debts.open_debt(client, Decimal("10.005"), source_type="sale", source_id=2,
                               user_id=None)
    assert str(debt.amount) == "10.01" and str(debt.paid_amount) == "0.00"
    assert str(debt.balance) == "10.01" and debt.status == "open"
    assert debt.due_date == debts.today() + timedelta(days=15)
    assert debts.client_balance(client) == Decimal("10.01")
    assert db.session.scalar(select(func.count()).select_from(Debt)) == 1


def test_unknown_client_is_422(ctx):
    with pytest.raises(ValidationFailed) as error, transaction():
        debts.open_debt(999999, Decimal("5"), source_type="sale", source_id=1)
    assert "client_id" in error.value.errors["json"]
    with pytest.raises(ValidationFailed), transaction():
        debts.lock_client(999999)


def test_credit_limit_is_enforced_to_the_cent(ctx):
    client = make_client(credit_limit="100.00")
    make_debt(client, "60.00", 1, check_limit=True)
    make_debt(client, "40.00", 2, check_limit=True)  # exactly the limit: allowed
    with pytest.raises(debts.CreditLimitExceeded) as error, transaction():
        debts.open_debt(client, Decimal("0.01"), source_type="sale", source_id=3)
    assert error.value.status_code == 409
    assert error.value.errors == {"credit_limit": "100.00", "balance": "100.00",
                                  "requested": "0.01"}
    assert debts.client_balance(client) == Decimal("100.00")
    # an order confirmation does not check: the staff decided
    make_debt(client, "500.00", 4, source_type="order", check_limit=False)
    assert debts.client_balance(client) == Decimal("600.00")


def test_paying_frees_credit(ctx):
    client = make_client(credit_limit="50.00")
    make_debt(client, "50.00", 1, check_limit=True)
    pay(client, "20.50")
    make_debt(client, "20.50", 2, check_limit=True)
    assert debts.client_balance(client) == Decimal("50.00")


def test_no_credit_at_all_when_the_limit_is_zero(ctx):
    client = make_client(credit_limit="0.00")
    with pytest.raises(debts.CreditLimitExceeded) as error, transaction():
        debts.open_debt(client, Decimal("0.01"), source_type="sale", source_id=1)
    assert error.value.errors == {"credit_limit": "0.00", "balance": "0.00", "requested": "0.01"}
    assert db.session.scalar(select(func.count()).select_from(Debt)) == 0


def test_void_for_voids_what_is_open(ctx):
    client = make_client()
    debt_id = make_debt(client, "100.00", 7)
    pay(client, "30.25")
    with transaction():
        assert debts.void_for("sale", 7) == Decimal("69.75")
    debt = db.session.get(Debt, debt_id)
    db.session.refresh(debt)
    assert debt.status == "void" and str(debt.paid_amount) == "100.00"
    assert str(debt.balance) == "0.00"
    assert [(a.kind, str(a.amount)) for a in debt.allocations] == [
        ("payment", "30.25"), ("void", "69.75")]
    with transaction():
        assert debts.void_for("sale", 7) == Decimal("0.00")  # twice: nothing more
        assert debts.void_for("sale", 12345) == Decimal("0.00")  # no debt at all
    assert debts.client_balance(client) == Decimal("0.00")
    assert_paid_amounts_match_allocations()


def test_credit_reduces_the_open_debt_and_returns_the_rest(ctx):
    client = make_client()
    debt_id = make_debt(client, "100.00", 8)
    pay(client, "30.00")
    with transaction():
        assert debts.credit("sale", 8, Decimal("50.10")) == Decimal("0.00")
        assert debts.credit("sale", 8, Decimal("29.90")) == Decimal("10.00")  # 19.90 open
        assert debts.credit("sale", 8, Decimal("5.00")) == Decimal("5.00")  # nothing open
        assert debts.credit("sale", 999, Decimal("5.00")) == Decimal("5.00")  # no debt
    debt = db.session.get(Debt, debt_id)
    db.session.refresh(debt)
    assert debt.status == "paid" and str(debt.balance) == "0.00"
    assert [(a.kind, str(a.amount)) for a in debt.allocations] == [
        ("payment", "30.00"), ("credit", "50.10"), ("credit", "19.90")]
    assert_paid_amounts_match_allocations()


def test_a_debt_settled_by_credits_alone_is_void(ctx):
    client = make_client()
    debt_id = make_debt(client, "12.00", 9)
    with transaction():
        assert debts.credit("sale", 9, Decimal("12.00")) == Decimal("0.00")
    assert db.session.get(Debt, debt_id).status == "void"


def test_payments_settle_the_oldest_due_debts_first(ctx):
    client = make_client(terms=30)
    later = make_debt(client, "50.00", 1)  # due in 30 days
    set_terms(client, 5)
    sooner = make_debt(client, "20.00", 2)  # due in 5 days: settled first
    also_sooner = make_debt(client, "10.00", 3)  # same due date: by id
    payment = pay(client, "35.00")
    assert payment["allocations"] == [(sooner, "20.00"), (also_sooner, "10.00"),
                                      (later, "5.00")]
    statuses = {d.id: (d.status, str(d.balance)) for d in db.session.scalars(select(Debt))}
    assert statuses == {sooner: ("paid", "0.00"), also_sooner: ("paid", "0.00"),
                        later: ("open", "45.00")}
    assert debts.client_balance(client) == Decimal("45.00")
    assert_paid_amounts_match_allocations()


def test_a_named_debt_is_paid_alone(ctx):
    client = make_client()
    first = make_debt(client, "50.00", 1)
    second = make_debt(client, "20.00", 2)
    assert pay(client, "20.00", debt_id=second)["allocations"] == [(second, "20.00")]
    assert db.session.get(Debt, first).status == "open"
    assert db.session.get(Debt, second).status == "paid"


def test_over_payment_is_409_naming_the_balance_and_writes_nothing(ctx):
    client = make_client()
    debt = make_debt(client, "50.00", 1)
    make_debt(client, "25.00", 2)
    with pytest.raises(Conflict) as error:
        pay(client, "75.01")
    assert error.value.errors == {"amount": "75.01", "open_balance": "75.00"}
    assert "75.00" in error.value.message
    with pytest.raises(Conflict) as error:
        pay(client, "50.01", debt_id=debt)
    assert error.value.errors == {"amount": "50.01", "open_balance": "50.00"}
    assert f"debt {debt}" in error.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert db.session.scalar(select(func.count()).select_from(PaymentAllocation)) == 0
    assert debts.client_balance(client) == Decimal("75.00")


def test_a_client_without_debts_cannot_pay(ctx):
    client = make_client()
    with pytest.raises(Conflict) as error:
        pay(client, "1.00")
    assert error.value.errors["open_balance"] == "0.00"


def test_another_clients_debt_and_a_settled_debt_are_refused(ctx):
    mine, theirs = make_client("Mine"), make_client("Theirs")
    their_debt = make_debt(theirs, "10.00", 1)
    make_debt(mine, "10.00", 2)
    with pytest.raises(ValidationFailed) as error:
        pay(mine, "5.00", debt_id=their_debt)
    assert list(error.value.errors["json"]) == ["debt_id"]
    pay(theirs, "10.00", debt_id=their_debt)
    with pytest.raises(Conflict) as error:
        pay(theirs, "1.00", debt_id=their_debt)
    assert error.value.errors == {"debt_id": their_debt, "open_balance": "0.00"}
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1


def test_paid_amount_always_equals_the_allocations(ctx):
    client = make_client()
    for n in range(1, 6):
        make_debt(client, f"{n * 7}.33", n)
    pay(client, "10.00")
    pay(client, "3.37")
    with transaction():
        debts.credit("sale", 4, Decimal("4.44"))
        debts.void_for("sale", 5)
    pay(client, "1.01", debt_id=db.session.scalar(select(Debt.id).where(Debt.source_id == 3)))
    assert_paid_amounts_match_allocations()
    balance = sum(d.balance for d in db.session.scalars(
        select(Debt).where(Debt.status == "open")))
    assert debts.client_balance(client) == balance
