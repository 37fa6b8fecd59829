"""Products: the catalog's items, raw materials included.

`stock_total` and `stock_status` are read from `stock_levels` through one
aggregate subquery joined into the product query, so a page of products costs
the same number of statements whatever its size. Nothing here writes stock.
"""

from decimal import Decimal

from sqlalchemy import exists, false, func, literal, or_, select, type_coerce
from sqlalchemy.orm import with_expression

from ..categories.models import Category
from ..common.pagination import Listing, apply_sort, contains_any
from ..common.tree import descendants_select
from ..common.types import Quantity
from ..common.uow import atomic
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..stock.models import Lot, Movement, StockLevel, StockMinimum
from ..stock.queries import status_case
from ..suppliers.models import Supplier
from .models import Product

WRITABLE = (
    "sku", "name", "description", "category_id", "kind", "unit", "price", "cost", "min_stock",
    "reorder_quantity", "barcode", "preferred_supplier_id", "track_lots", "active",
)
# Defaults a PUT falls back to for the fields it leaves out (cost: see _apply).
PUT_DEFAULTS = {"cost": Decimal("0.00")}

# Tables whose rows are the product's history: with any of them the product is
# archived instead of removed. Later domains (sales, orders, purchasing) add theirs.
HISTORY = (
    ("movements", Movement.product_id),
    ("stock levels", StockLevel.product_id),
    ("lots", Lot.product_id),
    ("store minimums", StockMinimum.product_id),
)


def normalize_sku(sku):
    return sku.strip().upper()


# --- reading ---------------------------------------------------------------


def _stock_columns():
    """(available, status) expressions over an aggregate of stock levels per product."""
    per_product = (
        select(
            StockLevel.product_id.label("product_id"),
            func.round(func.sum(StockLevel.on_hand - StockLevel.reserved), 3).label("available"),
        )
        .group_by(StockLevel.product_id)
        .subquery("product_stock")
    )
    available = type_coerce(func.coalesce(per_product.c.available, literal(0)), Quantity())
    status = status_case(available, Product.min_stock)
    return per_product, available, status


def _product_select():
    per_product, available, status = _stock_columns()
    stmt = (
        select(Product)
        .outerjoin(per_product, per_product.c.product_id == Product.id)
        .options(
            with_expression(Product.stock_total, available),
            with_expression(Product.stock_status, status),
        )
    )
    return stmt, available, status


def search_products(args, *, customer=False):
    """A `Listing` of products: the page query joins the stock aggregate; the
    count skips it unless `stock_status` filters on it."""
    stmt, available, status = _product_select()
    conditions = [Product.active == args.get("active", True)]
    if customer:  # customers see active products only: `active=false` finds nothing
        conditions.append(Product.active == True)  # noqa: E712
    if args.get("q"):
        conditions.append(contains_any([Product.name, Product.sku, Product.barcode], args["q"]))
    if "category_id" in args:
        in_tree = descendants_select(Category, args["category_id"])
        conditions.append(Product.category_id.in_(in_tree))
    if "kind" in args:
        conditions.append(Product.kind == args["kind"])
    if "min_price" in args:
        conditions.append(Product.price >= args["min_price"])
    if "max_price" in args:
        conditions.append(Product.price <= args["max_price"])
    if "store_id" in args:
        conditions.append(
            exists().where(
                StockLevel.product_id == Product.id,
                StockLevel.store_id == args["store_id"],
                StockLevel.on_hand > 0,
            )
        )
    if "supplier_id" in args:
        if customer:  # supplier data is not for customers
            conditions.append(false())
        else:
            conditions.append(Product.preferred_supplier_id == args["supplier_id"])
    stmt = stmt.where(*conditions)
    count = select(Product.id).where(*conditions)
    if "stock_status" in args:
        stmt = stmt.where(status == args["stock_status"])
        count = stmt
    columns = {
        "name": Product.name,
        "sku": Product.sku,
        "price": Product.price,
        "stock_total": available,
        "created_at": Product.created_at,
    }
    return Listing(apply_sort(stmt, args["sort"], columns, Product.id), count=count)


def get_product(product_id, *, customer=False):
    """A product with its stock values; customers see active products only (else 404)."""
    stmt, _, _ = _product_select()
    stmt = stmt.where(Product.id == product_id).execution_options(populate_existing=True)
    product = db.session.scalar(stmt)
    if product is None or (customer and not product.active):
        raise NotFound("Product not found.")
    return product


def has_stock(product_id):
    """True once the product has any stock level or movement (its cost is then read-only)."""
    return db.session.scalar(
        select(
            or_(
                exists().where(StockLevel.product_id == product_id),
                exists().where(Movement.product_id == product_id),
            )
        )
    )


# --- writing ---------------------------------------------------------------


def _check_unique(data, exclude_id=None):
    checks = [("sku", Product.sku, data.get("sku"), "SKU")]
    if data.get("barcode"):
        checks.append(("barcode", Product.barcode, data["barcode"], "barcode"))
    for field, column, value, label in checks:
        if value is None:
            continue
        stmt = select(Product.id).where(column == value)
        if exclude_id is not None:
            stmt = stmt.where(Product.id != exclude_id)
        if db.session.scalar(stmt) is not None:
            raise Conflict(f"A product with this {label} already exists.", errors={field: value})


def _check_references(data):
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
    data = dict(data)
    if "sku" in data:
        data["sku"] = normalize_sku(data["sku"])
    _check_references(data)
    if product is not None and ("cost" in data or data.get(
            "track_lots", product.track_lots) != product.track_lots) and has_stock(product.id):
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
    if "cost" not in data and not has_stock(product.id):
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


def _has_history(product_id):
    checks = [exists().where(column == product_id) for _, column in HISTORY]
    return db.session.scalar(select(or_(*checks)))


@atomic
def delete_product(product):
    """Archive (active=false) a product with history; remove one without."""
    if _has_history(product.id):
        product.active = False
    else:
        db.session.delete(product)
