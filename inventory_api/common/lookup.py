"""Reading one record by id: the one `get_or_404` every service uses."""

import re

from ..errors import NotFound
from ..extensions import db


def label(model):
    """A model's name for people: `StockCount` → "Stock count"."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
    return words[:1].upper() + words[1:]


def get_or_404(model, ident, what=None):
    """The row of `model` with primary key `ident`, or NotFound ("Product not found.").

    Reads through the session's identity map, so a second call costs no query.
    """
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(f"{what or label(model)} not found.")
    return row


def get_in_stores_or_404(model, ident, principal, what=None):
    """`get_or_404`, and the same 404 when the row's `store_id` is outside the
    caller's stores (a store-scoped user never learns it exists)."""
    row = get_or_404(model, ident, what)
    if principal is not None and not principal.may_use_store(row.store_id):
        raise NotFound(f"{what or label(model)} not found.")
    return row
