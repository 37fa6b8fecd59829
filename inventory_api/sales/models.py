"""Sales, their lines, returns, and the counter that numbers them.

Only `sales.service` writes these tables. Stock leaves through `sale`
movements and comes back through `sale_return` movements (reference_type
'sale', reference_id the sale's id); the unpaid part is a debt
(`debts.service`, source_type 'sale').
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from ..common.models import DocumentCounter  # noqa: F401 (its table was declared here first)
from ..common.references import HISTORY
from ..common.types import Money, Quantity, UTCDateTime, utcnow
from ..extensions import db
from ..stock.models import Lot, Movement

PAYMENT_METHODS = ("cash", "card", "transfer", "credit")
SALE_STATUSES = ("completed", "partially_returned", "returned", "cancelled")


class Sale(db.Model):
    """A sale: totals as the contract defines them, at the time of the sale.

    `number` is set in the same transaction that creates the sale (after its
    movements, see `sales.service.create_sale`); it is never null once
    committed. `returned_total` and `refunded` grow with returns and a cancel.
    """

    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint("paid >= 0 AND paid <= total", name="paid"),
        Index("ix_sales_client_id_created_at", "client_id", "created_at"),
        Index("ix_sales_store_id_id", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    payment_method: Mapped[str] = mapped_column(String(10), index=True)
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount_total: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money())
    returned_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    refunded: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20), default="completed", index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    lines = relationship("SaleLine", lazy="selectin", order_by="SaleLine.id",
                         back_populates="sale")
    returns = relationship("SaleReturn", lazy="select", order_by="SaleReturn.id",
                           back_populates="sale")
    # the sale and sale_return movements it posted (written by the movements service only)
    movements = relationship(
        Movement,
        primaryjoin=lambda: and_(Movement.reference_type == "sale",
                                 foreign(Movement.reference_id) == Sale.id),
        viewonly=True, lazy="select", order_by=lambda: Movement.id)

    @property
    def balance_due(self):
        """What was left unpaid at the time of the sale (`total - paid`)."""
        return self.total - self.paid


class SaleLine(db.Model):
    __tablename__ = "sale_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0 AND returned_quantity >= 0 "
                        "AND returned_quantity <= quantity", name="quantities"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    discount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    line_total: Mapped[Decimal] = mapped_column(Money())
    returned_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))

    sale = relationship(Sale, back_populates="lines")
    # the lots a lot-tracked line left from (none for untracked products)
    lots = relationship("SaleLineLot", lazy="selectin", order_by="SaleLineLot.id")


class SaleLineLot(db.Model):
    """How much of a lot-tracked sale line left from one lot, and how much came back."""

    __tablename__ = "sale_line_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_lines.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    returned_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))

    lot = relationship(Lot, lazy="joined")


class SaleReturn(db.Model):
    """Goods brought back: `value` credited against the sale's debt first
    (`credited`), the rest refunded (`refund`)."""

    __tablename__ = "sale_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[Decimal] = mapped_column(Money())
    credited: Mapped[Decimal] = mapped_column(Money())
    refund: Mapped[Decimal] = mapped_column(Money())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sale = relationship(Sale, back_populates="returns")
    lines = relationship("SaleReturnLine", lazy="selectin", order_by="SaleReturnLine.id")


class SaleReturnLine(db.Model):
    __tablename__ = "sale_return_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("sale_returns.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    value: Mapped[Decimal] = mapped_column(Money())
