from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..common.types import TimestampMixin
from ..common.unique import key_column, key_validator
from ..extensions import db


class Supplier(TimestampMixin, db.Model):
    """Someone we buy from; `tax_id` keeps the user's spelling and is unique whatever
    its case (`tax_id_key`)."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    tax_id: Mapped[str | None] = mapped_column(String(40))
    tax_id_key: Mapped[str | None] = key_column("tax_id", 40, nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(255))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    _keys = key_validator("tax_id")
