"""Stock levels, the movements ledger, lots, low-stock events, transfers, counts.

Only `stock.service` (the movements service) writes `stock_levels`,
`movements` and `low_stock_events`.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from ..common.references import DERIVED, HISTORY
from ..common.types import Money, Quantity, UTCDateTime, utcnow
from ..extensions import db

# `stock_levels.lot_key` of stock without a lot (untracked products): the lot id
# cannot serve, since NULLs never collide in the unique key.
NO_LOT = 0


class Lot(db.Model):
    """A batch of a lot-tracked product: code and optional expiry date."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("product_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    code: Mapped[str] = mapped_column(String(64))
    expiry_date: Mapped[date | None] = mapped_column(Date, index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    # the purchase order whose receipt created the lot (its foreign key comes with purchasing)
    purchase_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StockLevel(db.Model):
    """Current quantity per (product, store, lot). `lot_key` is the lot id, or
    `NO_LOT` for untracked stock, so that the unique key holds for both."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("product_id", "store_id", "lot_key"),
        CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand", name="quantities"
        ),
        Index("ix_stock_levels_store_product", "store_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    lot_key: Mapped[int] = mapped_column(Integer, default=NO_LOT)
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))
    reserved: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # how many movements this row has had (the ledger's totals by product, without counting)
    movement_count: Mapped[int] = mapped_column(Integer, default=0)

    lot = relationship(Lot, lazy="joined")

    @property
    def available(self):
        return self.on_hand - self.reserved


class ProductStock(db.Model):
    """A product's stock over every store: Σ on_hand and Σ (on_hand − reserved)
    of its `stock_levels` rows.

    A read model, so that product reads (`stock_total`, `stock_status`, the
    sort and the filter) cost one primary-key join per product instead of an
    aggregate over the levels. The movements service keeps it in the same
    transaction as the levels (an increment per product whose totals change);
    `check-ledger` compares it with the levels. A product without a row has
    never had stock (0, 0).
    """

    __tablename__ = "product_stock"
    __table_args__ = (CheckConstraint(
        "on_hand >= 0 AND available >= 0 AND available <= on_hand", name="quantities"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True,
                                            autoincrement=False, info=DERIVED)
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))
    available: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))


class LedgerCount(db.Model):
    """A store's counters, kept with its ledger: how many movements it holds and how
    many products it has on hand. Read models, so that the `X-Pagination` totals
    of the ledger and of the store's inventory need no count.

    The movements service locks a store's row (after the stock levels) and
    numbers each new movement of the store in it (`Movement.store_seq`,
    1, 2, 3, ... without gaps: a rolled-back transaction rolls its numbers
    back too); `products_held` moves when a product's stock in the store goes
    from nothing to something or back. `check-ledger` compares both with the
    movements and the stock levels.
    """

    __tablename__ = "ledger_counts"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True,
                                          autoincrement=False, info=DERIVED)
    movements: Mapped[int] = mapped_column(BigInteger, default=0)
    products_held: Mapped[int] = mapped_column(Integer, default=0)


class StockMinimum(db.Model):
    """A store's override of a product's `min_stock`."""

    __tablename__ = "stock_minimums"
    __table_args__ = (UniqueConstraint("product_id", "store_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    min_stock: Mapped[Decimal] = mapped_column(Quantity())


class Movement(db.Model):
    """One append-only ledger line: a signed quantity and the balance after it."""

    __tablename__ = "movements"
    __table_args__ = (
        Index("ix_movements_product_id_id", "product_id", "id"),
        Index("ix_movements_store_id_id", "store_id", "id"),
        Index("ix_movements_reference", "reference_type", "reference_id"),
        Index("ix_movements_level_id", "stock_level_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    stock_level_id: Mapped[int] = mapped_column(ForeignKey("stock_levels.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    balance_after: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())
    reason: Mapped[str | None] = mapped_column(String(255))
    reference_type: Mapped[str | None] = mapped_column(String(20))
    reference_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # the movement's place in its store's ledger and in its stock level's (1, 2, 3, ...):
    # the number of movements up to any id is then one index lookup, not a count
    store_seq: Mapped[int] = mapped_column(BigInteger)
    level_seq: Mapped[int] = mapped_column(Integer)

    lot = relationship(Lot, lazy="joined")


class LowStockEvent(db.Model):
    """Stock of a (product, store) crossed down to its minimum; resolved when back above.

    `movement_id` is the movement that crossed it, or None when a reservation
    did (a pending order); `reference_type`/`reference_id` name the document
    behind either (None for a manual movement).
    """

    __tablename__ = "low_stock_events"
    __table_args__ = (Index("ix_low_stock_events_open", "product_id", "store_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    available: Mapped[Decimal] = mapped_column(Quantity())
    min_stock: Mapped[Decimal] = mapped_column(Quantity())
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"), index=True)
    reference_type: Mapped[str | None] = mapped_column(String(20))
    reference_id: Mapped[int | None] = mapped_column(Integer)
    resolved_by_movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class Transfer(db.Model):
    """Stock moved between two stores: its lines and its movements (read-only)."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    to_store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines = relationship("TransferLine", lazy="selectin", order_by="TransferLine.id")
    # the transfer_out and transfer_in movements it posted (written by the movements
    # service only, hence view-only)
    movements = relationship(
        Movement,
        primaryjoin=lambda: and_(Movement.reference_type == "transfer",
                                 foreign(Movement.reference_id) == Transfer.id),
        viewonly=True, lazy="selectin", order_by=lambda: Movement.id)


class TransferLine(db.Model):
    __tablename__ = "transfer_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())

    lot = relationship(Lot, lazy="joined")


class StockCount(db.Model):
    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines = relationship("StockCountLine", lazy="selectin", order_by="StockCountLine.id")


class StockCountLine(db.Model):
    __tablename__ = "stock_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), info=HISTORY, index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    expected_quantity: Mapped[Decimal] = mapped_column(Quantity())
    counted_quantity: Mapped[Decimal] = mapped_column(Quantity())
    difference: Mapped[Decimal] = mapped_column(Quantity())
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))

    lot = relationship(Lot, lazy="joined")
