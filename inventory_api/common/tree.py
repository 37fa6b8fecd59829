"""Trees stored as `parent_id` adjacency lists (categories)."""

from flask import current_app
from sqlalchemy import bindparam, event, literal, literal_column, select, true
from sqlalchemy.orm import Session

from ..extensions import db
from . import counters

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


class CachedTree:
    """A tree's parent links held by each process, for filters by subtree without a
    round trip to read the subtree.

    Every ORM write to `model` (a flush that adds, changes or deletes one of
    its rows) gives the tree a new version in the same transaction
    (`common/counters.py`). A statement filtering with `subtree(root_id)`
    also selects `version_column()`; when the value it reads is not
    `snapshot.version`, the ids were not those of the tree that statement
    saw, and the caller calls `refresh()` and runs it again. The tree and its
    version are read together in one statement, so a snapshot is always one
    the database held. One snapshot per application (its database). Version 0
    (no counter row: rows written without the ORM since the table was
    emptied) is never held: each `snapshot()` then reads the tree again.
    """

    def __init__(self, model, counter):
        self.model, self.counter = model, counter
        version = counters.version_column(counter).label("version")
        self._read = (select(version, model.id, model.parent_id)
                      .select_from(select(literal(1).label("one")).subquery())
                      .outerjoin(model.__table__, true()))
        self._read_version = select(counters.version_column(counter))
        event.listen(Session, "before_flush", self._changed)

    def version_column(self):
        return counters.version_column(self.counter).label("tree_version")

    def snapshot(self):
        """The process's `TreeSnapshot` for the current application (read the first time)."""
        held = current_app.extensions.get(self._key)
        return held if held is not None and held.version else self.refresh()

    def refresh(self):
        """Read the tree and its version (one statement) and hold them."""
        rows = db.session.execute(self._read).all()  # at least one row, with the version
        children = {}
        for _, node_id, parent_id in rows:
            if node_id is not None:
                children.setdefault(parent_id, []).append(node_id)
        snapshot = TreeSnapshot(rows[0].version, children)
        current_app.extensions[self._key] = snapshot if snapshot.version else None
        return snapshot

    def current_version(self):
        """The version as the database holds it now (one statement)."""
        return db.session.scalar(self._read_version)

    @property
    def _key(self):
        return f"cached_tree:{self.model.__tablename__}"

    def _changed(self, session, flush_context, instances):
        model = self.model
        if (any(isinstance(row, model) for row in session.new)
                or any(isinstance(row, model) for row in session.deleted)
                or any(isinstance(row, model) and session.is_modified(row)
                       for row in session.dirty)):
            counters.change_version(session.connection(), self.counter)


class TreeSnapshot:
    """A tree as read at `version`: `subtree(root_id)` is the root and the ids below
    it, in order (() for an unknown root)."""

    def __init__(self, version, children):
        self.version = version
        self._children = children
        self._known = {node for nodes in children.values() for node in nodes}
        self._subtrees = {}

    def subtree(self, root_id):
        found = self._subtrees.get(root_id)
        if found is None:
            found = set()
            pending = [root_id] if root_id in self._known else []
            while pending:
                node = pending.pop()
                if node not in found:
                    found.add(node)
                    pending.extend(self._children.get(node, ()))
            found = self._subtrees[root_id] = tuple(sorted(found))
        return found
