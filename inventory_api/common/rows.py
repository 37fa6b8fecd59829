"""New rows of a document written in one INSERT, outside the ORM's unit of work.

A sale, its lines and its movements are new ORM objects that the rest of the
request reads (the response shows them). Flushing them through the unit of
work costs more Python than the INSERT itself (sorting the objects, history
per attribute, the RETURNING rows matched back); `insert_new` instead writes
objects of one class with one prebuilt `INSERT ... RETURNING id` (several
rows per statement, ids in parameter order), sets their ids and registers
them in the session as a flush would: persistent, with nothing left to
flush, every column's value known (no read-back), and expunged again if the
transaction (or savepoint) they were written in rolls back. That last step
is SQLAlchemy's own `Session._register_persistent` (not public API; pinned
with SQLAlchemy in requirements.txt and covered by tests/test_rows.py).

Only for objects whose every column the caller sets (None included) or
whose column has a plain Python default; a column left to a server default
or a SQL expression would be unknown to the object, so that raises instead.
"""

from functools import lru_cache

from sqlalchemy import insert, inspect
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db


@lru_cache(maxsize=64)
def _plan(cls):
    """(statement, primary key attribute, [(attribute, column default or None)])
    for mapped class `cls`."""
    mapper = inspect(cls)
    table = mapper.local_table
    (key,) = mapper.primary_key
    fields = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column is key or getattr(column, "table", None) is not table:
            continue
        default = column.default
        if column.server_default is not None or (
                default is not None and not (default.is_scalar or default.is_callable)):
            raise TypeError(f"{cls.__name__}.{prop.key}: a server-side default"
                            " would be unknown to the object")
        fields.append((prop.key, default))
    statement = insert(table).returning(key, sort_by_parameter_order=True)
    return statement, key.key, fields


def _value(obj, name, default):
    values = obj.__dict__
    if name in values:
        return values[name]
    if default is None:
        return None
    value = default.arg if default.is_scalar else default.arg(None)
    setattr(obj, name, value)
    return value


def insert_new(objects):
    """INSERT the new (transient) ORM objects `objects`, all of one class, and make
    them persistent in the session with their ids. Returns `objects`.

    One statement for all of them (the driver's batches of many rows); their
    relationships are not written or loaded (set them with
    `set_committed_value` where a response needs them).
    """
    if not objects:
        return objects
    statement, key, fields = _plan(type(objects[0]))
    rows = [{name: _value(obj, name, default) for name, default in fields} for obj in objects]
    ids = db.session.connection().execute(statement, rows).scalars().all()
    if len(ids) != len(objects):  # a driver or dialect bug, never a user error
        raise RuntimeError(f"{len(objects)} rows inserted, {len(ids)} ids returned")
    session = db.session()
    for obj, new_id in zip(objects, ids, strict=True):
        setattr(obj, key, new_id)
    # what a flush does with the rows it has just inserted (SQLAlchemy's own
    # step, `Session._register_persistent`): they become persistent, their
    # values committed, and they belong to the current transaction, so a
    # rollback (of a savepoint too) takes them out of the session again
    session.add_all(objects)
    session._register_persistent({inspect(obj) for obj in objects})
    return objects


def insert_ignoring_duplicates(model, values, index_elements):
    """INSERT a row unless one with the same unique key exists (also one inserted
    concurrently). Writes at most one row; returns nothing."""
    dialect = db.session.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        stmt = mysql_insert(model).values(values)
        first = index_elements[0]
        stmt = stmt.on_duplicate_key_update({first: stmt.inserted[first]})
    elif dialect == "postgresql":
        stmt = postgresql_insert(model).values(values).on_conflict_do_nothing(
            index_elements=index_elements)
    elif dialect == "sqlite":
        stmt = sqlite_insert(model).values(values).on_conflict_do_nothing(
            index_elements=index_elements)
    else:
        raise NotImplementedError(f"No insert-or-ignore for the {dialect} dialect.")
    db.session.connection().execute(stmt)
