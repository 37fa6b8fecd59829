"""Manual ratings of suppliers (1–5), optionally about one of their purchase orders.

Only `purchasing.evaluation` writes this table; `GET /suppliers/{id}/performance`
reports their mean as `rating`.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..common.references import HISTORY
from ..common.types import UTCDateTime, utcnow
from ..extensions import db


class SupplierRating(db.Model):
    """One manager's score (1–5) of a supplier, with an optional comment."""

    __tablename__ = "supplier_ratings"
    __table_args__ = (
        CheckConstraint("score >= 1 AND score <= 5", name="score"),
        Index("ix_supplier_ratings_supplier_id_id", "supplier_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), info=HISTORY)
    purchase_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_orders.id"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
