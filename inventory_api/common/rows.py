"""New rows of a document written in one INSERT, outside the ORM's unit of work.

A sale, its lines and its movements are new ORM objects that the rest of the
request reads (the response shows them). Flushing them through the unit of
work costs more Python than the INSERT itself (sorting the objects, history
per attribute, the RETURNING rows matched back); `insert_new` instead writes
objects of one class with prebuilt multi-row `INSERT ... VALUES (...), (...)
RETURNING id` statements (up to `ROWS_PER_INSERT` rows each, one compiled
statement per number of rows), sets their ids and registers
them in the session as a flush would: persistent, with nothing left to
flush, every column's value known (no read-back), and expunged again if the
transaction (or savepoint) they were written in rolls back. That last step
is SQLAlchemy's own `Session._register_persistent` (not public API; pinned
with SQLAlchemy in requirements.txt and covered by tests/test_rows.py).

The ids are matched to the rows by order: a database gives the rows of one
INSERT increasing ids in the order of its VALUES (InnoDB's auto-increment,
PostgreSQL's sequences, SQLite's rowids), so the returned ids, sorted, are
the rows' ids in row order, whatever order RETURNING lists them in. That
costs less than SQLAlchemy's "insertmanyvalues" with a sentinel column,
which renders the VALUES of every execution anew in Python (the largest
part of a sale's INSERTs in a profile) and on SQLite sends one row at a time.

Only for objects whose every column the caller sets (None included) or
whose column has a plain Python default; a column left to a server default
or a SQL expression would be unknown to the object, so that raises instead.
"""

from functools import lru_cache

from sqlalchemy import bindparam, inspect, text
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db

ROWS_PER_INSERT = 100


@lru_cache(maxsize=64)
def _plan(cls):
    """(table, primary key column, [(attribute, column default or None)]) for mapped
    class `cls`."""
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
    return table, key, fields


@lru_cache(maxsize=1024)
def _statement(cls, rows, dialect):
    """`INSERT INTO ... VALUES` `rows` rows `RETURNING` the key as a typed textual
    statement, parameters <attribute>_<row>; built once per class, number of rows
    and dialect. (SQLAlchemy compiles a multi-row `insert().values([...])` anew
    at every execution; a `text()` it compiles once.)"""
    table, key, fields = _plan(cls)
    columns = inspect(cls).column_attrs
    quote = dialect.identifier_preparer.quote
    names = [columns[name].columns[0] for name, _ in fields]
    rows_sql = ", ".join(
        "(" + ", ".join(f":{name}_{row}" for name, _ in fields) + ")" for row in range(rows))
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in names)}) "
           f"VALUES {rows_sql} RETURNING {quote(key.name)}")
    params = [bindparam(f"{name}_{row}", type_=column.type)
              for row in range(rows) for (name, _), column in zip(fields, names, strict=True)]
    return text(sql).bindparams(*params).columns(key)


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

    One statement per `ROWS_PER_INSERT` objects; their relationships are not
    written or loaded (set them with `set_committed_value` where a response
    needs them).
    """
    if not objects:
        return objects
    cls = type(objects[0])
    _, key, fields = _plan(cls)
    connection = db.session.connection()
    for start in range(0, len(objects), ROWS_PER_INSERT):
        chunk = objects[start:start + ROWS_PER_INSERT]
        params = {}
        for row, obj in enumerate(chunk):
            for name, default in fields:
                params[f"{name}_{row}"] = _value(obj, name, default)
        statement = _statement(cls, len(chunk), connection.dialect)
        ids = sorted(connection.execute(statement, params).scalars().all())
        if len(ids) != len(chunk):  # a driver or dialect bug, never a user error
            raise RuntimeError(f"{len(chunk)} rows inserted, {len(ids)} ids returned")
        for obj, new_id in zip(chunk, ids, strict=True):
            setattr(obj, key.key, new_id)
    session = db.session()
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
