"""Customer orders, their lines, the stock they hold and their status history."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.references import HISTORY
from ..common.types import Money, Quantity, TimestampMixin, UTCDateTime, utcnow
from ..extensions import db

STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")


class Order(TimestampMixin, db.Model):
    """A client's order from one store. `total` = Σ line_total; `paid` is what the
    client paid at confirmation (the rest became a debt)."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_created_at", "status", "created_at"),
        Index("ix_orders_client_id_id", "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id"), index=True)

    lines = relationship("OrderLine", lazy="selectin", order_by="OrderLine.id")
    reservations = relationship("OrderReservation", lazy="select",
                                order_by="OrderReservation.id")
    status_history = relationship("OrderStatusChange", lazy="select",
                                  order_by="OrderStatusChange.id")


class OrderLine(db.Model):
    """A product ordered: quantity at the product's price when ordered."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    line_total: Mapped[Decimal] = mapped_column(Money())


class OrderReservation(db.Model):
    """What `stock.service.reserve` held for a line: one row per (store, lot) it took.

    Live while the order is pending; afterwards a record of what was held.
    """

    __tablename__ = "order_reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())


class OrderStatusChange(db.Model):
    """One step of an order's life: from → to, who, when, and an optional note."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(255))
