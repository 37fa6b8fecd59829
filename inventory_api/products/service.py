"""Products: the catalog's items, raw materials included.

Stock refers to products, so this package never imports it. The contract's
`stock_total` and `stock_status` and the `store_id` filter come from a
`StockView` that the stock domain registers (`register_stock_view`, called
by stock/queries.py when it is imported): its stored per-product totals are
joined into the product query on their primary key, so a page or one
product costs the same statements, and the same work per row, whatever the
size of the catalog. "Cost is read-only once stock exists" and the delete rule
are found from the foreign keys (common/references.py): history only →
archived, nothing → removed, any other reference → 409. Nothing here writes
stock.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial

from sqlalchemy import bindparam, case, false, func, literal, select, type_coerce
from sqlalchemy.orm import with_expression

from ..categories.models import CATEGORY_TREE, Category
from ..common.pagination import Listing, apply_sort, contains_any, counted_page, like_pattern
from ..common.references import count_references, delete_or_archive
from ..common.tree import in_ids
from ..common.types import Quantity
from ..common.unique import ensure_unique
from ..common.uow import atomic
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..suppliers.models import Supplier
from .models import Product

WRITABLE = (
    "sku", "name", "description", "category_id", "kind", "unit", "price", "cost", "min_stock",
    "reorder_quantity", "barcode", "preferred_supplier_id", "track_lots", "active",
)
# Defaults a PUT falls back to for the fields it leaves out (cost: see _apply).
PUT_DEFAULTS = {"cost": Decimal("0.00")}

# --- stock status ----------------------------------------------------------


def status_case(available, minimum):
    """SQL for `stock_status`: out when available ≤ 0, low when ≤ the minimum."""
    return case((available <= 0, literal("out")), (available <= minimum, literal("low")),
                else_=literal("in_stock"))


def status_of(available, minimum):
    """`status_case` for values already read."""
    if available <= 0:
        return "out"
    if available <= minimum:
        return "low"
    return "in_stock"


@dataclass(frozen=True)
class StockView:
    """How product reads get stock numbers, supplied by the stock domain.

    `per_product()`: a table with columns `product_id` (its primary key) and
    `available` (on hand − reserved over all stores), at most one row per
    product; a product without a row has no stock.
    `held_in_store(store_id)`: a condition true for products with stock on
    hand in that store.
    """

    per_product: Callable
    held_in_store: Callable


_stock_view = None


def register_stock_view(view):
    """Install the stock domain's `StockView` (once, when stock is imported)."""
    global _stock_view
    _stock_view = view


# --- reading ---------------------------------------------------------------


def _stock_columns():
    """(subquery or None, available, status) for product reads."""
    if _stock_view is None:  # no stock domain loaded: nothing is in stock
        available = type_coerce(literal(0), Quantity())
        return None, available, status_case(available, Product.min_stock)
    per_product = _stock_view.per_product()
    available = type_coerce(func.coalesce(per_product.c.available, literal(0)), Quantity())
    return per_product, available, status_case(available, Product.min_stock)


def _product_select():
    per_product, available, status = _stock_columns()
    stmt = select(Product)
    if per_product is not None:
        stmt = stmt.outerjoin(per_product, per_product.c.product_id == Product.id)
    stmt = stmt.options(
        with_expression(Product.stock_total, available),
        with_expression(Product.stock_status, status),
    )
    return stmt, available, status


# read columns: everything but the case-folded shadow keys (common/unique.py)
_READ_COLUMNS = [c for c in Product.__table__.c if not c.key.endswith("_key")]
_reads = {}


def _read_select():
    """(statement, available, status) for reads that return rows, not ORM objects.

    The product's columns plus `stock_total` and `stock_status`; built once
    per stock view, since building it costs more than running it.
    """
    key = id(_stock_view)
    if key not in _reads:
        per_product, available, status = _stock_columns()
        stmt = select(*_READ_COLUMNS, available.label("stock_total"),
                      status.label("stock_status")).select_from(Product.__table__)
        if per_product is not None:
            stmt = stmt.outerjoin(per_product, per_product.c.product_id == Product.id)
        _reads[key] = (stmt, available, status, stmt.where(Product.id == bindparam("id")))
    return _reads[key]


_FILTERS = ("q", "category_id", "kind", "min_price", "max_price", "store_id", "supplier_id",
            "stock_status")


@lru_cache(maxsize=512)
def _search_statement(view_key, filters, sort, customer, active, category_ids):
    """(page, count) statements of a product search with these filters (names), sort
    and audience, their values as parameters (see `search_products`): built once
    per shape, since building one costs more than running it.

    The category filter's subtree is written into the SQL as a list of ids
    (`in_ids`) from the process's copy of the tree (`CATEGORY_TREE`), and the
    statement reads the tree's version beside the page (see
    `search_products`): with the tree's recursive CTE inside the statement,
    MariaDB sorts every product of the subtree (67 ms instead of 6 at 20,000
    products), where with a list it walks the name index and stops at the
    page, and reading the subtree first costs a round trip.
    """
    stmt, available, status, _ = _read_select()
    # `active` is part of the shape and written into the SQL (`= true`), as before:
    # the planners see the value that picks the (active, name) index
    conditions = [Product.active == active]
    if customer:  # customers see active products only: `active=false` finds nothing
        conditions.append(Product.active == True)  # noqa: E712
    if "q" in filters:
        conditions.append(contains_any([Product.name, Product.sku, Product.barcode],
                                       bindparam("q_pattern")))
    if "category_id" in filters:
        conditions.append(in_ids(Product.category_id, category_ids))
    if "kind" in filters:
        conditions.append(Product.kind == bindparam("kind"))
    if "min_price" in filters:
        conditions.append(Product.price >= bindparam("min_price", type_=Product.price.type))
    if "max_price" in filters:
        conditions.append(Product.price <= bindparam("max_price", type_=Product.price.type))
    if "store_id" in filters:
        conditions.append(_stock_view.held_in_store(bindparam("store_id"))
                          if _stock_view else false())
    if "supplier_id" in filters:
        conditions.append(false() if customer  # supplier data is not for customers
                          else Product.preferred_supplier_id == bindparam("supplier_id"))
    stmt = stmt.where(*conditions)
    if "category_id" in filters:
        stmt = stmt.add_columns(CATEGORY_TREE.version_column())
    count = select(Product.id).where(*conditions)
    if "stock_status" in filters:
        stmt = stmt.where(status == bindparam("stock_status"))
        count = stmt
    columns = {
        "name": Product.name,
        "sku": Product.sku,
        "price": Product.price,
        "stock_total": available,
        "created_at": Product.created_at,
    }
    return counted_page(apply_sort(stmt, sort, columns, Product.id), count), count


def search_products(args, *, customer=False):
    """A `Listing` of products as dicts, page and total in one prebuilt statement:
    the page joins the stored stock totals on their key, the total skips them
    unless `stock_status` filters on them.

    With `category_id`, the subtree's ids come from the process's copy of the
    category tree and the page reads the tree's version: when that is not the
    copy's version (a category changed since), the copy is read again and
    the page runs again with its ids (`Listing.revise`). An empty page, which
    has no row to carry the version, reads it with one statement more.
    """
    filters = tuple(name for name in _FILTERS if name in args and args[name] is not None)
    params = {name: args[name] for name in filters if name not in ("q", "category_id")}
    if "q" in filters:
        params["q_pattern"] = like_pattern(args["q"])

    def listing(tree=None):
        category_ids = tree.subtree(args["category_id"]) if tree is not None else None
        page, count = _search_statement(id(_stock_view), filters, args["sort"], customer,
                                        bool(args.get("active", True)), category_ids)
        return Listing(page, count=count, params=params, counted=True,
                       revise=None if tree is None else partial(_revise, tree, listing))

    if "category_id" not in filters:
        return listing()
    return listing(CATEGORY_TREE.snapshot())


def _revise(tree, listing, rows):
    """None when the page was read with `tree`'s ids, else the listing with a fresh tree."""
    versions = {row.pop("tree_version") for row in rows}
    version = versions.pop() if rows else CATEGORY_TREE.current_version()
    if version == tree.version and not versions:
        return None
    return listing(CATEGORY_TREE.refresh())


def read_product(product_id, *, customer=False):
    """A product's fields and stock values as a dict (one statement); customers see
    active products only (else 404). For reads; writes use `get_product`."""
    row = db.session.connection().execute(_read_select()[3], {"id": product_id}).first()
    if row is None or (customer and not row.active):
        raise NotFound("Product not found.")
    return row._asdict()


def get_product(product_id, *, customer=False):
    """A product with its stock values; customers see active products only (else 404)."""
    stmt, _, _ = _product_select()
    stmt = stmt.where(Product.id == product_id).execution_options(populate_existing=True)
    product = db.session.scalar(stmt)
    if product is None or (customer and not product.active):
        raise NotFound("Product not found.")
    return product


def has_stock(product):
    """True once any history refers to the product (stock levels, movements, lots...).

    Its cost and lot tracking are then read-only. Reads only.
    """
    return any(found.reference.history for found in count_references(product))


# --- writing ---------------------------------------------------------------


def _check_unique(data, exclude_id=None):
    """409 when another product has this SKU or barcode, whatever its case."""
    ensure_unique(Product.sku_key, data.get("sku"), exclude_id=exclude_id,
                  field="sku", label="A product with this SKU")
    ensure_unique(Product.barcode_key, data.get("barcode"), exclude_id=exclude_id,
                  field="barcode", label="A product with this barcode")


def _check_references(data):
    """422 naming each unknown `category_id` / `preferred_supplier_id`."""
    errors = {}
    category_id = data.get("category_id")
    if category_id is not None and db.session.get(Category, category_id) is None:
        errors["category_id"] = [f"Unknown category id {category_id}."]
    supplier_id = data.get("preferred_supplier_id")
    if supplier_id is not None and db.session.get(Supplier, supplier_id) is None:
        errors["preferred_supplier_id"] = [f"Unknown supplier id {supplier_id}."]
    if errors:
        raise ValidationFailed(errors)


def _prepare(data, product=None):
    """Validate a create/update body; returns it as given (SKU as the user spelled it)."""
    data = dict(data)
    _check_references(data)
    if product is not None and ("cost" in data or data.get(
            "track_lots", product.track_lots) != product.track_lots) and has_stock(product):
        errors = {}
        if "cost" in data:
            errors["cost"] = ["Cost is read-only once the product has stock (moving average)."]
        if data.get("track_lots", product.track_lots) != product.track_lots:
            errors["track_lots"] = [
                "Lot tracking cannot change once the product has stock: its stock rows "
                "are kept per lot (or without one)."]
        raise ValidationFailed(errors)
    _check_unique(data, exclude_id=product.id if product is not None else None)
    return data


@atomic
def create_product(data):
    data = _prepare(data)
    product = Product(**{name: data[name] for name in WRITABLE if name in data})
    db.session.add(product)
    db.session.flush()
    return get_product(product.id)


@atomic
def update_product(product, data):
    """PATCH: change only the fields given."""
    data = _prepare(data, product)
    return _save(product, data)


@atomic
def replace_product(product, data):
    """PUT: every writable field takes the given value or its default.

    `cost` is kept as it is when left out of a product that already has stock.
    """
    data = _prepare(data, product)
    if "cost" not in data and not has_stock(product):
        data["cost"] = PUT_DEFAULTS["cost"]
    return _save(product, data)


def _save(product, data):
    """Apply `data`, flush, and re-read the product with its stock values."""
    product_id = product.id
    for name in WRITABLE:
        if name in data:
            setattr(product, name, data[name])
    db.session.flush()
    return get_product(product_id)


@atomic
def delete_product(product):
    """Archive (active=false) a product that only history refers to, remove one that
    nothing refers to; 409 naming any other reference. Returns "archived" or "deleted"."""
    return delete_or_archive(product, "product")
