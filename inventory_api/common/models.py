"""Tables of the shared mechanisms (idempotency, named counters)."""

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.mysql import MEDIUMTEXT
from sqlalchemy.orm import Mapped, mapped_column

from ..common.types import UTCDateTime, utcnow
from ..extensions import db


class IdempotencyKey(db.Model):
    """A stored response for an `Idempotency-Key`, saved with the effect it describes."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text().with_variant(MEDIUMTEXT(), "mysql"))
    location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class DocumentCounter(db.Model):
    """A named counter (common/counters.py): the last number handed out per document
    kind ('sales'), taken under the row's lock so that numbers are unique, gapless
    and increasing; or the version of a small table that processes cache
    ('categories'), changed by every write to it."""

    __tablename__ = "document_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
