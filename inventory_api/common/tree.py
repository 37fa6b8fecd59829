"""Trees stored as `parent_id` adjacency lists (categories)."""

from sqlalchemy import bindparam, literal_column, select

from ..extensions import db

_subtrees = {}


def descendants_select(model, root_id):
    """A select of `root_id` and the ids of every row below it (a recursive CTE).

    `model` needs an `id` and a `parent_id` column.
    """
    tree = select(model.id).where(model.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(select(model.id).where(model.parent_id == tree.c.id))
    return select(tree.c.id)


def in_subtree(column, model, root_id):
    """`column IN (root_id and the ids below it)`, the ids written into the SQL.

    They are our own integers, so writing them is safe; and a statement with
    a literal list compiles once per distinct tree and is then found in
    SQLAlchemy's statement cache, where a bound list would be expanded into
    the SQL text again on every execution.
    """
    return in_ids(column, descendant_ids(model, root_id))


def in_ids(column, ids):
    """`column IN (ids)` with the ids (our own integers) written into the SQL."""
    return column.in_([literal_column(str(int(id_))) for id_ in ids])


def descendant_ids(model, root_id):
    """`root_id` and the ids of every row below it, read with one statement.

    The recursive CTE is built once per model (building it costs more than
    running it on a tree the size of a catalog's categories) and run with the
    root as a parameter; the ids then filter the caller's query as a plain
    `IN`. An unknown root gives [].
    """
    if model not in _subtrees:
        _subtrees[model] = descendants_select(model, bindparam("root_id"))
    return list(db.session.scalars(_subtrees[model], {"root_id": root_id}))
