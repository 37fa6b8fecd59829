"""Unique keys that keep the user's spelling but compare whatever the case.

A unique text field (`sku`, `code`, `tax_id`, a name...) is stored exactly as
the user sent it. Beside it a *key* column holds `key_of(value)` (casefolded)
and carries the UNIQUE constraint, so "ab-1" and "AB-1" collide on SQLite,
MariaDB and PostgreSQL alike, and a concurrent duplicate hits the unique index
on every database. The key column compares bytes on MySQL/MariaDB
(`utf8mb4_bin`), so the database's own collation (which also folds accents)
never decides what is a duplicate.

The model fills its keys itself (`key_validator` on every ORM write,
`key_column`'s default for bulk Core inserts), so no code path can forget them.
`ensure_unique` is the friendly check services run before writing: it turns a
duplicate into a 409 naming the field, before the index would.
"""

from sqlalchemy import String, select
from sqlalchemy.dialects.mysql import VARCHAR
from sqlalchemy.orm import mapped_column, validates

from ..errors import Conflict
from ..extensions import db

# casefold() can lengthen a string ("ß" → "ss"), at most three times.
GROWTH = 3


def key_of(value):
    """The comparison key of a text value (None stays None)."""
    return None if value is None else value.casefold()


def key_type(length):
    """VARCHAR(length) that compares bytes on MySQL/MariaDB, plain elsewhere."""
    return String(length).with_variant(
        VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def key_column(source, length, *, nullable=False, ascii_only=False):
    """A unique mapped column holding `key_of(<source>)`.

    `length` is the source column's; the key gets room for casefold's growth
    unless the source only admits ASCII (`ascii_only`). Its default computes
    the key from the source in a bulk `insert(Model)` that does not name it.
    """

    def default(context):
        return key_of(context.get_current_parameters().get(source))

    size = length if ascii_only else length * GROWTH
    return mapped_column(key_type(size), unique=True, nullable=nullable, default=default)


def key_validator(*sources):
    """A model validator that sets `<source>_key` whenever `<source>` is assigned.

    Use in the model's body: `_keys = key_validator("sku", "barcode")`.
    """

    def fill_key(self, name, value):
        setattr(self, f"{name}_key", key_of(value))
        return value

    return validates(*sources)(fill_key)


def ensure_unique(column, value, *, exclude_id=None, field, label, normalize=key_of):
    """Raise Conflict (409, `errors={field: value}`) when another row holds this value.

    `column` is a model's unique column, usually a key column (`Product.sku_key`)
    that is compared with `normalize(value)`; pass `normalize=None` for a column
    whose values are already normalized (e.g. lower-cased emails). `label`
    starts the message ("A product with this SKU" → "... already exists.").
    `exclude_id` is the row being updated. Reads only; a None value passes.
    """
    if value is None:
        return
    model = column.class_
    wanted = normalize(value) if normalize is not None else value
    stmt = select(model.id).where(column == wanted)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise Conflict(f"{label} already exists.", errors={field: value})
