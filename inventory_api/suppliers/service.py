"""Suppliers. Tax ids keep the user's spelling and are unique whatever their case.

A delete is refused (409: archive it instead) while anything refers to the
supplier, found from the foreign keys (common/references.py).
"""

from sqlalchemy import select

from ..common.lookup import get_or_404
from ..common.pagination import apply_sort, contains_any
from ..common.references import refuse_if_referenced
from ..common.unique import ensure_unique
from ..common.uow import atomic
from ..extensions import db
from .models import Supplier

FIELDS = ("name", "tax_id", "email", "phone", "address", "contact_name", "lead_time_days",
          "notes", "active")


def get_supplier(supplier_id):
    """The supplier, or NotFound (404)."""
    return get_or_404(Supplier, supplier_id)


def search_suppliers(args):
    stmt = select(Supplier)
    if args.get("q"):
        stmt = stmt.where(contains_any([Supplier.name, Supplier.tax_id, Supplier.email], args["q"]))
    if "active" in args:
        stmt = stmt.where(Supplier.active == args["active"])
    columns = {"id": Supplier.id, "name": Supplier.name, "created_at": Supplier.created_at}
    return apply_sort(stmt, args["sort"], columns, Supplier.id)


def _normalize(data):
    """The body with its email lower-cased (the tax id stays as the user wrote it)."""
    data = dict(data)
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    return data


def _check_tax_id(tax_id, exclude_id=None):
    ensure_unique(Supplier.tax_id_key, tax_id, exclude_id=exclude_id,
                  field="tax_id", label="A supplier with this tax id")


@atomic
def create_supplier(data):
    data = _normalize(data)
    _check_tax_id(data.get("tax_id"))
    supplier = Supplier(**{name: data[name] for name in FIELDS if name in data})
    db.session.add(supplier)
    return supplier


@atomic
def update_supplier(supplier, data):
    data = _normalize(data)
    if "tax_id" in data:
        _check_tax_id(data["tax_id"], exclude_id=supplier.id)
    for name in FIELDS:
        if name in data:
            setattr(supplier, name, data[name])
    return supplier


@atomic
def delete_supplier(supplier):
    """Remove a supplier nothing refers to; otherwise 409 (archive with active=false)."""
    refuse_if_referenced(supplier, "supplier", "archive it with active=false instead")
    db.session.delete(supplier)
