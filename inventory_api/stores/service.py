"""Stores and warehouses. Names and codes keep the user's spelling and are unique
whatever their case (common/unique.py).

Writes respect the caller's store scope: a store-scoped principal may change
or delete only stores in its scope, and may not create stores. A delete is refused
(409: archive it instead) while anything refers to the store — stock, history,
users scoped to it — found from the foreign keys (common/references.py).
"""

from sqlalchemy import select

from ..common.lookup import get_or_404
from ..common.pagination import apply_sort, contains_any
from ..common.references import refuse_if_referenced
from ..common.unique import ensure_unique
from ..common.uow import atomic
from ..errors import Forbidden
from ..extensions import db
from .models import Store

FIELDS = ("name", "code", "address", "active")


def get_store(store_id):
    """The store, or NotFound (404)."""
    return get_or_404(Store, store_id)


def check_scope(principal, store=None):
    """Forbidden (403) unless `principal` may write `store`.

    Creating (`store=None`) needs an unscoped principal; changing or deleting a
    store needs it to be in the principal's scope. Reads only.
    """
    if principal is None or not principal.store_ids:
        return
    if store is None:
        raise Forbidden("Only a user who is not limited to some stores may create stores.")
    if not principal.may_use_store(store.id):
        raise Forbidden("This store is outside the stores you may work with.")


def search_stores(args):
    stmt = select(Store)
    if args.get("q"):
        stmt = stmt.where(contains_any([Store.name, Store.code], args["q"]))
    if "active" in args:
        stmt = stmt.where(Store.active == args["active"])
    columns = {"id": Store.id, "name": Store.name, "code": Store.code,
               "created_at": Store.created_at}
    return apply_sort(stmt, args["sort"], columns, Store.id)


def _check_unique(data, exclude_id=None):
    """409 when another store has this name or code, whatever its case."""
    ensure_unique(Store.name_key, data.get("name"), exclude_id=exclude_id,
                  field="name", label="A store with this name")
    ensure_unique(Store.code_key, data.get("code"), exclude_id=exclude_id,
                  field="code", label="A store with this code")


@atomic
def create_store(data, *, principal=None):
    """Create a store (403 for a store-scoped principal); returns it."""
    check_scope(principal)
    _check_unique(data)
    store = Store(**{name: data[name] for name in FIELDS if name in data})
    db.session.add(store)
    return store


@atomic
def update_store(store, data, *, principal=None):
    """Change the given fields (403 outside the principal's store scope); returns the store."""
    check_scope(principal, store)
    _check_unique(data, exclude_id=store.id)
    for name in FIELDS:
        if name in data:
            setattr(store, name, data[name])
    return store


@atomic
def delete_store(store, *, principal=None):
    """Remove a store nothing refers to; 409 otherwise (archive it instead).

    403 when the store is outside the principal's scope.
    """
    check_scope(principal, store)
    refuse_if_referenced(store, "store", "archive it with active=false instead")
    db.session.delete(store)
