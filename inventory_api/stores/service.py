"""Stores and warehouses. Codes are stored upper-case, names compared case-insensitively."""

from sqlalchemy import func, select

from ..common.pagination import apply_sort, contains_any
from ..common.references import count_references, describe
from ..common.uow import atomic
from ..errors import Conflict, NotFound
from ..extensions import db
from ..stock.models import Movement, StockCount, StockLevel, StockMinimum, Transfer
from ..users.models import user_stores
from .models import Store

FIELDS = ("name", "code", "address", "active")

# Stock and history that keep a store from being deleted (archive it instead).
REFERENCES = (
    ("stock level(s)", StockLevel.store_id),
    ("movement(s)", Movement.store_id),
    ("outgoing transfer(s)", Transfer.from_store_id),
    ("incoming transfer(s)", Transfer.to_store_id),
    ("stock count(s)", StockCount.store_id),
    ("minimum-stock setting(s)", StockMinimum.store_id),
    ("user(s) scoped to it", user_stores.c.store_id),
)


def get_store(store_id):
    store = db.session.get(Store, store_id)
    if store is None:
        raise NotFound("Store not found.")
    return store


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
    checks = []
    if "name" in data:
        checks.append(("name", func.lower(Store.name) == data["name"].lower()))
    if "code" in data:
        checks.append(("code", Store.code == data["code"]))
    for field, clause in checks:
        stmt = select(Store.id).where(clause)
        if exclude_id is not None:
            stmt = stmt.where(Store.id != exclude_id)
        if db.session.scalar(stmt) is not None:
            raise Conflict(f"A store with this {field} already exists.",
                           errors={field: data[field]})


def _normalize(data):
    data = dict(data)
    if "code" in data:
        data["code"] = data["code"].upper()
    return data


@atomic
def create_store(data):
    data = _normalize(data)
    _check_unique(data)
    store = Store(**{name: data[name] for name in FIELDS if name in data})
    db.session.add(store)
    return store


@atomic
def update_store(store, data):
    data = _normalize(data)
    _check_unique(data, exclude_id=store.id)
    for name in FIELDS:
        if name in data:
            setattr(store, name, data[name])
    return store


@atomic
def delete_store(store):
    """Remove a store with no stock, history or users; otherwise 409 (archive it instead)."""
    found = count_references(store.id, REFERENCES)
    if found:
        raise Conflict(
            f"The store is still referenced by {describe(found)}; "
            "archive it with active=false instead.",
            errors={"references": found},
        )
    db.session.delete(store)
