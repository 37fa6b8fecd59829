from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.types import TimestampMixin
from ..common.unique import key_column, key_validator
from ..extensions import db


class Store(TimestampMixin, db.Model):
    """A store or warehouse; `name` and `code` keep the user's spelling and are
    unique whatever their case (`name_key`, `code_key`)."""

    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = key_column("name", 120)
    code: Mapped[str] = mapped_column(String(20))
    code_key: Mapped[str] = key_column("code", 20, ascii_only=True)  # the code pattern is ASCII
    address: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    _keys = key_validator("name", "code")
