"""Purchase orders, their lines, receipts and returns to the supplier.

Only `purchasing.service` writes these tables. Goods come in through
`purchase_receipt` movements and go back through `purchase_return` movements
(reference_type 'purchase_order', reference_id the order's id).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from ..common.references import HISTORY
from ..common.types import Money, Quantity, TimestampMixin, UTCDateTime, utcnow
from ..extensions import db
from ..stock.models import Movement

PO_STATUSES = ("draft", "ordered", "partially_received", "received", "cancelled")


class PurchaseOrder(TimestampMixin, db.Model):
    """An order to one supplier for one store. `status` moves draft → ordered →
    partially_received → received, or to cancelled from any of the first three."""

    __tablename__ = "purchase_orders"
    __table_args__ = (
        Index("ix_purchase_orders_supplier_id_id", "supplier_id", "id"),
        Index("ix_purchase_orders_store_id_id", "store_id", "id"),
        Index("ix_purchase_orders_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    expected_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id"), index=True)

    lines = relationship("PurchaseOrderLine", lazy="selectin", order_by="PurchaseOrderLine.id",
                         cascade="all, delete-orphan", back_populates="purchase_order")
    receipts = relationship("PurchaseReceipt", lazy="select", order_by="PurchaseReceipt.id",
                            back_populates="purchase_order")
    returns = relationship("PurchaseReturn", lazy="select", order_by="PurchaseReturn.id",
                           back_populates="purchase_order")
    # the purchase_receipt / purchase_return movements it posted
    movements = relationship(
        Movement,
        primaryjoin=lambda: and_(Movement.reference_type == "purchase_order",
                                 foreign(Movement.reference_id) == PurchaseOrder.id),
        viewonly=True, lazy="select", order_by=lambda: Movement.id)

    @property
    def total(self):
        """Σ quantity × unit_cost of the lines, rounded per line to the cent."""
        return sum((line.line_total for line in self.lines), Decimal("0.00"))


class PurchaseOrderLine(db.Model):
    """A product ordered at `unit_cost`; `received_quantity` and `returned_quantity`
    grow with receipts and returns (returned ≤ received ≤ quantity)."""

    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0 AND received_quantity >= 0 "
                        "AND received_quantity <= quantity AND returned_quantity >= 0 "
                        "AND returned_quantity <= received_quantity", name="quantities"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    received_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))
    returned_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))

    purchase_order = relationship(PurchaseOrder, back_populates="lines")

    @property
    def outstanding_quantity(self):
        return self.quantity - self.received_quantity

    @property
    def line_total(self):
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"),
                                                         rounding=ROUND_HALF_UP)


class PurchaseReceipt(db.Model):
    """One delivery booked against a purchase order (`received_at` its date)."""

    __tablename__ = "purchase_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))

    purchase_order = relationship(PurchaseOrder, back_populates="receipts")
    lines = relationship("PurchaseReceiptLine", lazy="selectin", order_by="PurchaseReceiptLine.id")


class PurchaseReceiptLine(db.Model):
    """How much of a line one receipt brought in, into which lot, at what cost."""

    __tablename__ = "purchase_receipt_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("purchase_receipts.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))


class PurchaseReturn(db.Model):
    """Goods sent back to the supplier from a purchase order."""

    __tablename__ = "purchase_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    purchase_order = relationship(PurchaseOrder, back_populates="returns")
    lines = relationship("PurchaseReturnLine", lazy="selectin", order_by="PurchaseReturnLine.id")


class PurchaseReturnLine(db.Model):
    __tablename__ = "purchase_return_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("purchase_returns.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))
