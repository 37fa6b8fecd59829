from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.types import TimestampMixin
from ..extensions import db

user_stores = Table(
    "user_stores",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id"), primary_key=True, index=True),
)


class User(TimestampMixin, db.Model):
    """A person who logs in. `token_version` is the generation of its tokens:
    every access and refresh token carries it (claim `ver`), and bumping it
    (password change, deactivation) makes every token issued before refused.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), unique=True)
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    stores = relationship("Store", secondary=user_stores, lazy="selectin", order_by="Store.id")
    client = relationship("Client", foreign_keys=[client_id])

    @property
    def store_ids(self):
        return [store.id for store in self.stores]
