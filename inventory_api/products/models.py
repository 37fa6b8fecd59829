from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression

from ..common.types import Money, Quantity, TimestampMixin
from ..common.unique import key_column, key_validator
from ..extensions import db

KINDS = ("raw_material", "finished_good", "merchandise")
UNITS = ("unit", "kg", "g", "l", "ml", "m", "cm", "m2", "box", "pack", "dozen", "pair")


class Product(TimestampMixin, db.Model):
    """A sellable or consumable item. `sku` and `barcode` keep the user's spelling and
    are unique whatever their case (through `sku_key` / `barcode_key`, common/unique.py).

    `cost` is the moving-average unit cost, maintained by the movements service.
    """

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_active_name", "active", "name"),
        Index("ix_products_price", "price"),
        # filtered lists count their matches on it alone (category tree + price range)
        Index("ix_products_category_active_price", "category_id", "active", "price"),
        Index("ix_products_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    sku_key: Mapped[str] = key_column("sku", 64, ascii_only=True)  # the SKU pattern is ASCII
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True, default="merchandise")
    unit: Mapped[str] = mapped_column(String(10), default="unit")
    price: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    min_stock: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))
    reorder_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.000"))
    barcode: Mapped[str | None] = mapped_column(String(64))
    barcode_key: Mapped[str | None] = key_column("barcode", 64, nullable=True)
    preferred_supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id"), index=True
    )
    track_lots: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    # Read-only values computed from stock levels by `products.service`
    # (`with_expression`); None when the product was loaded some other way.
    stock_total: Mapped[Decimal | None] = query_expression()
    stock_status: Mapped[str | None] = query_expression()

    _keys = key_validator("sku", "barcode")
