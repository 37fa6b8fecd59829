from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..common.tree import CachedTree
from ..common.types import TimestampMixin
from ..common.unique import key_column, key_validator
from ..extensions import db


class Category(TimestampMixin, db.Model):
    """A node of the category tree; `name` is unique whatever its case (`name_key`)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = key_column("name", 120)
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)

    _keys = key_validator("name")


# the tree as each process holds it, for product filters by category (common/tree.py)
CATEGORY_TREE = CachedTree(Category, counter="categories")
