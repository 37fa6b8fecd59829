"""Purchase orders: the only code that writes them, their receipts and returns.

Every public function that writes is `@atomic`. The life of an order:
draft (editable, lines replaceable) → `submit` → ordered → `receive` (partly:
partially_received; everything: received, `received_at`) — or `cancel` from
draft, ordered or partially_received (what was received stays received).
Goods come in as `purchase_receipt` movements at the line's `unit_cost`
(which updates the product's moving-average cost) carrying the supplier and
the order onto any lot they create, and go back as `purchase_return`
movements (at most received − returned per line, and per lot).

Receive, return and cancel lock the order row FOR UPDATE first (then the
stock rows, through the movements service), so concurrent receipts of one
line run one after the other and never receive more than ordered.
Store-scoped users get 403 for writes on other stores' orders and see only
their stores' orders.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from ..common.dates import within_days
from ..common.lookup import get_in_stores_or_404, get_or_404
from ..common.types import QTY_PLACES, utcnow
from ..common.uow import atomic
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..products.models import Product
from ..stock import queries as stock_queries
from ..stock import service as stock
from ..stock.documents import check_store_access
from ..stock.models import Lot
from ..stock.service import MAX_MONEY, Change
from ..stores.models import Store
from ..suppliers.models import Supplier
from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
    PurchaseReturnLine,
)

REFERENCE_TYPE = "purchase_order"
RECEIVABLE = ("ordered", "partially_received")
CANCELLABLE = ("draft", "ordered", "partially_received")


def quantity(value):
    return Decimal(value).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


def _actor(principal):
    """`created_by_id` / `created_by_api_key_id` of a row written for `principal`."""
    if principal is None:
        return {"created_by_id": None, "created_by_api_key_id": None}
    api_key = principal.api_key
    return {"created_by_id": principal.user_id,
            "created_by_api_key_id": api_key.id if api_key is not None else None}


def _movement_actor(principal):
    actor = _actor(principal)
    return {"user_id": actor["created_by_id"], "api_key_id": actor["created_by_api_key_id"]}


def _illegal(po, action):
    return Conflict(f"Purchase order {po.id} is {po.status}: it cannot be {action}.",
                    errors={"status": po.status})


# --------------------------------------------------------------------------- drafts


def _check_references(supplier_id, store_id, lines):
    """422 unless the supplier and store exist and are active and every line's product
    exists and is active, and no line's value leaves the money range. Reads only."""
    errors = {}
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        errors["supplier_id"] = [f"Unknown supplier {supplier_id}."]
    elif not supplier.active:
        errors["supplier_id"] = [f"Supplier {supplier_id} is inactive."]
    store = db.session.get(Store, store_id)
    if store is None:
        errors["store_id"] = [f"Unknown store {store_id}."]
    elif not store.active:
        errors["store_id"] = [f"Store {store_id} is inactive."]
    if lines is not None:
        ids = {line["product_id"] for line in lines}
        products = {p.id: p for p in
                    db.session.scalars(select(Product).where(Product.id.in_(ids)))}
        bad = {}
        for index, line in enumerate(lines):
            product = products.get(line["product_id"])
            if product is None:
                bad[index] = {"product_id": [f"Unknown product {line['product_id']}."]}
            elif not product.active:
                bad[index] = {"product_id": [f"Product {product.id} is inactive."]}
            elif line["quantity"] * line["unit_cost"] > MAX_MONEY:
                bad[index] = {"quantity": [f"quantity × unit_cost would exceed {MAX_MONEY}."]}
        if bad:
            errors["lines"] = bad
    if errors:
        raise ValidationFailed(errors)


def _new_lines(lines):
    return [PurchaseOrderLine(product_id=line["product_id"], quantity=quantity(line["quantity"]),
                              unit_cost=line["unit_cost"]) for line in lines]


@atomic
def create_purchase_order(data, principal=None):
    """A draft purchase order with its lines. Returns it. Writes the order and lines;
    nothing when it raises (403 store scope, 422 references)."""
    if principal is not None:
        check_store_access(principal, data["store_id"])
    _check_references(data["supplier_id"], data["store_id"], data["lines"])
    po = PurchaseOrder(supplier_id=data["supplier_id"], store_id=data["store_id"],
                       status="draft", expected_date=data.get("expected_date"),
                       notes=data.get("notes"), lines=_new_lines(data["lines"]),
                       **_actor(principal))
    db.session.add(po)
    db.session.flush()
    return po


def _lock(po_id, principal):
    """The order row, locked FOR UPDATE; 404 when unknown, 403 outside the user's stores."""
    po = db.session.scalars(
        select(PurchaseOrder).where(PurchaseOrder.id == po_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if po is None:
        raise NotFound("Purchase order not found.")
    if principal is not None:
        check_store_access(principal, po.store_id)
    return po


@atomic
def update_purchase_order(po_id, data, principal=None):
    """Edit a draft: supplier, store, expected date, notes; `lines` replaces them all.

    Returns the order. 409 naming the status unless it is a draft; 403 for a
    store outside the user's stores (old or new); 422 for bad references.
    Writes the order and its lines.
    """
    po = _lock(po_id, principal)
    if po.status != "draft":
        raise _illegal(po, "edited")
    supplier_id = data.get("supplier_id", po.supplier_id)
    store_id = data.get("store_id", po.store_id)
    if principal is not None:
        check_store_access(principal, store_id)
    _check_references(supplier_id, store_id, data.get("lines"))
    po.supplier_id, po.store_id = supplier_id, store_id
    for name in ("expected_date", "notes"):
        if name in data:
            setattr(po, name, data[name])
    if "lines" in data:
        po.lines = _new_lines(data["lines"])
    po.updated_at = utcnow()
    db.session.flush()
    return po


@atomic
def submit_purchase_order(po_id, principal=None):
    """draft → ordered (records `ordered_at`). Returns the order; 409 naming the status
    for anything but a draft. Writes the order."""
    po = _lock(po_id, principal)
    if po.status != "draft":
        raise _illegal(po, "submitted")
    po.status = "ordered"
    po.ordered_at = utcnow()
    db.session.flush()
    return po


@atomic
def cancel_purchase_order(po_id, principal=None):
    """Cancel from draft, ordered or partially_received (received goods stay).

    Returns the order; 409 naming the status when received or cancelled.
    Writes the order's status and `cancelled_at`.
    """
    po = _lock(po_id, principal)
    if po.status not in CANCELLABLE:
        raise _illegal(po, "cancelled")
    po.status = "cancelled"
    po.cancelled_at = utcnow()
    db.session.flush()
    return po


# --------------------------------------------------------------------------- receiving


def _lines_by_id(po, items):
    """{line_id: PurchaseOrderLine} of the order; 422 for line ids that are not its."""
    by_id = {line.id: line for line in po.lines}
    errors = {index: {"line_id": [f"Purchase order {po.id} has no line {item['line_id']}."]}
              for index, item in enumerate(items) if item["line_id"] not in by_id}
    if errors:
        raise ValidationFailed({"lines": errors})
    return by_id


@atomic
def receive(po_id, data, principal=None):
    """Book a delivery: a `purchase_receipt` movement per item at its line's unit cost.

    A line may appear more than once (several lots). Returns the order (with
    the new receipt as `last_receipt`). 409 naming the status unless ordered
    or partially received; 409 listing the lines when an item takes a line
    over its ordered quantity; 422 for other orders' lines and lot misuse.
    Writes the receipt, its lines, movements, lots, costs and the order.
    """
    po = _lock(po_id, principal)
    if po.status not in RECEIVABLE:
        raise _illegal(po, "received")
    items = data["lines"]
    by_id = _lines_by_id(po, items)
    wanted = defaultdict(Decimal)
    for item in items:
        wanted[item["line_id"]] += quantity(item["quantity"])
    over = [{"line_id": line_id, "product_id": by_id[line_id].product_id,
             "requested": str(quantity(qty)),
             "outstanding": str(by_id[line_id].outstanding_quantity)}
            for line_id, qty in wanted.items() if qty > by_id[line_id].outstanding_quantity]
    if over:
        raise Conflict("Cannot receive more than is outstanding.", errors={"lines": over})
    changes = [Change(type="purchase_receipt", product_id=by_id[item["line_id"]].product_id,
                      store_id=po.store_id, quantity=quantity(item["quantity"]),
                      lot=item.get("lot"), expiry_date=item.get("expiry_date"),
                      unit_cost=by_id[item["line_id"]].unit_cost, supplier_id=po.supplier_id,
                      purchase_order_id=po.id)
               for item in items]
    movements = stock.post_movements(changes, reference_type=REFERENCE_TYPE,
                                     reference_id=po.id, **_movement_actor(principal))
    now = utcnow()
    receipt = PurchaseReceipt(purchase_order_id=po.id, received_at=now, **_actor(principal))
    db.session.add(receipt)
    db.session.flush()
    for item, movement in zip(items, movements, strict=True):
        line = by_id[item["line_id"]]
        db.session.add(PurchaseReceiptLine(
            receipt_id=receipt.id, line_id=line.id, product_id=line.product_id,
            lot_id=movement.lot_id, quantity=movement.quantity, unit_cost=line.unit_cost,
            movement_id=movement.id))
    for line_id, qty in wanted.items():
        by_id[line_id].received_quantity = quantity(by_id[line_id].received_quantity + qty)
    if all(line.received_quantity == line.quantity for line in po.lines):
        po.status, po.received_at = "received", now
    else:
        po.status = "partially_received"
    po.updated_at = now
    db.session.flush()
    db.session.expire(po, ["movements", "receipts"])
    return po


def _returnable_per_lot(po):
    """{(line_id, lot_id): received − returned} of the order. One query each."""
    left = defaultdict(Decimal)
    received = db.session.execute(
        select(PurchaseReceiptLine.line_id, PurchaseReceiptLine.lot_id,
               func.sum(PurchaseReceiptLine.quantity))
        .join(PurchaseReceipt, PurchaseReceipt.id == PurchaseReceiptLine.receipt_id)
        .where(PurchaseReceipt.purchase_order_id == po.id)
        .group_by(PurchaseReceiptLine.line_id, PurchaseReceiptLine.lot_id))
    for line_id, lot_id, qty in received:
        left[(line_id, lot_id)] += Decimal(qty)
    returned = db.session.execute(
        select(PurchaseReturnLine.line_id, PurchaseReturnLine.lot_id,
               func.sum(PurchaseReturnLine.quantity))
        .join(PurchaseReturn, PurchaseReturn.id == PurchaseReturnLine.return_id)
        .where(PurchaseReturn.purchase_order_id == po.id)
        .group_by(PurchaseReturnLine.line_id, PurchaseReturnLine.lot_id))
    for line_id, lot_id, qty in returned:
        left[(line_id, lot_id)] -= Decimal(qty)
    return left


def _return_parts(po, items, by_id):
    """[(line, lot_id, quantity)] that send `items` back: a named lot must be one the
    line was received into (422); without a lot, the lots received last go first.
    409 listing the items that ask for more than received − returned."""
    left = _returnable_per_lot(po)
    lot_codes = {}
    named = {(by_id[i["line_id"]].product_id, i["lot"]) for i in items if i.get("lot")}
    if named:
        for lot in db.session.scalars(select(Lot).where(
                Lot.product_id.in_({p for p, _ in named}), Lot.code.in_({c for _, c in named}))):
            lot_codes[(lot.product_id, lot.code)] = lot.id
    parts, over, errors = [], [], {}
    for index, item in enumerate(items):
        line = by_id[item["line_id"]]
        qty = quantity(item["quantity"])
        if item.get("lot"):
            lot_id = lot_codes.get((line.product_id, item["lot"]))
            if lot_id is None or (line.id, lot_id) not in left:
                errors[index] = {"lot": [f"Line {line.id} was not received into lot "
                                         f"{item['lot']}."]}
                continue
            keys = [(line.id, lot_id)]
        else:
            keys = sorted((k for k in left if k[0] == line.id),
                          key=lambda k: -(k[1] or 0))
        available = sum((left[k] for k in keys), Decimal("0"))
        if qty > available:
            over.append({"line_id": line.id, "product_id": line.product_id,
                         "lot": item.get("lot"), "requested": str(qty),
                         "returnable": str(quantity(available))})
            continue
        for key in keys:
            part = min(qty, left[key])
            if part <= 0:
                continue
            left[key] -= part
            parts.append((line, key[1], quantity(part)))
            qty -= part
            if qty == 0:
                break
    if errors:
        raise ValidationFailed({"lines": errors})
    if over:
        raise Conflict("Cannot return more than was received less earlier returns.",
                       errors={"lines": over})
    return parts


@atomic
def return_to_supplier(po_id, data, principal=None):
    """Send goods back: a `purchase_return` movement per (line, lot) part.

    Returns the PurchaseReturn. 409 when an item asks for more than received −
    returned (per lot when a lot is named) or stock is short; 422 for other
    orders' lines or lots the line was not received into. Writes the return,
    its lines, movements and the lines' `returned_quantity`.
    """
    po = _lock(po_id, principal)
    items = data["lines"]
    by_id = _lines_by_id(po, items)
    parts = _return_parts(po, items, by_id)
    changes = [Change(type="purchase_return", product_id=line.product_id, store_id=po.store_id,
                      quantity=-qty, lot_id=lot_id) for line, lot_id, qty in parts]
    movements = stock.post_movements(changes, reference_type=REFERENCE_TYPE,
                                     reference_id=po.id, reason=data.get("reason"),
                                     **_movement_actor(principal))
    record = PurchaseReturn(purchase_order_id=po.id, reason=data.get("reason"),
                            created_at=utcnow(), **_actor(principal))
    db.session.add(record)
    db.session.flush()
    for (line, lot_id, qty), movement in zip(parts, movements, strict=True):
        line.returned_quantity = quantity(line.returned_quantity + qty)
        db.session.add(PurchaseReturnLine(
            return_id=record.id, line_id=line.id, product_id=line.product_id, lot_id=lot_id,
            quantity=qty, unit_cost=line.unit_cost, movement_id=movement.id))
    po.updated_at = utcnow()
    db.session.flush()
    db.session.expire(po, ["movements", "returns"])
    record.movements = movements
    return record


# --------------------------------------------------------------------------- reading




def purchase_orders_select(args, principal=None):
    """The orders matching `args`, newest first; a store-scoped user sees only its stores."""
    stmt = select(PurchaseOrder)
    for name in ("supplier_id", "store_id", "status"):
        if args.get(name):
            stmt = stmt.where(getattr(PurchaseOrder, name) == args[name])
    stmt = stmt.where(*within_days(PurchaseOrder.created_at, args.get("date_from"),
                                   args.get("date_to")))
    if principal is not None and principal.store_ids:
        stmt = stmt.where(PurchaseOrder.store_id.in_(principal.store_ids))
    return stmt.order_by(PurchaseOrder.id.desc())


def supplier_purchase_orders_select(supplier_id, args, principal=None):
    """A supplier's purchase orders (404 for an unknown supplier), newest first."""
    get_or_404(Supplier, supplier_id)
    return purchase_orders_select({**args, "supplier_id": supplier_id}, principal)


def get_purchase_order(po_id, principal=None):
    """The order; 404 when unknown or in a store outside the user's stores."""
    return get_in_stores_or_404(PurchaseOrder, po_id, principal)


# --------------------------------------------------------------------------- lot trace


def _trace_details(ids):
    """{purchase order id: {supplier_id, supplier, status}} for the lot trace."""
    rows = db.session.execute(
        select(PurchaseOrder.id, PurchaseOrder.supplier_id, Supplier.name, PurchaseOrder.status)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(PurchaseOrder.id.in_(ids)))
    return {po_id: {"supplier_id": supplier_id, "supplier": name, "status": status}
            for po_id, supplier_id, name, status in rows}


stock_queries.register_reference_details(REFERENCE_TYPE, _trace_details)
