"""Pagination of SQLAlchemy `select()` statements and `sort` query args."""

from flask_smorest import Page
from marshmallow import fields, validate
from sqlalchemy import func, select

from ..extensions import db


class Listing:
    """A list statement with optional extras for `SelectPage`.

    `count`: a cheaper statement with the same rows to count (e.g. without
    joins that only add columns); `total()`: the number of rows from a read
    model instead of counting them (None when it cannot tell: `count` is then
    run); `process(rows)`: post-processing of a page (e.g. attaching nested
    rows with one extra query per page).
    """

    def __init__(self, stmt, *, count=None, total=None, process=None):
        self.stmt = stmt
        self.count = count if count is not None else stmt
        self.total = total
        self.process = process


class SelectPage(Page):
    """flask-smorest Page over a `select()`: counts over a subquery, then slices.

    A view returns the statement (already filtered and ordered), or a
    `Listing`; this pager runs exactly two queries: the count (or the
    listing's `total`) and the page, plus the listing's `process`.
    """

    MAX_OFFSET = 2**31  # beyond any table we hold; also keeps OFFSET within SQL integers

    @property
    def items(self):
        if self.page_params.first_item >= self.MAX_OFFSET:
            return []
        listing = self._listing()
        rows = self._fetch(listing.stmt)
        return listing.process(rows) if listing.process else rows

    def _listing(self):
        collection = self.collection
        return collection if isinstance(collection, Listing) else Listing(collection)

    def _fetch(self, statement):
        stmt = statement.limit(self.page_params.page_size).offset(
            self.page_params.first_item
        )
        result = db.session.execute(stmt)
        if len(stmt.column_descriptions) == 1:
            return result.scalars().unique().all()
        return result.all()

    @property
    def item_count(self):
        listing = self._listing()
        total = listing.total() if listing.total is not None else None
        if total is not None:
            return total
        stmt = listing.count
        count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
        return db.session.scalar(count_stmt)


def sort_field(allowed, default):
    """A `sort` query arg: one of `allowed`, optionally prefixed with `-`."""
    choices = sorted(allowed) + sorted("-" + name for name in allowed)
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices),
        metadata={"description": "Sort field; prefix with `-` for descending."},
    )


def apply_sort(stmt, sort, columns, tiebreak):
    """Order `stmt` by `sort` (name or -name) mapped through `columns`, then `tiebreak`."""
    descending = sort.startswith("-")
    column = columns[sort.lstrip("-")]
    order = column.desc() if descending else column.asc()
    tie = tiebreak.desc() if descending else tiebreak.asc()
    return stmt.order_by(order, tie)


def like_pattern(text):
    """A case-insensitive LIKE pattern for 'contains `text`', with wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_any(columns, text):
    from sqlalchemy import or_

    pattern = like_pattern(text)
    return or_(*(func.lower(col).like(pattern, escape="\\") for col in columns))
