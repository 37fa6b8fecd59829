"""Trees stored as `parent_id` adjacency lists (categories)."""

from sqlalchemy import select


def descendants_select(model, root_id):
    """A select of `root_id` and the ids of every row below it (a recursive CTE).

    `model` needs an `id` and a `parent_id` column.
    """
    tree = select(model.id).where(model.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(select(model.id).where(model.parent_id == tree.c.id))
    return select(tree.c.id)
