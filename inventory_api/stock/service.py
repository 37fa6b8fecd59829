"""The movements service: the only code that changes stock.

Every change of stock (manual movements, transfers, counts, and later sales,
orders and purchase receipts) goes through `post_movements` (or `reserve` /
`release` for pending orders) inside the caller's transaction:

0. Types. Each change is checked against its movement type (`stock.types`):
   sign, unit cost, lot, reason and the document that may post it. A
   violation is a bug of the caller and raises `InvalidMovement` (ValueError)
   before anything is read or written.
1. Lock. Costed inflows first lock their products (`SELECT ... FOR UPDATE`,
   by id), then every `stock_levels` row of each affected (product, store)
   pair is locked in one global order: store by store (one statement each),
   and within a store by product and lot. Missing rows for inflows are
   created first with an insert that ignores a concurrent insert of the same
   key (unique product/store/lot_key), with the product's `product_stock`
   totals row. Just before writing, the ledger counter of each store
   (`ledger_counts`, in store order), which numbers the store's movements.
2. Check. Outflows may take only `available` = on_hand - reserved of the
   locked rows. Any short line fails the whole document with 409 listing
   every short line, before anything is written. No balance, average cost or
   movement value may leave its column's range (422 naming `quantity` or
   `unit_cost`).
3. Write. Each change becomes one or more append-only `movements` rows
   (signed quantity, `balance_after` of its stock level, unit cost,
   reference, user or API key) and the `stock_levels` rows are updated in the
   same transaction (one `UPDATE ... CASE` for all of a document's rows, then
   one multi-row INSERT of its movements where the database allows it).
   A `CHECK (on_hand >= 0 AND reserved <= on_hand)` backs the rule up. The
   read models move with them: each movement takes the next number of its
   store (`store_seq`) and of its stock level (`level_seq`), and each product
   whose totals change gets one increment of its `product_stock` row (a
   transfer changes none).
4. Cost. Inflows that carry a unit cost update the product's moving-average
   cost over all stores. Outflows record the cost at the time they happen.
5. Lots. Tracked products need a lot on inflows; outflows without a lot take
   the lot that expires first (FEFO), then the oldest, splitting as needed.
   A lot created by an inflow remembers its supplier and purchase order.
6. Alerts. When a (product, store) goes from above its minimum to at or below
   it (its available stock: movements and reservations both count), a
   low-stock event is written with the movement (or, for a reservation, with
   no movement) and the document's reference; it is resolved when stock
   rises above the minimum again (a movement, or a released reservation).

The service adds and flushes but never commits: it runs inside the caller's
unit of work (`common.uow.atomic`, or `@unit_of_work` around an HTTP request,
which also retries the whole unit on a deadlock). No code anywhere updates or
deletes a movement.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    event,
    func,
    inspect,
    null,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session, lazyload, load_only
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..common.rows import insert_ignoring_duplicates as _insert_ignoring_duplicates
from ..common.rows import insert_new
from ..common.types import MONEY_PLACES, QTY_PLACES
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..products.models import Product
from ..stores.models import Store
from ..suppliers.models import Supplier
from .models import (
    NO_LOT,
    LedgerCount,
    Lot,
    LowStockEvent,
    Movement,
    ProductStock,
    StockLevel,
    StockMinimum,
)
from .types import LotUse, check_change, movement_type

ZERO = Decimal("0.000")
PREBUILT_ROWS = 100  # rows (or pairs) per prebuilt write or alert statement
# `Change.lot_id` of an outflow naming a lot code that no lot of the product has:
# no stock level matches it, so the line is short (nothing available)
UNKNOWN_LOT = -1
# the largest values `Numeric(14, 3)` quantities and `Numeric(14, 2)` money hold
MAX_QUANTITY = Decimal("99999999999.999")
MAX_MONEY = Decimal("999999999999.99")


class InsufficientStock(Conflict):
    """409: one or more lines ask for more than is available."""

    def __init__(self, short_lines):
        super().__init__(
            "Insufficient stock for " + (
                "1 line." if len(short_lines) == 1 else f"{len(short_lines)} lines."),
            errors={"short_lines": short_lines},
        )


@dataclass
class Change:
    """One requested stock change. `quantity` is signed: + in, - out.

    `type` is a name from `stock.types.MOVEMENT_TYPES`, whose rules apply.
    `lot` names a lot by code (inflows of types that may create lots create
    it if new); `lot_id` names one by id (used by transfers, counts and
    reservations); neither: no lot (outflows of tracked products take FEFO).
    `unit_cost` on an inflow updates the product's moving-average cost.
    `supplier_id` and `purchase_order_id` say where an inflow came from; they
    are stored on the lot when the inflow creates it. `from_reserved` takes an
    outflow out of `reserved` too (confirming a reservation).
    """

    type: str
    product_id: int
    store_id: int
    quantity: Decimal
    lot: str | None = None
    lot_id: int | None = None
    expiry_date: date | None = None
    unit_cost: Decimal | None = None
    supplier_id: int | None = None
    purchase_order_id: int | None = None
    from_reserved: bool = False

    @property
    def lot_key(self):
        """The `stock_levels.lot_key` this change names (NO_LOT when it names no lot)."""
        return NO_LOT if self.lot_id is None else self.lot_id


@dataclass
class Allocation:
    """Where (part of) a change lands: a locked stock level and a quantity."""

    change: Change
    level: StockLevel
    quantity: Decimal


def _q(value):
    return Decimal(value).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


def _money(value):
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def _now():
    return datetime.now(UTC)


# --------------------------------------------------------------------------- loading


# ------------------------------------------------------------------ this transaction's locks


def _held():
    """What this transaction has locked so far (kept in the session, forgotten when the
    transaction ends): product ids, {(product, store): {lot_key: StockLevel}} and
    {store_id: _Counter}. A document that posts in several steps (a transfer's
    lock_pairs, out- and in-movements) then locks each row once."""
    return db.session.info.setdefault(
        "stock_held", {"products": set(), "levels": {}, "counters": {}, "rows": []})


def hold(rows):
    """Keep `rows` (products, stores a document has just read) for this transaction,
    so that the movements service finds them in the session instead of reading
    them again (the session's identity map holds rows only while something else
    does). Returns `rows`."""
    _held()["rows"].extend(rows)
    return rows


_STORE_IDS = bindparam("store_ids", expanding=True)
_PRODUCT_IDS = bindparam("product_ids", expanding=True)
# only the columns a document's checks and postings use (the driver parses every
# column's description of every result); any other is loaded if something asks
_DOCUMENT_ROWS = (select(Product, Store).outerjoin(Store, Store.id.in_(_STORE_IDS))
                  .where(Product.id.in_(_PRODUCT_IDS))
                  .options(load_only(Product.sku, Product.name, Product.kind, Product.price,
                                     Product.cost, Product.min_stock, Product.track_lots,
                                     Product.active),
                           load_only(Store.name, Store.active)))
_STORES = select(Store).where(Store.id.in_(_STORE_IDS))


def load_documents_rows(store_ids, product_ids):
    """({id: Store}, {id: Product}) a document names, read with one statement and
    held for the transaction (`hold`); ids that do not exist are left out.

    The products are joined to the stores with `ON stores.id IN (...)`: each
    product's row carries every store found (a few rows for a document's few
    products and stores). Only when no product exists are the stores read on
    their own, for the error message.
    """
    params = {"store_ids": sorted(set(store_ids)), "product_ids": sorted(set(product_ids))}
    rows = db.session.execute(_DOCUMENT_ROWS, params).all()
    products = {product.id: product for product, _ in rows}
    stores = {store.id: store for _, store in rows if store is not None}
    if not rows and params["store_ids"]:
        stores = {store.id: store for store in db.session.scalars(_STORES, params)}
    hold([*products.values(), *stores.values()])
    return stores, products


@event.listens_for(Session, "after_transaction_end")
def _forget_held(session, transaction):
    if transaction.parent is None:
        session.info.pop("stock_held", None)


def _known(model, ids):
    """{id: row} of the rows of `model` this session already holds (no SQL)."""
    found = {}
    for id_ in ids:
        row = db.session.identity_map.get(identity_key(model, id_))
        if row is not None and not inspect(row).deleted:
            found[id_] = row
    return found


def _load_products(product_ids, lock_ids=()):
    """Products by id; those in `lock_ids` are locked FOR UPDATE (by id, before levels),
    once per transaction. Products the session holds are not read again."""
    held = _held()["products"]
    lock_ids = sorted(set(lock_ids) - held)
    products = {}
    if lock_ids:
        stmt = select(Product).where(Product.id.in_(lock_ids)).order_by(Product.id)
        products.update({p.id: p for p in hold(db.session.scalars(
            stmt.with_for_update().execution_options(populate_existing=True)).all())})
        held.update(products)
    wanted = set(product_ids) - set(products)
    products.update(_known(Product, wanted))
    rest = sorted(wanted - set(products))
    if rest:
        products.update({p.id: p for p in hold(db.session.scalars(
            select(Product).where(Product.id.in_(rest))).all())})
    return products


def _check_references(changes, products):
    errors = {}
    missing_products = sorted({c.product_id for c in changes} - set(products))
    if missing_products:
        errors["product_id"] = [f"Unknown product ids: {missing_products}."]
    store_ids = sorted({c.store_id for c in changes})
    stores = _known(Store, store_ids)
    if len(stores) < len(store_ids):
        stores.update({s.id: s for s in hold(db.session.scalars(
            select(Store).where(Store.id.in_(sorted(set(store_ids) - set(stores))))).all())})
    missing_stores = sorted(set(store_ids) - set(stores))
    if missing_stores:
        errors["store_id"] = [f"Unknown store ids: {missing_stores}."]
    inactive = sorted(s.id for s in stores.values() if not s.active)
    if inactive:
        errors.setdefault("store_id", []).append(f"Inactive store ids: {inactive}.")
    supplier_ids = sorted({c.supplier_id for c in changes if c.supplier_id is not None})
    if supplier_ids:
        known = set(db.session.scalars(select(Supplier.id).where(Supplier.id.in_(supplier_ids))))
        if set(supplier_ids) - known:
            errors["supplier_id"] = [f"Unknown supplier ids: {sorted(set(supplier_ids) - known)}."]
    if errors:
        raise ValidationFailed(errors)


def _creates_lot(change):
    """True when `change` may bring the lot it names by code into being."""
    return change.quantity > 0 and movement_type(change.type).lot is LotUse.ANY


def _resolve_lots(changes, products):
    """Fill `lot_id` on every change that names a lot by code; validate lot rules (422).

    Creates the lots that inflows name for the first time (with their expiry,
    supplier and purchase order) and may set a missing expiry date on a lot.
    An outflow naming an unknown code gets `UNKNOWN_LOT`.
    """
    errors = []
    wanted = {}
    for index, change in enumerate(changes):
        product = products[change.product_id]
        if change.lot_id is not None:
            continue
        if change.lot is None:
            if product.track_lots and change.quantity > 0:
                errors.append(f"Line {index + 1}: product {product.id} tracks lots; name a lot.")
            continue
        if not product.track_lots:
            errors.append(f"Line {index + 1}: product {product.id} does not track lots.")
            continue
        wanted.setdefault((change.product_id, change.lot), [])
    if errors:
        raise ValidationFailed({"lot": errors})
    if not wanted:
        return
    origins = {}  # (product_id, code) -> the first inflow that may create the lot
    for change in changes:
        if change.lot_id is None and change.lot is not None and _creates_lot(change):
            origin = origins.setdefault((change.product_id, change.lot), change)
            if origin.expiry_date is None and change.expiry_date is not None:
                origins[(change.product_id, change.lot)] = change
    for (product_id, code), origin in sorted(origins.items()):
        _insert_ignoring_duplicates(
            Lot, {"product_id": product_id, "code": code, "expiry_date": origin.expiry_date,
                  "supplier_id": origin.supplier_id,
                  "purchase_order_id": origin.purchase_order_id, "created_at": _now()},
            ["product_id", "code"])
    lots = db.session.scalars(
        select(Lot).where(tuple_(Lot.product_id, Lot.code).in_(list(wanted)))).all()
    by_key = {(lot.product_id, lot.code): lot for lot in lots}
    for change in changes:
        if change.lot is None or change.lot_id is not None:
            continue
        lot = by_key.get((change.product_id, change.lot))
        if lot is None and change.quantity > 0:  # an inflow that may not create its lot
            raise ValidationFailed({"lot": [
                f"Product {change.product_id} has no lot {change.lot}."]})
        if lot is None:  # an outflow naming a lot that never existed: nothing available
            change.lot_id = UNKNOWN_LOT
            continue
        if change.quantity > 0 and change.expiry_date and lot.expiry_date is None:
            lot.expiry_date = change.expiry_date
        elif change.quantity > 0 and change.expiry_date and lot.expiry_date != change.expiry_date:
            raise ValidationFailed({"expiry_date": [
                f"Lot {lot.code} of product {lot.product_id} expires on {lot.expiry_date}."]})
        change.lot_id = lot.id


def _by_store(pairs):
    by_store = defaultdict(list)
    for product_id, store_id in pairs:
        by_store[store_id].append(product_id)
    return dict(sorted(by_store.items()))


def _chunks(items, size=PREBUILT_ROWS):
    """`items` (a sorted list) in runs of at most `size` rows: the prebuilt
    statements below are made for at most that many rows, so that their shapes
    (and the cache holding them) stay few and a CASE stays short however large
    a document or a seed batch is."""
    return [items[start:start + size] for start in range(0, len(items), size)]


_LOCK_INDEX = "FORCE INDEX (ix_stock_levels_store_product)"


_LOCK_LEVELS = (
    select(StockLevel)
    .where(StockLevel.store_id.in_(_STORE_IDS), StockLevel.product_id.in_(_PRODUCT_IDS))
    .order_by(StockLevel.store_id, StockLevel.product_id, StockLevel.lot_key)
    .with_hint(StockLevel, _LOCK_INDEX, dialect_name="mysql")
    .with_hint(StockLevel, _LOCK_INDEX, dialect_name="mariadb")
    .options(lazyload(StockLevel.lot))  # lock stock rows only, never lots
    .with_for_update()
    .execution_options(populate_existing=True)
)


def _select_locked(pairs, *, again=False):
    """Lock every stock row of these (product_id, store_id) pairs in the global order:
    store by store, and in a store by product (then lot, or on MariaDB row id);
    {pair: {lot_key: StockLevel}}. Pairs this transaction locked before are not
    read again, unless `again` (after inserting rows into them).

    One statement when the pairs are the same products in every store (a
    transfer's), else one per store. PostgreSQL locks rows in the ORDER BY's
    order; MariaDB as it scans them, so it is told the (store, product)
    index, whose ranges it scans in that order whatever its statistics say.
    """
    held = _held()["levels"]
    locked = {pair: held[pair] for pair in pairs if pair in held and not again}
    wanted = [pair for pair in pairs if pair not in locked]
    for pair in wanted:
        locked[pair] = {}
    by_store = _by_store(wanted)
    if len(by_store) > 1 and len({tuple(ids) for ids in by_store.values()}) == 1:
        groups = [(list(by_store), next(iter(by_store.values())))]
    else:
        groups = [([store_id], product_ids) for store_id, product_ids in by_store.items()]
    for store_ids, product_ids in groups:
        rows = db.session.scalars(
            _LOCK_LEVELS, {"store_ids": store_ids, "product_ids": product_ids}).all()
        for row in rows:
            locked[(row.product_id, row.store_id)][row.lot_key] = row
    held.update({pair: locked[pair] for pair in wanted})
    return locked


def _lock_levels(changes):
    """Lock every row of each (product, store) pair; create the rows inflows need.

    One locking SELECT for all pairs. Inflows into a (product, store, lot)
    without a row insert it first, with an insert that ignores a concurrent
    insert of the same key, together with the product's `product_stock` row;
    those pairs are then locked again. Returns
    {(product_id, store_id): {lot_key: StockLevel}} of locked rows.
    """
    pairs = sorted({(c.product_id, c.store_id) for c in changes})
    locked = _select_locked(pairs)
    missing = sorted({
        (c.product_id, c.store_id, c.lot_key)
        for c in changes
        if c.quantity > 0 and c.lot_id != UNKNOWN_LOT
        and c.lot_key not in locked[(c.product_id, c.store_id)]
    })
    if missing:
        for product_id in sorted({p for p, _, _ in missing}):
            _insert_ignoring_duplicates(ProductStock, {
                "product_id": product_id, "on_hand": ZERO, "available": ZERO}, ["product_id"])
        for product_id, store_id, lot_key in missing:
            _insert_ignoring_duplicates(StockLevel, {
                "product_id": product_id, "store_id": store_id, "lot_key": lot_key,
                "lot_id": None if lot_key == NO_LOT else lot_key,
                "on_hand": ZERO, "reserved": ZERO, "movement_count": 0, "updated_at": _now(),
            }, ["product_id", "store_id", "lot_key"])
        locked.update(_select_locked(sorted({(p, s) for p, s, _ in missing}), again=True))
    lot_ids = {row.lot_id for levels in locked.values() for row in levels.values() if row.lot_id}
    if lot_ids:  # into the identity map, so `level.lot` needs no further query
        db.session.scalars(select(Lot).where(Lot.id.in_(lot_ids))).all()
    return locked


class _Counter:
    """A locked `ledger_counts` row as this transaction changes it (no ORM object:
    `_write_balances` writes it)."""

    __slots__ = ("store_id", "movements", "products_held")

    def __init__(self, store_id, movements, products_held):
        self.store_id, self.movements, self.products_held = store_id, movements, products_held


_COUNTS = LedgerCount.__table__
_LOCK_COUNTS = (select(_COUNTS.c.store_id, _COUNTS.c.movements, _COUNTS.c.products_held)
                .where(_COUNTS.c.store_id.in_(bindparam("store_ids", expanding=True)))
                .order_by(_COUNTS.c.store_id).with_for_update())


def _lock_ledger_counts(store_ids):
    """Lock the stores' ledger counters (after the stock levels, once per transaction),
    creating missing ones; {store_id: _Counter}."""
    held = _held()["counters"]
    store_ids = sorted(set(store_ids))

    def locked(ids):
        return {row.store_id: _Counter(*row) for row in db.session.connection().execute(
            _LOCK_COUNTS, {"store_ids": ids})}

    counters = {store_id: held[store_id] for store_id in store_ids if store_id in held}
    wanted = [store_id for store_id in store_ids if store_id not in counters]
    if wanted:
        counters.update(locked(wanted))
        missing = [store_id for store_id in wanted if store_id not in counters]
        if missing:
            for store_id in missing:
                _insert_ignoring_duplicates(
                    LedgerCount, {"store_id": store_id, "movements": 0, "products_held": 0},
                    ["store_id"])
            counters.update(locked(missing))
        held.update({store_id: counters[store_id] for store_id in wanted})
    return counters


_ADD_COUNTS = {
    # MariaDB/MySQL have no UPDATE ... RETURNING: LAST_INSERT_ID(expr) hands the
    # new count back in the statement's own reply (the cursor's lastrowid)
    "mysql": update(_COUNTS).where(_COUNTS.c.store_id == bindparam("store")).values(
        movements=func.last_insert_id(_COUNTS.c.movements + bindparam("added")),
        products_held=_COUNTS.c.products_held + bindparam("held")),
    "other": update(_COUNTS).where(_COUNTS.c.store_id == bindparam("store")).values(
        movements=_COUNTS.c.movements + bindparam("added"),
        products_held=_COUNTS.c.products_held + bindparam("held"),
    ).returning(_COUNTS.c.movements),
}


def _add_to_ledger_count(store_id, added, held):
    """Add `added` movements and `held` products held to a store's ledger counter
    that this transaction has not locked yet, in one statement that locks it
    (after the stock levels, as `_lock_ledger_counts` would); creates a missing
    counter. Returns the store's new number of movements."""
    connection = db.session.connection()
    mysql = connection.dialect.name in ("mysql", "mariadb")
    params = {"store": store_id, "added": added, "held": held}
    for _ in range(2):
        result = connection.execute(_ADD_COUNTS["mysql" if mysql else "other"], params)
        if mysql and result.rowcount:
            return result.lastrowid
        if not mysql:
            count = result.scalar()
            if count is not None:
                return count
        _insert_ignoring_duplicates(
            LedgerCount, {"store_id": store_id, "movements": 0, "products_held": 0},
            ["store_id"])
    raise RuntimeError(f"ledger_counts row of store {store_id} missing after its insert")


def lock_pairs(pairs):
    """Lock every stock row of these (product_id, store_id) pairs, then their stores'
    ledger counters, in the global order.

    For documents that post in several steps (a transfer's out- then
    in-movements): taking all locks first keeps the order global.
    """
    pairs = sorted(set(pairs))
    probes = [Change(type="lock", product_id=p, store_id=s, quantity=Decimal("-1"))
              for p, s in pairs]
    _lock_levels(probes)
    held = _held()
    store_ids = sorted({s for _, s in pairs})
    if len(pairs) > PREBUILT_ROWS or set(store_ids) & set(held["counters"]):
        _lock_ledger_counts(store_ids)
        return
    counters, state = _lock_counts_with_alert_state(pairs)
    held["counters"].update(counters)
    if len(counters) < len(store_ids):  # counters to create: their lock reads the alerts
        _lock_ledger_counts(store_ids)
    else:
        held["alert_state"] = (frozenset(pairs), *state)


def _lock_counts_with_alert_state(pairs):
    """Lock the pairs' stores' ledger counters and read the pairs' alert state in one
    statement: ({store_id: _Counter}, (overrides, open events) as `_alert_state`).

    The alert state is a subquery outer-joined to the counters, outside the lock
    (`FOR UPDATE OF ledger_counts` on PostgreSQL; on MariaDB a locking read
    does not lock what its subqueries read). Read after the pairs' stock rows
    are locked, it sees every event of theirs that was committed, since events
    change only under those locks.
    """
    by_store = _by_store(pairs)
    params = _alert_params(by_store)
    params["store_ids"] = list(by_store)
    statement = _counts_and_alert_state_statement(tuple(len(ids) for ids in by_store.values()))
    counters, overrides, open_events = {}, {}, {}
    for row in db.session.connection().execute(statement, params):
        counters.setdefault(row.store_id, _Counter(row.store_id, row.movements,
                                                   row.products_held))
        if row.product_id is None:
            continue
        if row.event_id is None:
            overrides[(row.product_id, row.store_id)] = row.minimum
        else:
            open_events[(row.product_id, row.store_id)] = row.event_id
    return counters, (overrides, open_events)


@lru_cache(maxsize=256)
def _counts_and_alert_state_statement(shape):
    state = _alert_state_statement(shape).subquery("alert_state")
    return (select(_COUNTS.c.store_id, _COUNTS.c.movements, _COUNTS.c.products_held,
                   state.c.product_id, state.c.minimum, state.c.event_id)
            .select_from(_COUNTS.outerjoin(state, state.c.store_id == _COUNTS.c.store_id))
            .where(_COUNTS.c.store_id.in_(bindparam("store_ids", expanding=True)))
            .order_by(_COUNTS.c.store_id)
            .with_for_update(of=_COUNTS))


# --------------------------------------------------------------------------- allocation


def _fefo(levels):
    """Lot levels in consumption order: earliest expiry first (no expiry last), then oldest."""
    def key(level):
        lot = level.lot
        if lot is None:
            return (2, date.max, level.lot_key)
        return (0 if lot.expiry_date else 1, lot.expiry_date or date.max, lot.id)
    return sorted(levels, key=key)


def _allocate(changes, products, locked):
    """Split changes over locked levels; raise InsufficientStock listing every short line."""
    taken = defaultdict(lambda: ZERO)  # level id -> quantity already allocated out
    allocations = []
    short = []
    for index, change in enumerate(changes):
        pair_levels = locked[(change.product_id, change.store_id)]
        if change.quantity > 0:
            allocations.append(Allocation(change, pair_levels[change.lot_key], change.quantity))
            continue
        wanted = -change.quantity
        product = products[change.product_id]
        if change.lot_id is None and product.track_lots:
            candidates = _fefo(pair_levels.values())
        else:  # the named lot (UNKNOWN_LOT matches no level), or the untracked level
            candidates = [pair_levels[change.lot_key]] if change.lot_key in pair_levels else []

        def free(level, change=change):
            base = level.reserved if change.from_reserved else level.available
            return base - taken[level.id]

        available = sum((max(free(level), ZERO) for level in candidates), ZERO)
        if available < wanted:
            short.append({
                "line": index + 1,
                "product_id": change.product_id,
                "store_id": change.store_id,
                "lot": change.lot,
                "requested": str(_q(wanted)),
                "available": str(_q(available)),
            })
            continue
        remaining = wanted
        for level in candidates:
            if remaining <= 0:
                break
            part = min(max(free(level), ZERO), remaining)
            if part <= 0:
                continue
            taken[level.id] += part
            remaining -= part
            allocations.append(Allocation(change, level, -part))
    if short:
        raise InsufficientStock(short)
    return allocations


# --------------------------------------------------------------------------- writing


@contextmanager
def deferred_writes():
    """Within it, product totals and low-stock alerts are settled once, at the end.

    For documents that post in several steps: a transfer's out- and
    in-movements cancel out, so it writes (and locks) no `product_stock` row,
    and the alerts of both its stores are read and written together (one
    read of minimums and one of open events instead of one per step). A pair
    touched by several steps is judged from its availability before the
    first to after the last. The steps' rows are flushed together at its end
    (one batch of movements, each stock level and counter updated once), so
    movements returned by a step get their ids only then.
    """
    info = db.session.info
    if "stock_totals" in info:  # already inside one
        yield
        return
    info["stock_totals"], info["stock_alerts"], info["stock_balances"] = {}, {}, ({}, {})
    info["stock_movements"] = []
    try:
        yield
        deltas, alerts, balances, movements = (
            info["stock_totals"], info["stock_alerts"], info["stock_balances"],
            info["stock_movements"])
    finally:
        del (info["stock_totals"], info["stock_alerts"], info["stock_balances"],
             info["stock_movements"])
    _write_balances(*balances)
    insert_new(movements)
    _add_to_totals(deltas)
    _write_alerts(alerts)
    db.session.flush()


def _write_balances(levels, counters):
    """Write the stock levels and ledger counters a posting changed, {key: row} each:
    one UPDATE per table (a CASE on the key when there are several rows) instead
    of the ORM's one per row. The session then holds the levels as written (the
    counters are no ORM objects)."""
    _update_rows(StockLevel, StockLevel.id, levels,
                 ("on_hand", "reserved", "movement_count", "updated_at"))
    _update_rows(LedgerCount, LedgerCount.store_id, counters, ("movements", "products_held"),
                 orm=False)


def _update_rows(model, key, rows, names, orm=True):
    for keys in _chunks(sorted(rows)):
        params = {}
        for index, row_key in enumerate(keys):
            row = rows[row_key]
            params[f"k{index}"] = row_key
            for name in names:
                params[f"{name}{index}"] = getattr(row, name)
        result = db.session.connection().execute(
            _update_statement(model.__table__, key.key, names, len(keys)), params)
        if result.rowcount != len(keys):  # locked rows: a bug, never a user error
            raise RuntimeError(f"{model.__tablename__} rows {keys} changed under their lock")
    if not orm:
        return
    for row in rows.values():
        for name in names:
            set_committed_value(row, name, getattr(row, name))


@lru_cache(maxsize=256)
def _update_statement(table, key_name, names, count, add=False):
    """`UPDATE table SET name = CASE key WHEN :k0 THEN :name0 ... END WHERE key IN
    (:k0, ...)` for `count` rows, built once per shape (parameters k<i>, <name><i>);
    with `add`, `name = name + CASE ...`."""
    key = table.c[key_name]
    marks = [bindparam(f"k{i}", type_=key.type) for i in range(count)]

    def value(name):
        column = table.c[name]
        if count == 1:
            new = bindparam(f"{name}0", type_=column.type)
        else:
            new = case(*((key == marks[i], bindparam(f"{name}{i}", type_=column.type))
                         for i in range(count)))
        return column + new if add else new

    return update(table).where(key.in_(marks)).values({name: value(name) for name in names})


def _add_to_totals(deltas):
    """Add {product_id: (Δ on_hand, Δ available)} to `product_stock`, one UPDATE.

    Products whose totals do not change (a transfer, a confirmed reservation)
    are left alone, so their row is not locked. The rows exist: `_lock_levels`
    creates one with the product's first stock level (and the migration made
    them for older stock).
    """
    pending = db.session.info.get("stock_totals")
    if pending is not None:  # inside deferred_writes(): add up, write at its end
        for pid, (on_hand, available) in deltas.items():
            old_on_hand, old_available = pending.get(pid, (ZERO, ZERO))
            pending[pid] = (old_on_hand + on_hand, old_available + available)
        return
    deltas = {pid: d for pid, d in deltas.items() if d != (ZERO, ZERO)}
    if not deltas:
        return
    for ids in _chunks(sorted(deltas)):
        params = {}
        for index, pid in enumerate(ids):
            params[f"k{index}"] = pid
            params[f"on_hand{index}"], params[f"available{index}"] = deltas[pid]
        result = db.session.connection().execute(_update_statement(
            ProductStock.__table__, "product_id", ("on_hand", "available"), len(ids),
            add=True), params)
        if result.rowcount != len(ids):  # a bug, never a user error: refuse to drift
            raise RuntimeError(f"product_stock rows missing for some of products {ids}")


def _total_deltas(items):
    """{product_id: (Δ on_hand, Δ available)} from (product_id, Δ on_hand, Δ reserved)."""
    deltas = {}
    for product_id, on_hand, reserved in items:
        old_on_hand, old_available = deltas.get(product_id, (ZERO, ZERO))
        deltas[product_id] = (old_on_hand + on_hand, old_available + on_hand - reserved)
    return deltas


def _product_on_hand(product_ids):
    rows = db.session.execute(
        select(StockLevel.product_id, func.sum(StockLevel.on_hand))
        .where(StockLevel.product_id.in_(product_ids))
        .group_by(StockLevel.product_id)
    ).all()
    return {pid: _q(total or 0) for pid, total in rows}


def _new_costs(allocations, products):
    """The products' moving-average cost after the costed inflows, {product_id: cost}.

    Reads stock totals; changes nothing (`_apply` sets the costs).
    """
    costed = [a for a in allocations if a.quantity > 0 and a.change.unit_cost is not None]
    if not costed:
        return {}
    on_hand = _product_on_hand(sorted({a.change.product_id for a in costed}))
    costs = {}
    for allocation in costed:
        product_id = allocation.change.product_id
        old_cost = costs.get(product_id, products[product_id].cost)
        old_qty = on_hand.get(product_id, ZERO)
        new_qty = old_qty + allocation.quantity
        costs[product_id] = _money(
            (old_qty * old_cost + allocation.quantity * allocation.change.unit_cost) / new_qty)
        on_hand[product_id] = new_qty
    return costs


def _out_of_range(errors, field, message):
    errors.setdefault(field, []).append(message)


def _check_ranges(changes, allocations, products, new_costs):
    """422 when a balance, a cost or a movement value would not fit its column.

    Follows the allocations in order, as they will be written (so every
    `balance_after` is checked too); changes nothing.
    """
    errors = {}
    line_of = {id(change): index + 1 for index, change in enumerate(changes)}
    on_hand, reserved = {}, {}
    for allocation in allocations:
        change, level = allocation.change, allocation.level
        line = f"Line {line_of[id(change)]}"
        on_hand[level.id] = on_hand.get(level.id, level.on_hand) + allocation.quantity
        if change.from_reserved:
            reserved[level.id] = reserved.get(level.id, level.reserved) + allocation.quantity
        if on_hand[level.id] > MAX_QUANTITY or reserved.get(level.id, ZERO) > MAX_QUANTITY:
            _out_of_range(errors, "quantity", f"{line}: the stock of product "
                          f"{change.product_id} in store {change.store_id} would exceed "
                          f"{MAX_QUANTITY}.")
            continue
        if change.unit_cost is not None and change.unit_cost > MAX_MONEY:
            _out_of_range(errors, "unit_cost", f"{line}: must be at most {MAX_MONEY}.")
            continue
        cost = _movement_cost(change, products, new_costs)
        if abs(allocation.quantity) * cost > MAX_MONEY:
            _out_of_range(errors, "unit_cost" if change.unit_cost is not None else "quantity",
                          f"{line}: quantity × unit cost would exceed {MAX_MONEY}.")
    for product_id, cost in new_costs.items():
        if cost > MAX_MONEY:
            _out_of_range(errors, "unit_cost", f"The average cost of product {product_id} "
                          f"would exceed {MAX_MONEY}.")
    if errors:
        raise ValidationFailed({field: list(dict.fromkeys(messages))
                                for field, messages in errors.items()})


def _movement_cost(change, products, new_costs):
    """The unit cost a movement records: its own, else the product's (after this document)."""
    if change.unit_cost is not None:
        return change.unit_cost
    return new_costs.get(change.product_id, products[change.product_id].cost)


def _alert_state(pairs):
    """The pairs' store minimums and open low-stock events, in one statement:
    ({pair: override min_stock}, {pair: open event id}) (one per PREBUILT_ROWS
    pairs)."""
    overrides, open_events = {}, {}
    for chunk in _chunks(sorted(pairs)):
        by_store = _by_store(chunk)
        params = _alert_params(by_store)
        statement = _alert_state_statement(tuple(len(ids) for ids in by_store.values()))
        for product_id, store_id, minimum, event_id in db.session.connection().execute(
                statement, params):
            if event_id is None:
                overrides[(product_id, store_id)] = minimum
            else:
                open_events[(product_id, store_id)] = event_id
    return overrides, open_events


def _alert_params(by_store):
    """The parameters of `_alert_state_statement` for {store_id: [product_id, ...]}."""
    params = {}
    for i, (store_id, product_ids) in enumerate(by_store.items()):
        params[f"s{i}"] = store_id
        for j, product_id in enumerate(product_ids):
            params[f"p{i}_{j}"] = product_id
    return params


@lru_cache(maxsize=256)
def _alert_state_statement(shape):
    """`_alert_state`'s UNION ALL for stores holding `shape[i]` products each, built
    once per shape (parameters s<i> and p<i>_<j>)."""
    def in_pairs(product_column, store_column):
        return or_(*(and_(store_column == bindparam(f"s{i}"),
                          product_column.in_([bindparam(f"p{i}_{j}") for j in range(size)]))
                     for i, size in enumerate(shape)))

    minimums = select(
        StockMinimum.product_id, StockMinimum.store_id, StockMinimum.min_stock.label("minimum"),
        cast(null(), Integer).label("event_id"),
    ).where(in_pairs(StockMinimum.product_id, StockMinimum.store_id))
    events = select(
        LowStockEvent.product_id, LowStockEvent.store_id,
        cast(null(), StockMinimum.min_stock.type).label("minimum"),
        LowStockEvent.id.label("event_id"),
    ).where(LowStockEvent.resolved_at.is_(None),
            in_pairs(LowStockEvent.product_id, LowStockEvent.store_id))
    return union_all(minimums, events)


def _pair_on_hand(levels):
    return sum((level.on_hand for level in levels), ZERO)


def _pair_available(levels):
    return sum((level.on_hand - level.reserved for level in levels), ZERO)


def _update_alerts(pairs_before, locked, products, touched, *, reference_type=None,
                   reference_id=None):
    """Open an event when a pair crosses down to its minimum; resolve it when back above.

    `touched` maps each changed (product_id, store_id) to the movement that
    changed it last, or to None for a reservation or release (no movement).
    New events carry that movement (or none) and the document reference
    (`reference_type`/`reference_id`); a movement resolving an event is kept
    in `resolved_by_movement_id`. Writes `low_stock_events` (adds, no flush);
    inside `deferred_writes()` only notes the pairs, for its end.
    """
    alerts = {pair: _PendingAlert(pairs_before[pair], locked[pair], products[pair[0]],
                                  touched[pair], reference_type, reference_id)
              for pair in pairs_before if pair in touched}
    pending = db.session.info.get("stock_alerts")
    if pending is None:
        _write_alerts(alerts)
        return
    for pair, alert in alerts.items():
        first = pending.get(pair)
        pending[pair] = alert if first is None else alert._replace(before=first.before)


class _PendingAlert(NamedTuple):
    before: Decimal  # available before the first change
    levels: dict  # the pair's locked stock levels, as they are now
    product: object
    movement: object  # the last movement (None for a reservation or release)
    reference_type: str | None
    reference_id: int | None


def _write_alerts(alerts):
    """Open or resolve the low-stock events of {pair: _PendingAlert}; one read in all."""
    pairs = sorted(alerts)
    if not pairs:
        return
    db.session.flush()  # the movements the events name get their ids
    known = _held().pop("alert_state", None)  # read by lock_pairs, good until now
    if known is not None and known[0].issuperset(pairs):
        overrides, open_events = known[1], known[2]
    else:
        overrides, open_events = _alert_state(pairs)
    resolved = {}  # {event id: resolving movement id or None}
    for pair in pairs:
        alert = alerts[pair]
        after = _pair_available(alert.levels.values())
        minimum = overrides.get(pair, alert.product.min_stock)
        movement = alert.movement
        event_id = open_events.get(pair)
        if after <= minimum < alert.before and event_id is None:
            db.session.add(LowStockEvent(
                product_id=pair[0], store_id=pair[1], available=after, min_stock=minimum,
                movement_id=movement.id if movement is not None else None,
                reference_type=alert.reference_type, reference_id=alert.reference_id,
                created_at=_now()))
        elif after > minimum and event_id is not None:
            resolved[event_id] = movement.id if movement is not None else None
    if resolved:  # one UPDATE for every event the document resolves
        db.session.execute(
            update(LowStockEvent).where(LowStockEvent.id.in_(sorted(resolved)))
            .values(resolved_at=_now(),
                    resolved_by_movement_id=cast(case(resolved, value=LowStockEvent.id),
                                                 Integer))
            .execution_options(synchronize_session=False))
        for event_id in resolved:  # an event this session holds reloads what was written
            held = db.session.identity_map.get(identity_key(LowStockEvent, event_id))
            if held is not None:
                db.session.expire(held, ["resolved_at", "resolved_by_movement_id"])


def post_movements(changes, *, reference_type=None, reference_id=None, reason=None,
                   user_id=None, api_key_id=None):
    """Apply `changes` atomically; return the movements written (in change order).

    `reference_type`/`reference_id` name the document posting them (None for a
    manual entry); `user_id` or `api_key_id` who acted. Writes movements,
    stock levels, lots (new ones named by inflows), product costs and
    low-stock events, and flushes.

    Raises InvalidMovement (ValueError) when a change breaks its type's rules,
    ValidationFailed (422) for unknown products/stores/suppliers, lot misuse
    or values out of range, and InsufficientStock (409) when any outflow
    exceeds what is available. Nothing is written when it raises.
    """
    if not changes:
        return []
    for change in changes:
        change.quantity = _q(change.quantity)
        if change.quantity == 0:
            raise ValidationFailed({"quantity": ["Must not be 0."]})
        check_change(change, reference_type=reference_type, reference_id=reference_id,
                     reason=reason)
    costed = [c.product_id for c in changes if c.quantity > 0 and c.unit_cost is not None]
    products = _load_products({c.product_id for c in changes}, lock_ids=costed)
    _check_references(changes, products)
    _resolve_lots(changes, products)
    locked = _lock_levels(changes)
    pairs_before = {pair: _pair_available(levels.values()) for pair, levels in locked.items()}
    allocations = _allocate(changes, products, locked)
    new_costs = _new_costs(allocations, products)
    _check_ranges(changes, allocations, products, new_costs)
    for product_id, cost in new_costs.items():
        products[product_id].cost = cost

    deferred = db.session.info.get("stock_balances")
    store_ids = {c.store_id for c in changes}
    # one store, outside deferred_writes(), its counter not yet locked: the counter
    # is locked by the UPDATE that adds to it (one statement instead of two)
    one_store = (deferred is None and len(store_ids) == 1
                 and not store_ids & set(_held()["counters"]))
    counters = None if one_store else _lock_ledger_counts(store_ids)
    held_before = {pair: _pair_on_hand(levels.values()) > 0 for pair, levels in locked.items()}
    movements = []
    last_movement = {}
    now = _now()
    # Outside deferred_writes() the levels are written just below (_write_balances) and
    # their new values set as committed: the unit of work has nothing to look at. Inside,
    # they stay ordinary changes until its end, so that any read of them in between
    # (autoflush first) sees them. (A transaction's rollback expires every object, these
    # included; a savepoint's only what it changed, so no posting runs in a savepoint.)
    assign = setattr if deferred is not None else set_committed_value
    for allocation in allocations:
        change, level = allocation.change, allocation.level
        assign(level, "on_hand", _q(level.on_hand + allocation.quantity))
        if change.from_reserved:
            assign(level, "reserved", _q(level.reserved + allocation.quantity))
        assign(level, "movement_count", level.movement_count + 1)
        assign(level, "updated_at", now)
        movement = Movement(
            level_seq=level.movement_count,
            type=change.type, product_id=change.product_id, store_id=change.store_id,
            lot_id=level.lot_id, stock_level_id=level.id, quantity=allocation.quantity,
            balance_after=level.on_hand,
            unit_cost=_money(_movement_cost(change, products, new_costs)), reason=reason,
            reference_type=reference_type, reference_id=reference_id,
            created_by_id=user_id, created_by_api_key_id=api_key_id, created_at=_now(),
        )
        movements.append(movement)
        last_movement[(change.product_id, change.store_id)] = movement
    held_changes = defaultdict(int)  # the stores' counts of products on hand
    for pair, levels in locked.items():
        held = _pair_on_hand(levels.values()) > 0
        if held != held_before[pair]:
            held_changes[pair[1]] += 1 if held else -1
    if one_store:
        (store_id,) = store_ids
        first = _add_to_ledger_count(store_id, len(movements), held_changes[store_id]) \
            - len(movements)
        for number, movement in enumerate(movements, start=first + 1):
            movement.store_seq = number
    else:
        for movement in movements:
            counter = counters[movement.store_id]
            counter.movements += 1
            movement.store_seq = counter.movements
        for store_id, change in held_changes.items():
            counters[store_id].products_held += change
    balances = ({a.level.id: a.level for a in allocations},
                {} if one_store else {store_id: counters[store_id] for store_id in store_ids})
    if deferred is None:
        _write_balances(*balances)
        insert_new(movements)
        db.session.flush()
    else:  # the end of deferred_writes() writes every step at once
        deferred[0].update(balances[0])
        deferred[1].update(balances[1])
        db.session.info["stock_movements"].extend(movements)
    _add_to_totals(_total_deltas(
        (a.change.product_id, a.quantity, a.quantity if a.change.from_reserved else ZERO)
        for a in allocations))
    _update_alerts(pairs_before, locked, products, last_movement,
                   reference_type=reference_type, reference_id=reference_id)
    if deferred is None:
        db.session.flush()
    return movements


# --------------------------------------------------------------------------- reservations


def reserve(changes, *, user_id=None, reference_type=None, reference_id=None):
    """Hold stock for pending orders (`reserved` += q). Changes carry positive quantities.

    Returns allocations as dicts (product_id, store_id, lot_id, quantity) so
    that the caller can later `release` them or confirm them with
    `post_movements(..., from_reserved=True)` naming each `lot_id`. Writes
    `stock_levels.reserved` and, when a (product, store) falls to its minimum,
    a low-stock event naming `reference_type`/`reference_id` (no movement);
    flushes. 409 (InsufficientStock) listing every short line.
    """
    outflows = [Change(type="order", product_id=c.product_id, store_id=c.store_id,
                       quantity=-_q(c.quantity), lot=c.lot, lot_id=c.lot_id) for c in changes]
    products = _load_products({c.product_id for c in outflows})
    _check_references(outflows, products)
    _resolve_lots(outflows, products)
    locked = _lock_levels(outflows)
    pairs_before = {pair: _pair_available(levels.values()) for pair, levels in locked.items()}
    allocations = _allocate(outflows, products, locked)
    _check_reserved(allocations)
    held = []
    for allocation in allocations:
        allocation.level.reserved = _q(allocation.level.reserved - allocation.quantity)
        held.append({"product_id": allocation.change.product_id,
                     "store_id": allocation.change.store_id,
                     "lot_id": allocation.level.lot_id,
                     "quantity": _q(-allocation.quantity)})
    db.session.flush()
    _add_to_totals(_total_deltas((h["product_id"], ZERO, h["quantity"]) for h in held))
    touched = {(a.change.product_id, a.change.store_id): None for a in allocations}
    _update_alerts(pairs_before, locked, products, touched,
                   reference_type=reference_type, reference_id=reference_id)
    db.session.flush()
    return held


def _check_reserved(allocations):
    """422 when a reservation would take `reserved` out of its column's range."""
    reserved = {}
    for allocation in allocations:
        level = allocation.level
        reserved[level.id] = reserved.get(level.id, level.reserved) - allocation.quantity
        if reserved[level.id] > MAX_QUANTITY:
            raise ValidationFailed({"quantity": [
                f"The reserved stock of product {level.product_id} in store "
                f"{level.store_id} would exceed {MAX_QUANTITY}."]})


def release(held, *, reference_type=None, reference_id=None):
    """Give back what `reserve` held (same dicts); never below zero reserved.

    Writes `stock_levels.reserved` and resolves the low-stock event of a
    (product, store) that the release brings back above its minimum; flushes.
    409 when more than is reserved.
    """
    changes = [Change(type="order", product_id=h["product_id"], store_id=h["store_id"],
                      quantity=-_q(h["quantity"]), lot_id=h["lot_id"],
                      from_reserved=True) for h in held]
    if not changes:
        return
    locked = _lock_levels(changes)
    pairs_before = {pair: _pair_available(levels.values()) for pair, levels in locked.items()}
    for held_line, change in zip(held, changes, strict=True):
        level = locked[(held_line["product_id"], held_line["store_id"])].get(change.lot_key)
        if level is None or level.reserved < _q(held_line["quantity"]):
            raise Conflict("Cannot release more than is reserved.")
        level.reserved = _q(level.reserved - _q(held_line["quantity"]))
    db.session.flush()
    _add_to_totals(_total_deltas((h["product_id"], ZERO, -_q(h["quantity"])) for h in held))
    products = _load_products({c.product_id for c in changes})
    touched = {(c.product_id, c.store_id): None for c in changes}
    _update_alerts(pairs_before, locked, products, touched,
                   reference_type=reference_type, reference_id=reference_id)
    db.session.flush()


# --------------------------------------------------------------------------- counts


def count_differences(store_id, lines):
    """Lock the counted levels; return [(line, level, expected, product)] per line.

    `level` is the locked `StockLevel` (None when the product, or its lot, was
    never stocked in the store and the count is zero), `expected` its on_hand
    (0 without a level), `product` the line's Product. A line counting more
    than zero creates the lot it names and its (empty) stock level, so that
    the adjustment posted for the difference has a row to fill; a zero count
    creates nothing. 422 for unknown products/store, or a tracked product
    counted without a lot. Used by stock counts, which then post an
    adjustment per difference.
    """
    # a positive probe creates the lot and level a non-zero count will fill; a
    # zero count of something never stocked must create nothing
    probes = [Change(type="adjustment", product_id=line["product_id"], store_id=store_id,
                     quantity=Decimal("1") if line["counted_quantity"] > 0 else Decimal("-1"),
                     lot=line.get("lot"))
              for line in lines]
    products = _load_products({p.product_id for p in probes})
    _check_references(probes, products)
    for index, (probe, line) in enumerate(zip(probes, lines, strict=True)):
        product = products[probe.product_id]
        if product.track_lots and not line.get("lot"):
            raise ValidationFailed({"lines": {index: {"lot": [
                "This product tracks lots: count each lot."]}}})
    _resolve_lots(probes, products)
    locked = _lock_levels(probes)
    result = []
    for probe, line in zip(probes, lines, strict=True):
        level = locked[(probe.product_id, store_id)].get(probe.lot_key)  # None: never stocked
        expected = level.on_hand if level is not None else ZERO
        result.append((line, level, expected, products[probe.product_id]))
    return result
