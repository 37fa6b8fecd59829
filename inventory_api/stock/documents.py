"""Stock documents: manual movements, transfers, counts, store minimums.

Each public function is `@atomic`: it checks store permissions and
references, then calls the movements service (`stock.service`). Called on
its own it is one unit of work and commits; inside an outer unit of work
(`@unit_of_work` around an HTTP request, or another service) it only
flushes and the outer scope commits.
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from ..common.rows import insert_new
from ..common.uow import atomic
from ..errors import Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..products.models import Product
from ..stores.models import Store
from . import service
from .models import StockCount, StockCountLine, StockMinimum, Transfer, TransferLine
from .service import Change


def check_store_access(principal, *store_ids):
    """403 when a store-scoped manager/employee acts on a store outside their list."""
    outside = sorted({s for s in store_ids if not principal.may_use_store(s)})
    if outside:
        raise Forbidden(f"You may not operate on store(s) {outside}.")


def _actor(principal):
    """Who acts, as the keyword arguments `user_id` and `api_key_id` (None when unknown)."""
    if principal is None:
        return {"user_id": None, "api_key_id": None}
    api_key = principal.api_key
    return {"user_id": principal.user_id,
            "api_key_id": api_key.id if api_key is not None else None}


def _document_actor(principal):
    """`_actor` as the `created_by_id`/`created_by_api_key_id` of a document row."""
    actor = _actor(principal)
    return {"created_by_id": actor["user_id"], "created_by_api_key_id": actor["api_key_id"]}


def _check_document_references(stores, lines):
    """422 before a document is written: `stores` maps a field name to a store id
    that must exist and be active; every line's `product_id` must exist.

    The errors name the field (`{"from_store_id": [...]}`,
    `{"lines": {0: {"product_id": [...]}}}`). Reads only.
    """
    errors = {}
    found, products = service.load_documents_rows(
        stores.values(), (line["product_id"] for line in lines))
    for field, store_id in stores.items():
        store = found.get(store_id)
        if store is None:
            errors[field] = [f"Unknown store {store_id}."]
        elif not store.active:
            errors[field] = [f"Store {store_id} is inactive."]
    bad_lines = {index: {"product_id": [f"Unknown product {line['product_id']}."]}
                 for index, line in enumerate(lines) if line["product_id"] not in products}
    if bad_lines:
        errors["lines"] = bad_lines
    if errors:
        raise ValidationFailed(errors)


@atomic
def post_manual_movement(data, principal=None):
    """A receipt, issue or adjustment entered by a person. Returns the movements."""
    if principal is not None:
        check_store_access(principal, data["store_id"])
    kind = data["type"]
    quantity = data["quantity"]
    if kind == "issue":
        quantity = -quantity
    receipt = kind == "receipt"
    change = Change(type=kind, product_id=data["product_id"], store_id=data["store_id"],
                    quantity=quantity, lot=data.get("lot"), expiry_date=data.get("expiry_date"),
                    unit_cost=data.get("unit_cost") if receipt else None,
                    supplier_id=data.get("supplier_id") if receipt else None)
    movements = service.post_movements([change], reason=data.get("reason"), **_actor(principal))
    return movements


@atomic
def create_transfer(data, principal=None):
    """Move stock between stores: all lines or none; a transfer_out and transfer_in per lot.

    Writes the transfer, its lines and movements; returns the Transfer.
    """
    source, target = data["from_store_id"], data["to_store_id"]
    if source == target:
        raise ValidationFailed({"to_store_id": ["Must differ from from_store_id."]})
    if principal is not None:
        check_store_access(principal, source, target)
    _check_document_references({"from_store_id": source, "to_store_id": target}, data["lines"])
    transfer = Transfer(from_store_id=source, to_store_id=target, notes=data.get("notes"),
                        **_document_actor(principal))
    insert_new([transfer])
    outs = [Change(type="transfer_out", product_id=line["product_id"], store_id=source,
                   quantity=-line["quantity"], lot=line.get("lot")) for line in data["lines"]]
    # lock both sides first, in the global order, so that opposite transfers can't deadlock
    service.lock_pairs([(line["product_id"], store) for line in data["lines"]
                        for store in (source, target)])
    with service.deferred_writes():  # out and in cancel out; alerts of both stores at once
        out_movements = service.post_movements(
            outs, reference_type="transfer", reference_id=transfer.id, **_actor(principal))
        ins = [Change(type="transfer_in", product_id=m.product_id, store_id=target,
                      quantity=-m.quantity, lot_id=m.lot_id) for m in out_movements]
        in_movements = service.post_movements(
            ins, reference_type="transfer", reference_id=transfer.id, **_actor(principal))
    lines = [TransferLine(transfer_id=transfer.id, product_id=movement.product_id,
                          lot_id=movement.lot_id, quantity=-movement.quantity)
             for movement in out_movements]
    insert_new(lines)
    # the response shows what was just written: no need to read it back
    set_committed_value(transfer, "lines", lines)
    set_committed_value(transfer, "movements",
                        sorted(out_movements + in_movements, key=lambda m: m.id))
    return transfer


@atomic
def create_stock_count(data, principal=None):
    """Record counted quantities; post an adjustment for each difference.

    Writes the count, its lines, their adjustments (and the lots/levels a
    non-zero count of something new needs); returns the StockCount.
    """
    store_id = data["store_id"]
    if principal is not None:
        check_store_access(principal, store_id)
    keys = [(line["product_id"], line.get("lot")) for line in data["lines"]]
    if len(set(keys)) != len(keys):
        raise ValidationFailed({"lines": ["Each product (and lot) may appear only once."]})
    _check_document_references({"store_id": store_id}, data["lines"])
    count = StockCount(store_id=store_id, notes=data.get("notes"), **_document_actor(principal))
    db.session.add(count)
    db.session.flush()
    counted = service.count_differences(store_id, data["lines"])
    changes, lines = [], []
    for line, level, expected, _product in counted:
        difference = line["counted_quantity"] - expected
        count_line = StockCountLine(
            count_id=count.id, product_id=line["product_id"],
            lot_id=level.lot_id if level is not None else None,
            expected_quantity=expected, counted_quantity=line["counted_quantity"],
            difference=difference)
        lines.append(count_line)
        if difference != 0:
            changes.append((count_line, Change(
                type="adjustment", product_id=line["product_id"], store_id=store_id,
                quantity=difference, lot_id=level.lot_id if level is not None else None)))
    movements = service.post_movements(
        [change for _, change in changes], reference_type="count", reference_id=count.id,
        reason="stock count", **_actor(principal))
    for (count_line, _), movement in zip(changes, movements, strict=True):
        count_line.movement_id = movement.id
    db.session.add_all(lines)
    return count


@atomic
def set_min_stock(store_id, product_id, min_stock, principal=None):
    """Set (or, with None, remove) a store's override of a product's minimum.

    Returns the effective minimum afterwards. Changing a minimum writes no
    low-stock event: events mark movements that cross it.
    """
    if db.session.get(Store, store_id) is None:
        raise NotFound("Store not found.")
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound("Product not found.")
    if principal is not None:
        check_store_access(principal, store_id)
    row = db.session.scalar(select(StockMinimum).where(
        StockMinimum.store_id == store_id, StockMinimum.product_id == product_id))
    if min_stock is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(StockMinimum(store_id=store_id, product_id=product_id,
                                    min_stock=Decimal(min_stock)))
    else:
        row.min_stock = Decimal(min_stock)
    db.session.flush()
    return product.min_stock if min_stock is None else Decimal(min_stock)
