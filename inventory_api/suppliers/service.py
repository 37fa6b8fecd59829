"""Suppliers. Tax ids are stored upper-case so uniqueness is the same on every database."""

from sqlalchemy import select

from ..common.pagination import apply_sort, contains_any
from ..common.references import count_references, describe
from ..common.uow import atomic
from ..errors import Conflict, NotFound
from ..extensions import db
from ..products.models import Product
from ..stock.models import Lot
from .models import Supplier

FIELDS = ("name", "tax_id", "email", "phone", "address", "contact_name", "lead_time_days",
          "notes", "active")

# What may refer to a supplier: (label, column). Purchase orders join this list
# when purchasing exists.
REFERENCES = (
    ("product(s) preferring it", Product.preferred_supplier_id),
    ("lot(s) received from it", Lot.supplier_id),
)


def get_supplier(supplier_id):
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("Supplier not found.")
    return supplier


def search_suppliers(args):
    stmt = select(Supplier)
    if args.get("q"):
        stmt = stmt.where(contains_any([Supplier.name, Supplier.tax_id, Supplier.email], args["q"]))
    if "active" in args:
        stmt = stmt.where(Supplier.active == args["active"])
    columns = {"id": Supplier.id, "name": Supplier.name, "created_at": Supplier.created_at}
    return apply_sort(stmt, args["sort"], columns, Supplier.id)


def _normalize(data):
    data = dict(data)
    if data.get("tax_id"):
        data["tax_id"] = data["tax_id"].upper()
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    return data


def _check_tax_id(tax_id, exclude_id=None):
    if not tax_id:
        return
    stmt = select(Supplier.id).where(Supplier.tax_id == tax_id)
    if exclude_id is not None:
        stmt = stmt.where(Supplier.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict("A supplier with this tax id already exists.", errors={"tax_id": tax_id})


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
    found = count_references(supplier.id, REFERENCES)
    if found:
        raise Conflict(
            f"The supplier is still referenced by {describe(found)}; "
            "archive it with active=false instead.",
            errors={"references": found},
        )
    db.session.delete(supplier)
