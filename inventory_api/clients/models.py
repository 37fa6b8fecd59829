from decimal import Decimal

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..common.types import Money, TimestampMixin
from ..common.unique import key_column, key_of
from ..extensions import db


class Client(TimestampMixin, db.Model):
    """A client of the business. `email` is stored lower-case and is unique through
    `email_key` (common/unique.py), the same on every database."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = key_column("email", 254, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    tax_id: Mapped[str | None] = mapped_column(String(40), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    credit_limit: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    notes: Mapped[str | None] = mapped_column(Text)

    @validates("email")
    def _email(self, name, value):
        """Store emails trimmed and lower-case (None stays None); keep `email_key` in step."""
        if value is not None:
            value = value.strip().lower() or None
        self.email_key = key_of(value)
        return value
