"""Pagination of SQLAlchemy `select()` statements and `sort` query args."""

from flask_smorest import Page
from marshmallow import fields, validate
from sqlalchemy import Integer, bindparam, func, or_, select

from ..extensions import db
from .pool import PLAN_EACH_TIME

# the page's bounds as parameters of a prebuilt `counted_page` statement
PAGE_LIMIT = bindparam("page_limit", type_=Integer)
PAGE_OFFSET = bindparam("page_offset", type_=Integer)


class Listing:
    """A list statement with optional extras for `SelectPage`.

    `count`: a cheaper statement with the same rows to count (e.g. without
    joins that only add columns); `total()`: the number of rows from a read
    model instead of counting them (None when it cannot tell: `count` is then
    run); `process(rows)`: post-processing of a page (e.g. attaching nested
    rows with one extra query per page).

    `counted=True`: `stmt` was made by `counted_page` (built once, with its
    bounds and filter values as parameters, `params`): the page and its
    total come back in one statement, and its rows reach `process` (or the
    response) as dicts. `count` is then only run for a page past the end.
    `revise(rows)` (counted listings only) sees those dicts first and
    returns None when the page stands, or another `Listing` to run instead
    (a statement built from a cache that the page's rows show was stale;
    common/tree.py); after `MAX_REVISIONS` revised listings, the last one's
    page stands unchecked.
    """

    MAX_REVISIONS = 3

    def __init__(self, stmt, *, count=None, total=None, process=None, params=None,
                 counted=False, revise=None):
        self.stmt = stmt
        self.count = count if count is not None else stmt
        self.total = total
        self.process = process
        self.params = params or {}
        self.counted = counted
        self.revise = revise


def counted_page(stmt, count):
    """`stmt` (filtered and ordered, its values as bound parameters) as one statement
    for `Listing(counted=True)`: `PAGE_LIMIT` rows from `PAGE_OFFSET`, each with
    the number of rows `count` selects as its last column.

    That number is an uncorrelated scalar subquery, which MariaDB, PostgreSQL
    and SQLite evaluate once per statement: the page and its total cost one
    round trip instead of two. Build it once per shape of query and keep it;
    building costs more than running it. On PostgreSQL it is planned with its
    values every time (common/pool.py, `PLAN_EACH_TIME`).
    """
    total = select(func.count()).select_from(count.order_by(None).subquery())
    return (stmt.add_columns(total.scalar_subquery().label("page_total"))
            .limit(PAGE_LIMIT).offset(PAGE_OFFSET)
            .execution_options(**{PLAN_EACH_TIME: True}))


class SelectPage(Page):
    """flask-smorest Page over a `select()`: counts over a subquery, then slices.

    A view returns the statement (already filtered and ordered), or a
    `Listing`; this pager runs exactly two queries: the count (or the
    listing's `total`) and the page, plus the listing's `process`; one for a
    `counted` listing's page (two past its end).
    """

    MAX_OFFSET = 2**31  # beyond any table we hold; also keeps OFFSET within SQL integers

    def __init__(self, collection, page_params):
        self.collection = collection
        self.page_params = page_params
        if not self._listing().counted:  # else the page's own statement tells (items)
            page_params.item_count = self.item_count

    @property
    def items(self):
        listing = self._listing()
        if self.page_params.first_item >= self.MAX_OFFSET:
            rows = []
            if listing.counted:
                self.page_params.item_count = self.item_count
        elif listing.counted:
            rows = self._fetch_counted(listing)
        else:
            rows = self._fetch(listing.stmt)
        listing = self._listing()  # revised, maybe
        return listing.process(rows) if listing.process else rows

    def _fetch_counted(self, listing):
        for _ in range(Listing.MAX_REVISIONS):
            rows = self._fetch_counted_once(listing)
            revised = listing.revise(rows) if listing.revise is not None else None
            if revised is None:
                return rows
            listing = self.collection = revised
        # still revised after MAX_REVISIONS rounds (its cache changing all the time):
        # the last listing's page stands, read just after the data it was built from
        return self._fetch_counted_once(listing)

    def _fetch_counted_once(self, listing):
        first = self.page_params.first_item
        # on the session's connection: rows as they come, without the ORM's loading
        result = db.session.connection().execute(listing.stmt, {
            **listing.params, "page_limit": self.page_params.page_size, "page_offset": first})
        names = tuple(result.keys())[:-1]
        rows = result.all()
        if rows:
            self.page_params.item_count = rows[0][-1]
        elif first == 0:
            self.page_params.item_count = 0
        else:  # past the end: no row to carry the total
            self.page_params.item_count = self.item_count
        return [dict(zip(names, row[:-1], strict=True)) for row in rows]

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
        return db.session.scalar(count_stmt, listing.params)


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
    """Any of `columns` contains `text` (case-insensitive); `text` may also be a
    bound parameter that will carry `like_pattern(text)`."""
    pattern = like_pattern(text) if isinstance(text, str) else text
    return or_(*(func.lower(col).like(pattern, escape="\\") for col in columns))
