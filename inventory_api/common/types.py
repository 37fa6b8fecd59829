"""Column types and mixins that behave the same on MySQL and SQLite."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import DateTime, Numeric
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

MONEY_PLACES = Decimal("0.01")
QTY_PLACES = Decimal("0.001")


def utcnow():
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC (both databases drop offsets)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "mysql":  # keep microseconds (MySQL's DATETIME drops them)
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class _FixedDecimal(TypeDecorator):
    """Numeric quantized in Python on write and read (SQLite stores REAL)."""

    impl = Numeric
    cache_ok = True
    places = MONEY_PLACES

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(self.places, rounding=ROUND_HALF_UP)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(self.places, rounding=ROUND_HALF_UP)


class Money(_FixedDecimal):
    cache_ok = True  # SQLAlchemy reads it from each subclass's own __dict__
    places = MONEY_PLACES

    def __init__(self):
        super().__init__(14, 2, asdecimal=True)


class Quantity(_FixedDecimal):
    cache_ok = True
    places = QTY_PLACES

    def __init__(self):
        super().__init__(14, 3, asdecimal=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


def render_item(type_, obj, autogen_context):
    """Alembic: render our TypeDecorators as their plain SQLAlchemy type."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from sqlalchemy.dialects import mysql")
        return "sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')"
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False
