"""Reading stock: levels, the ledger, store inventory, lots, alerts, documents.

Reads never sum the ledger; they read `stock_levels`. Lists return `select()`
statements for `SelectPage` (a count and a page query), plus at most one
extra query per page for nested rows (lots), whatever the page size.
A store-scoped principal only ever sees its stores.
"""

from decimal import Decimal

from sqlalchemy import and_, case, exists, func, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased

from ..categories.models import Category
from ..common.dates import within_days
from ..common.lookup import get_in_stores_or_404, get_or_404
from ..common.pagination import Listing, contains_any
from ..common.tree import in_subtree
from ..common.types import Quantity
from ..errors import NotFound
from ..extensions import db
from ..products.models import Product
from ..products.service import StockView, register_stock_view, status_case, status_of
from ..stores.models import Store
from ..suppliers.models import Supplier
from .models import (
    LedgerCount,
    Lot,
    LowStockEvent,
    Movement,
    ProductStock,
    StockCount,
    StockLevel,
    StockMinimum,
    Transfer,
)

ZERO = Decimal("0.000")


def _per_product_available():
    """The stored per-product totals: `product_id`, `available` over all stores.

    A product without a row has never had stock. Joined on its primary key,
    it costs the same per product whatever the size of the catalog.
    """
    return ProductStock.__table__


def _held_in_store(store_id):
    """Products with stock on hand in `store_id` (a condition on Product.id)."""
    return exists().where(StockLevel.product_id == Product.id, StockLevel.store_id == store_id,
                          StockLevel.on_hand > 0)


# products never import stock: stock tells product reads how to find its numbers
register_stock_view(StockView(per_product=_per_product_available, held_in_store=_held_in_store))


def _scope(stmt, column, principal):
    if principal is not None and principal.store_ids:
        stmt = stmt.where(column.in_(principal.store_ids))
    return stmt




# --------------------------------------------------------------------------- ledger


def movements_select(args, principal=None, product_id=None):
    stmt = select(Movement)
    product_id = product_id or args.get("product_id")
    if product_id:
        stmt = stmt.where(Movement.product_id == product_id)
    for name in ("store_id", "type", "reference_type", "reference_id"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(Movement, name) == args[name])
    if args.get("created_by"):
        stmt = stmt.where(Movement.created_by_id == args["created_by"])
    if args.get("lot"):
        stmt = stmt.join(Lot, Lot.id == Movement.lot_id).where(Lot.code == args["lot"])
    stmt = stmt.where(*within_days(Movement.created_at, args.get("date_from"),
                                   args.get("date_to")))
    if args.get("before_id"):
        stmt = stmt.where(Movement.id < args["before_id"])
    stmt = _scope(stmt, Movement.store_id, principal)
    return stmt.order_by(Movement.id.desc())


# filters the ledger counters cannot answer: with any of them the total is counted
_COUNTED_FILTERS = ("type", "reference_type", "reference_id", "created_by", "lot",
                    "date_from", "date_to")


def movements_listing(args, principal=None, product_id=None):
    """`movements_select` as a `Listing` whose total comes from the ledger counters.

    Without filters, by store (or the caller's stores) and by product, the
    `X-Pagination` total is read, not counted: the stores' `ledger_counts`
    (or the product's stock levels' `movement_count`), and with `before_id`
    each store's (level's) number of its newest movement below that id — one
    index lookup per store or stock level, whatever the size of the ledger.
    Other filters count the matching rows.
    """
    stmt = movements_select(args, principal, product_id)
    if any(args.get(name) is not None for name in _COUNTED_FILTERS):
        return Listing(stmt)
    return Listing(stmt, total=lambda: _ledger_total(args, principal,
                                                     product_id or args.get("product_id")))


def _ledger_total(args, principal, product_id):
    before_id = args.get("before_id")
    store_id = args.get("store_id")
    if product_id:
        owner, key, count, seq = (StockLevel, Movement.stock_level_id,
                                  StockLevel.movement_count, Movement.level_seq)
        where = [StockLevel.product_id == product_id]
    else:
        owner, key, count, seq = (LedgerCount, Movement.store_id,
                                  LedgerCount.movements, Movement.store_seq)
        where = []
    owner_id = owner.id if owner is StockLevel else owner.store_id
    if store_id is not None:
        where.append(owner.store_id == store_id)
    if principal is not None and principal.store_ids:
        where.append(owner.store_id.in_(principal.store_ids))
    if not before_id:
        total = db.session.scalar(
            select(func.coalesce(func.sum(count), 0)).select_from(owner).where(*where))
        return int(total)
    # each owner's number of its newest movement below before_id: per owner (named
    # by value), MAX(id) below before_id is one dive into the (owner, id) index, and
    # its number one primary-key read. (ORDER BY id DESC LIMIT 1, or a correlated
    # subquery, lets MariaDB walk all of the owner's newer rows instead.)
    owners = db.session.scalars(select(owner_id).where(*where).order_by(owner_id)).all()
    if not owners:
        return 0
    numbered = aliased(Movement)
    postgresql = db.session.get_bind().dialect.name == "postgresql"

    def newest_id(owner_value):
        if postgresql:
            # with `key = owner` PostgreSQL drops the key from the sort and walks the
            # primary key backwards, reading every newer movement of other owners;
            # `IN (owner, -1)` (ids are positive) keeps it there, so it walks the
            # (owner, id) index and reads one entry
            return (select(Movement.id)
                    .where(key.in_([owner_value, -1]), Movement.id < before_id)
                    .order_by(key.desc(), Movement.id.desc()).limit(1).scalar_subquery())
        return (select(func.max(Movement.id))
                .where(key == owner_value, Movement.id < before_id).scalar_subquery())

    newest = [select(getattr(numbered, seq.key)).where(numbered.id == newest_id(owner_value))
              .scalar_subquery() for owner_value in owners]
    return sum(value or 0 for value in db.session.execute(select(*newest)).one())


def get_movement(movement_id, principal=None):
    return get_in_stores_or_404(Movement, movement_id, principal)


# --------------------------------------------------------------------------- levels


def _minimums(product, store_ids):
    rows = db.session.scalars(select(StockMinimum).where(
        StockMinimum.product_id == product.id, StockMinimum.store_id.in_(store_ids)))
    overrides = {row.store_id: row.min_stock for row in rows}
    return {store_id: overrides.get(store_id, product.min_stock) for store_id in store_ids}


def _lot_row(level):
    return {
        "lot_id": level.lot_id,
        "lot": level.lot.code if level.lot else None,
        "expiry_date": level.lot.expiry_date if level.lot else None,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.on_hand - level.reserved,
    }


def get_product(product_id):
    return get_or_404(Product, product_id)


def product_stock(product_id, principal=None):
    """Per-store (and per-lot) quantities of one product."""
    product = get_product(product_id)
    stmt = _scope(select(StockLevel).where(StockLevel.product_id == product_id),
                  StockLevel.store_id, principal).order_by(StockLevel.store_id, StockLevel.lot_key)
    levels = db.session.scalars(stmt).all()
    by_store = {}
    for level in levels:
        by_store.setdefault(level.store_id, []).append(level)
    minimums = _minimums(product, list(by_store))
    stores = []
    for store_id, rows in by_store.items():
        on_hand = sum((r.on_hand for r in rows), ZERO)
        reserved = sum((r.reserved for r in rows), ZERO)
        stores.append({
            "store_id": store_id,
            "on_hand": on_hand,
            "reserved": reserved,
            "available": on_hand - reserved,
            "min_stock": minimums[store_id],
            "stock_status": status_of(on_hand - reserved, minimums[store_id]),
            "lots": [_lot_row(r) for r in rows if r.lot_id and r.on_hand > 0],
        })
    on_hand = sum((s["on_hand"] for s in stores), ZERO)
    reserved = sum((s["reserved"] for s in stores), ZERO)
    return {"product_id": product.id, "on_hand": on_hand, "reserved": reserved,
            "available": on_hand - reserved, "stores": stores}


def _effective_min():
    return func.coalesce(StockMinimum.min_stock, Product.min_stock)


def _pair_totals(store_id=None):
    """Per (product, store): on_hand, reserved (one aggregate subquery over stock_levels)."""
    stmt = select(
        StockLevel.product_id, StockLevel.store_id,
        func.sum(StockLevel.on_hand).label("on_hand"),
        func.sum(StockLevel.reserved).label("reserved"),
    ).group_by(StockLevel.product_id, StockLevel.store_id)
    if store_id is not None:
        stmt = stmt.where(StockLevel.store_id == store_id)
    return stmt.subquery("pair_totals")


def _with_minimum(stmt, totals):
    return stmt.join(Product, Product.id == totals.c.product_id).outerjoin(
        StockMinimum, and_(StockMinimum.product_id == totals.c.product_id,
                           StockMinimum.store_id == totals.c.store_id))


def inventory_select(store_id, args, principal=None):
    """A `Listing` with one row per product held in the store (on hand > 0; reserved
    stock is always on hand).

    The page query reads products (with the store's minimum) that have a
    stock row in the store, in name order; the page's quantities and lots
    come from their stock rows in one more statement (`_attach_levels`), so a
    page costs the same whatever the number of products in the store. Only
    the `stock_status` filter needs the quantities of every candidate: it
    joins the store's per-product sums.
    """
    store = get_or_404(Store, store_id)
    if principal is not None and not principal.may_use_store(store.id):
        raise NotFound("Store not found.")
    minimum = type_coerce(_effective_min(), Quantity())
    stmt = select(
        Product.id.label("product_id"), Product.sku, Product.name, Product.track_lots,
        minimum.label("min_stock"),
    ).outerjoin(StockMinimum, and_(StockMinimum.product_id == Product.id,
                                   StockMinimum.store_id == store_id))
    held = None
    if args.get("stock_status"):
        totals = _pair_totals(store_id)
        available = type_coerce(totals.c.on_hand - totals.c.reserved, Quantity())
        stmt = stmt.join(totals, totals.c.product_id == Product.id).where(
            or_(totals.c.on_hand > 0, totals.c.reserved > 0),
            status_case(available, minimum) == args["stock_status"])
    else:
        # the store's count of products on hand, kept by the movements service
        held = db.session.scalar(select(LedgerCount.products_held)
                                 .where(LedgerCount.store_id == store_id)) or 0
        stmt = stmt.where(_held_in(store_id, held))
    if args.get("q"):
        stmt = stmt.where(contains_any([Product.sku, Product.name], args["q"]))
    if args.get("category_id"):
        stmt = stmt.where(in_subtree(Product.category_id, Category, args["category_id"]))
    unfiltered = not any(args.get(name) for name in ("q", "category_id", "stock_status"))
    return Listing(stmt.order_by(Product.name, Product.id),
                   total=(lambda: held) if unfiltered else None,
                   process=_attach_levels(store_id))


# a store holding at most this many products is read from its stock rows (a semi-join
# that reads them all); a larger one by walking products in name order (below)
FEW_HELD = 1000


def _held_in(store_id, held):
    """A condition on products: held in the store (a stock row with on_hand > 0);
    `held` is the store's count of such products.

    Reading the page in name order either walks the products by their name
    index and keeps those held (a per-product lookup, stopping once the page
    is full: fast when the store holds a good share of the catalog), or reads
    all of the store's stock rows first (what databases do with EXISTS: fast
    only when the store holds few). `held` picks.
    """
    if held <= FEW_HELD:
        return exists().where(StockLevel.product_id == Product.id,
                              StockLevel.store_id == store_id, StockLevel.on_hand > 0)
    one = (select(literal(1)).where(StockLevel.product_id == Product.id,
                                    StockLevel.store_id == store_id, StockLevel.on_hand > 0)
           .limit(1).scalar_subquery())
    return one.is_not(None)


def _attach_levels(store_id):
    """A page post-processor: rows → dicts with the store's quantities, status and
    `lots` (tracked products), from the page's stock rows in one query."""
    def attach(rows):
        levels = {}
        if rows:
            for level in db.session.scalars(
                    select(StockLevel).where(StockLevel.store_id == store_id,
                                             StockLevel.product_id.in_([r.product_id
                                                                        for r in rows]))
                    .order_by(StockLevel.product_id, StockLevel.lot_key)):
                levels.setdefault(level.product_id, []).append(level)
        page = []
        for row in rows:
            held = levels.get(row.product_id, [])
            on_hand = sum((level.on_hand for level in held), ZERO)
            reserved = sum((level.reserved for level in held), ZERO)
            lots = [_lot_row(level) for level in held
                    if level.lot_id is not None and level.on_hand > 0]
            page.append({
                "product_id": row.product_id, "sku": row.sku, "name": row.name,
                "on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved,
                "min_stock": row.min_stock,
                "stock_status": status_of(on_hand - reserved, row.min_stock),
                "lots": lots if row.track_lots else None,
            })
        return page
    return attach


# --------------------------------------------------------------------------- lots


def lots_select(args, principal=None):
    """One row per (lot, store) holding stock."""
    stmt = (
        select(Lot.id.label("lot_id"), Lot.code.label("lot"), Lot.product_id,
               Lot.expiry_date, StockLevel.store_id,
               StockLevel.on_hand.label("quantity"), StockLevel.reserved,
               (StockLevel.on_hand - StockLevel.reserved).label("available"))
        .join(StockLevel, StockLevel.lot_id == Lot.id)
        .where(StockLevel.on_hand > 0)
    )
    if args.get("product_id"):
        stmt = stmt.where(Lot.product_id == args["product_id"])
    if args.get("store_id"):
        stmt = stmt.where(StockLevel.store_id == args["store_id"])
    if args.get("expiring_before"):
        stmt = stmt.where(Lot.expiry_date.is_not(None),
                          Lot.expiry_date < args["expiring_before"])
    stmt = _scope(stmt, StockLevel.store_id, principal)
    return stmt.order_by(Lot.expiry_date.is_(None), Lot.expiry_date, Lot.id, StockLevel.store_id)


# Details of the documents movements name, per reference_type: fn(ids) -> {id: {...}}.
# Domains above stock (sales, orders, purchasing) register theirs, so the lot trace
# can show them without stock importing those domains.
_REFERENCE_DETAILS = {}


def register_reference_details(reference_type, fn):
    """Let the lot trace attach `fn(ids) -> {id: dict}` to movements of `reference_type`."""
    _REFERENCE_DETAILS[reference_type] = fn


def columns_details(id_column, **columns):
    """A details function reading `columns` (name=column) of the rows whose `id_column`
    is in the ids: one query per call."""
    def details(ids):
        rows = db.session.execute(
            select(id_column, *columns.values()).where(id_column.in_(ids)))
        return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}
    return details


register_reference_details("transfer", columns_details(
    Transfer.id, from_store_id=Transfer.from_store_id, to_store_id=Transfer.to_store_id))


def _attach_details(movements):
    """Set `details` on every movement: its document's registered details (None when the
    type has none). One query per reference type, whatever the number of movements.
    Returns {reference_type: {id: details}}."""
    ids = {}
    for movement in movements:
        if movement.reference_type in _REFERENCE_DETAILS:
            ids.setdefault(movement.reference_type, set()).add(movement.reference_id)
    found = {kind: _REFERENCE_DETAILS[kind](sorted(kind_ids)) for kind, kind_ids in ids.items()}
    for movement in movements:
        movement.details = found.get(movement.reference_type, {}).get(movement.reference_id)
    return found


def lot_trace(lot_id, principal=None):
    """A lot's origin and everything that happened to it since.

    Backward: the supplier (id and name), the purchase order (with its
    registered details) and the date of its first purchase receipt. Forward:
    every movement, oldest first, each with the details of its document
    (sale number and client, order client, purchase order supplier, transfer
    stores). A store-scoped principal sees only its stores' movements, and gets
    404 for a lot that never moved in them. Reads only; a constant number of
    queries.
    """
    lot = get_or_404(Lot, lot_id)
    stmt = _scope(select(Movement).where(Movement.lot_id == lot.id), Movement.store_id,
                  principal)
    movements = db.session.scalars(stmt.order_by(Movement.id)).all()
    if principal is not None and principal.store_ids and not movements:
        raise NotFound("Lot not found.")
    found = _attach_details(movements)
    first_inflow = next((m for m in movements if m.quantity > 0), None)
    supplier = db.session.get(Supplier, lot.supplier_id) if lot.supplier_id else None
    purchase_order = None
    if lot.purchase_order_id is not None:
        known = found.get("purchase_order", {})
        fn = _REFERENCE_DETAILS.get("purchase_order")
        if lot.purchase_order_id not in known and fn is not None:
            known = fn([lot.purchase_order_id])
        purchase_order = {"id": lot.purchase_order_id, **known.get(lot.purchase_order_id, {})}
    received_at = db.session.scalar(
        select(func.min(Movement.created_at))
        .where(Movement.lot_id == lot.id, Movement.type == "purchase_receipt"))
    return {
        "lot_id": lot.id, "lot": lot.code, "product_id": lot.product_id,
        "expiry_date": lot.expiry_date, "supplier_id": lot.supplier_id,
        "supplier": supplier, "purchase_order_id": lot.purchase_order_id,
        "purchase_order": purchase_order, "received_at": received_at,
        "received_by": first_inflow, "movements": movements,
    }


# --------------------------------------------------------------------------- alerts


def low_stock_select(args, principal=None):
    """Per (product, store): available ≤ effective minimum, with shortage and suggestion."""
    totals = _pair_totals(args.get("store_id"))
    available = type_coerce(totals.c.on_hand - totals.c.reserved, Quantity())
    minimum = type_coerce(_effective_min(), Quantity())
    shortage = type_coerce(minimum - available, Quantity())
    suggested = case((Product.reorder_quantity > shortage, Product.reorder_quantity),
                     else_=shortage)
    stmt = _with_minimum(select(
        totals.c.product_id, totals.c.store_id, Product.sku, Product.name,
        available.label("available"), minimum.label("min_stock"), shortage.label("shortage"),
        type_coerce(suggested, Quantity()).label("suggested_order_quantity"),
        Product.preferred_supplier_id,
    ).select_from(totals), totals).where(Product.active.is_(True), available <= minimum)
    if args.get("category_id"):
        stmt = stmt.where(in_subtree(Product.category_id, Category, args["category_id"]))
    stmt = _scope(stmt, totals.c.store_id, principal)
    return stmt.order_by(totals.c.store_id, totals.c.product_id)


def events_select(args, principal=None):
    stmt = select(LowStockEvent)
    if args.get("open") is True:
        stmt = stmt.where(LowStockEvent.resolved_at.is_(None))
    elif args.get("open") is False:
        stmt = stmt.where(LowStockEvent.resolved_at.is_not(None))
    for name in ("product_id", "store_id"):
        if args.get(name):
            stmt = stmt.where(getattr(LowStockEvent, name) == args[name])
    stmt = _scope(stmt, LowStockEvent.store_id, principal)
    return stmt.order_by(LowStockEvent.id.desc())


# --------------------------------------------------------------------------- documents


def transfers_select(args, principal=None):
    stmt = select(Transfer)
    if args.get("store_id"):
        stmt = stmt.where(or_(Transfer.from_store_id == args["store_id"],
                              Transfer.to_store_id == args["store_id"]))
    for name in ("from_store_id", "to_store_id"):
        if args.get(name):
            stmt = stmt.where(getattr(Transfer, name) == args[name])
    if principal is not None and principal.store_ids:
        stmt = stmt.where(or_(Transfer.from_store_id.in_(principal.store_ids),
                              Transfer.to_store_id.in_(principal.store_ids)))
    return stmt.order_by(Transfer.id.desc())


def get_transfer(transfer_id, principal=None):
    transfer = get_or_404(Transfer, transfer_id)
    if principal is not None and principal.store_ids and not (
            principal.may_use_store(transfer.from_store_id)
            or principal.may_use_store(transfer.to_store_id)):
        raise NotFound("Transfer not found.")
    return transfer


def counts_select(args, principal=None):
    stmt = select(StockCount)
    if args.get("store_id"):
        stmt = stmt.where(StockCount.store_id == args["store_id"])
    stmt = _scope(stmt, StockCount.store_id, principal)
    return stmt.order_by(StockCount.id.desc())


def get_count(count_id, principal=None):
    return get_in_stores_or_404(StockCount, count_id, principal)


# --------------------------------------------------------------------------- ledger check


def ledger_drift():
    """Levels whose on_hand differs from the sum of their movements or the last balance,
    or whose `movement_count` differs from their number of movements (or the
    number of the last one, `level_seq`)."""
    sums = (select(Movement.stock_level_id.label("level_id"),
                   func.sum(Movement.quantity).label("total"),
                   func.count().label("count"),
                   func.max(Movement.level_seq).label("last_seq"),
                   func.max(Movement.id).label("last_id"))
            .group_by(Movement.stock_level_id).subquery())
    last = aliased(Movement)
    rows = db.session.execute(
        select(StockLevel, sums.c.total, last.balance_after, sums.c.count, sums.c.last_seq)
        .outerjoin(sums, sums.c.level_id == StockLevel.id)
        .outerjoin(last, last.id == sums.c.last_id)
        .order_by(StockLevel.id)
    ).all()
    drift = []
    for level, total, last_balance, count, last_seq in rows:
        total = _qty(total)
        last_balance = last_balance if last_balance is not None else ZERO
        counted = (level.movement_count == (count or 0) == (last_seq or 0))
        if level.on_hand != total or level.on_hand != last_balance or not counted:
            drift.append({"stock_level_id": level.id, "product_id": level.product_id,
                          "store_id": level.store_id, "lot_id": level.lot_id,
                          "on_hand": level.on_hand, "ledger_sum": total,
                          "last_balance_after": last_balance,
                          "movement_count": level.movement_count, "movements": count or 0})
    return drift


def totals_drift():
    """Read models that differ from what they are kept from, as
    `{"product_id" | "store_id", "message", ...}`.

    A product's `product_stock` must hold Σ on_hand and Σ (on_hand − reserved)
    of its stock levels (no row: 0, 0); a store's `ledger_counts` row the
    number of its movements, which is also the number (`store_seq`) of its
    last one, and the number of products it has on hand.
    """
    sums = (select(StockLevel.product_id.label("product_id"),
                   func.sum(StockLevel.on_hand).label("on_hand"),
                   func.sum(StockLevel.on_hand - StockLevel.reserved).label("available"))
            .group_by(StockLevel.product_id).subquery())
    rows = db.session.execute(
        select(Product.id, ProductStock.on_hand, ProductStock.available,
               sums.c.on_hand, sums.c.available)
        .outerjoin(ProductStock, ProductStock.product_id == Product.id)
        .outerjoin(sums, sums.c.product_id == Product.id)
        .where(or_(ProductStock.product_id.is_not(None), sums.c.product_id.is_not(None)))
        .order_by(Product.id)
    ).all()
    drift = []
    for product_id, on_hand, available, level_on_hand, level_available in rows:
        stored = (_qty(on_hand), _qty(available))
        levels = (_qty(level_on_hand), _qty(level_available))
        if stored != levels:
            drift.append({
                "product_id": product_id, "on_hand": stored[0], "available": stored[1],
                "levels_on_hand": levels[0], "levels_available": levels[1],
                "message": f"totals of product {product_id}: on_hand {stored[0]}, available "
                           f"{stored[1]}; its stock levels: on_hand {levels[0]}, available "
                           f"{levels[1]}"})
    counted = (select(Movement.store_id.label("store_id"), func.count().label("count"),
                      func.max(Movement.store_seq).label("last_seq"))
               .group_by(Movement.store_id).subquery())
    rows = db.session.execute(
        select(Store.id, LedgerCount.movements, counted.c.count, counted.c.last_seq)
        .outerjoin(LedgerCount, LedgerCount.store_id == Store.id)
        .outerjoin(counted, counted.c.store_id == Store.id)
        .order_by(Store.id)
    ).all()
    held = (select(StockLevel.store_id.label("store_id"),
                   func.count(func.distinct(StockLevel.product_id)).label("products"))
            .where(StockLevel.on_hand > 0).group_by(StockLevel.store_id).subquery())
    rows = db.session.execute(
        select(Store.id, LedgerCount.movements, counted.c.count, counted.c.last_seq,
               LedgerCount.products_held, held.c.products)
        .outerjoin(LedgerCount, LedgerCount.store_id == Store.id)
        .outerjoin(counted, counted.c.store_id == Store.id)
        .outerjoin(held, held.c.store_id == Store.id)
        .order_by(Store.id)
    ).all()
    for store_id, stored, count, last_seq, stored_held, products in rows:
        stored, count, last_seq = stored or 0, count or 0, last_seq or 0
        if not stored == count == last_seq:
            drift.append({
                "store_id": store_id, "movements": stored, "counted": count,
                "message": f"ledger counter of store {store_id}: {stored} movements; the "
                           f"ledger holds {count}, the last numbered {last_seq}"})
        if (stored_held or 0) != (products or 0):
            drift.append({
                "store_id": store_id, "products_held": stored_held or 0,
                "counted": products or 0,
                "message": f"ledger counter of store {store_id}: {stored_held or 0} products "
                           f"on hand; its stock levels hold {products or 0}"})
    return drift


def _qty(value):
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))
