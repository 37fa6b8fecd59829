"""Trees stored as `parent_id` adjacency lists (categories)."""

from sqlalchemy import bindparam, select

from ..extensions import db

_subtrees = {}


def descendants_select(model, root_id):
    """A select of `root_id` and the ids of every row below it (a recursive CTE).

    `model` needs an `id` and a `parent_id` column.
    """
    tree = select(model.id).where(model.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(select(model.id).where(model.parent_id == tree.c.id))
    return select(tree.c.id)


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
