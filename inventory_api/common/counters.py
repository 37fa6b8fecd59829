"""Named counters (`document_counters`): document numbers and table versions.

`bump(name)` hands out the next number of a document kind (the sales'
`S-000124`): the increment holds the row's lock until the transaction ends,
so numbers are unique, gapless and increasing in commit order. `bump_into`
writes the number into the document's row as well, on PostgreSQL in the
same statement.

`change_version(name)` gives a small table that processes cache (the
category tree, common/tree.py) a new version in the writer's transaction;
`version_column(name)` reads it inside the statement that relies on the
cache, so that statement itself tells whether the cache was current. The
versions are random, not increasing: a test database emptied or rolled back
to an earlier state can never come back to a version some process cached
for another state of the table.
"""

import secrets
from functools import lru_cache

from sqlalchemy import bindparam, func, literal, select, text, update

from .models import DocumentCounter
from .rows import insert_ignoring_duplicates

_COUNTERS = DocumentCounter.__table__
_WHERE_NAME = _COUNTERS.c.name == bindparam("counter")
# MariaDB/MySQL have no UPDATE ... RETURNING: LAST_INSERT_ID(expr) hands the new
# value back in the statement's own reply (the cursor's lastrowid)
_BUMP_MYSQL = update(_COUNTERS).where(_WHERE_NAME).values(
    value=func.last_insert_id(_COUNTERS.c.value + 1))
_BUMP_RETURNING = (update(_COUNTERS).where(_WHERE_NAME)
                   .values(value=_COUNTERS.c.value + 1).returning(_COUNTERS.c.value))
_SET = update(_COUNTERS).where(_WHERE_NAME).values(value=bindparam("new_value"))


def _increment(connection, name):
    """Increment the `name` counter; its new value, or None when it has no row."""
    if connection.dialect.name in ("mysql", "mariadb"):
        result = connection.execute(_BUMP_MYSQL, {"counter": name})
        return result.lastrowid if result.rowcount else None
    return connection.execute(_BUMP_RETURNING, {"counter": name}).scalar()


def _create(name):
    """The counter's row at 0 (an insert that ignores a concurrent one)."""
    insert_ignoring_duplicates(DocumentCounter, {"name": name, "value": 0}, ["name"])


def bump(connection, name):
    """The `name` counter's next value, taken under its row lock (held until the
    transaction ends). One statement, two more the first time (the row is made)."""
    value = _increment(connection, name)
    if value is None:
        _create(name)
        value = _increment(connection, name)
    return value


def number(value, prefix):
    """A document number: `prefix` and the value in at least 6 digits ("S-000124")."""
    return f"{prefix}{value:06d}"


def bump_into(connection, name, table, column, row_id, prefix):
    """Number the row `row_id` of `table` (its `column`) with the `name` counter's next
    value (`number`), taken under its lock as `bump` takes it; returns the number.

    On PostgreSQL one statement (the increment as a data-modifying CTE of the
    UPDATE that writes the number) instead of two; elsewhere, or while the
    counter has no row yet, `bump` then an UPDATE.
    """
    if connection.dialect.name == "postgresql":
        written = connection.execute(_bump_into_statement(table, column), {
            "counter": name, "prefix": prefix, "row_id": row_id}).scalar()
        if written is not None:
            return written
    value = number(bump(connection, name), prefix)
    connection.execute(_set_column_statement(table, column), {"row_id": row_id, "value": value})
    return value


@lru_cache(maxsize=16)
def _set_column_statement(table, column):
    return (update(table).where(table.c.id == bindparam("row_id"))
            .values({column: bindparam("value")}))


@lru_cache(maxsize=16)
def _bump_into_statement(table, column):
    """PostgreSQL's one statement for `bump_into` (its counter row joins the UPDATE as
    a one-row CTE; written as SQL, which SQLAlchemy would flag as a cartesian product)."""
    counters, name = _COUNTERS.name, table.name
    return text(
        f"WITH bumped AS (UPDATE {counters} SET value = value + 1 WHERE name = :counter "
        f"RETURNING value) "
        f"UPDATE {name} SET {column} = :prefix || CASE WHEN bumped.value < 1000000 "
        f"THEN lpad(bumped.value::text, 6, '0') ELSE bumped.value::text END "
        f"FROM bumped WHERE {name}.id = :row_id RETURNING {name}.{column}")


def change_version(connection, name):
    """Give the `name` version a new random value in this transaction (and lock it)."""
    params = {"counter": name, "new_value": secrets.randbelow(2**31 - 1) + 1}
    if connection.execute(_SET, params).rowcount == 0:
        _create(name)
        connection.execute(_SET, params)


def version_column(name):
    """A scalar subquery with the `name` version (0 before its first change)."""
    value = (select(_COUNTERS.c.value).where(_COUNTERS.c.name == literal(name))
             .scalar_subquery())
    return func.coalesce(value, 0)
