"""Debts, payments and the allocations that settle debts.

A debt is what a client owes for one document (`source_type` 'sale' or
'order', `source_id` its id): `amount` is what was owed when it arose and
never changes. Everything that settles part of a debt is an allocation:
a real payment (`kind` 'payment', with its `payment_id`), a credit from a
return (`kind` 'credit') or the void of what was still open when the source
was cancelled (`kind` 'void'). `paid_amount` is the sum of the debt's
allocations, kept in step by `debts.service` only (in the same flush as the
allocations), so `balance = amount - paid_amount` always holds.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.references import HISTORY
from ..common.types import Money, UTCDateTime, utcnow
from ..extensions import db

DEBT_STATUSES = ("open", "paid", "void")
PAYMENT_METHODS = ("cash", "card", "transfer", "other")
ALLOCATION_KINDS = ("payment", "credit", "void")


class Debt(db.Model):
    """What a client owes for one sale or order; `status` open → paid or void."""

    __tablename__ = "debts"
    __table_args__ = (
        UniqueConstraint("source_type", "source_id"),
        CheckConstraint("amount > 0 AND paid_amount >= 0 AND paid_amount <= amount",
                        name="amounts"),
        Index("ix_debts_client_status_due", "client_id", "status", "due_date"),
        Index("ix_debts_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), info=HISTORY)
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money())
    paid_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    due_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    allocations = relationship("PaymentAllocation", back_populates="debt", lazy="selectin",
                               order_by="PaymentAllocation.id")

    @property
    def balance(self):
        return self.amount - self.paid_amount


class Payment(db.Model):
    """Money received from a client; its allocations say which debts it settled."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_payments_client_id_id", "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), info=HISTORY)
    amount: Mapped[Decimal] = mapped_column(Money())
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    allocations = relationship("PaymentAllocation", back_populates="payment", lazy="selectin",
                               order_by="PaymentAllocation.id")


class PaymentAllocation(db.Model):
    """Part of a debt settled: by a payment (`kind` 'payment'), a return's credit
    ('credit') or a void ('void'); only 'payment' rows have a `payment_id`."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint(
            "(kind = 'payment' AND payment_id IS NOT NULL)"
            " OR (kind <> 'payment' AND payment_id IS NULL)", name="kind_payment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="payment")
    amount: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    debt = relationship(Debt, back_populates="allocations")
    payment = relationship(Payment, back_populates="allocations")
