"""Sales: the only code that writes sales, their lines, returns and numbers.

Every public function is `@atomic` (one unit of work, or part of the caller's).
`create_sale` applies the rules in this order:

1. Scope. A store-scoped user selling in another store: 403.
2. References. The store must exist and be active, every product must exist
   and be active (422 naming the field); a named client must exist (422).
   A `credit` sale, and any sale with an unpaid part, needs `client_id` (422).
3. Totals, in `Decimal` with ROUND_HALF_UP (`compute_totals`): each line's
   gross is `round(quantity × unit_price, 2)`; its `discount` (money off the
   line) may not exceed the gross (422); `line_total = gross − discount`;
   `subtotal = Σ gross`; `discount_total = Σ discount`; `total = subtotal −
   discount_total`. `amount_paid` defaults to the total (credit: 0) and may
   not exceed it (422); `balance_due = total − paid`.
4. Locks, in the global order: the client row (`debts.lock_client`), then the
   stock rows (the movements service), then the sale counter row. The counter
   is taken last so that it is held only for the end of the transaction.
5. Debt. The unpaid part becomes the client's debt (`debts.open_debt`, credit
   limit checked: 409 naming limit and balance), before any stock is touched.
6. Stock. One `sale` movement per line (a lot-tracked line may split across
   lots, FEFO); any short line: 409 listing every short line.
7. Number. `S-000001`, ... from the `document_counters` row locked FOR UPDATE:
   unique, gapless and increasing in commit order.

Cancel and return lock the sale row first (then client, then stock), so two
of them on one sale run one after the other. Returns bring goods back into the
lots they left from (the last lot taken comes back first), as `sale_return`
movements posted without a cost of their own, so the moving-average cost is not
changed (the ledger records the product's current cost on them). The
value of a return is the line's `line_total` pro rata: after returning R of a
line's quantity Q in total, `round(line_total × R / Q, 2)` has been returned,
so the returns of a whole line add up to its `line_total` exactly.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, literal, select
from sqlalchemy.orm.attributes import set_committed_value

from ..clients.insights import register_purchases
from ..clients.models import Client
from ..clients.service import register_filter, register_sort
from ..common import counters
from ..common.dates import within_days
from ..common.lookup import get_in_stores_or_404, get_or_404
from ..common.rows import insert_new
from ..common.types import MONEY_PLACES, QTY_PLACES, UTCDateTime, utcnow
from ..common.uow import atomic
from ..debts import service as debts
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..products.models import Product
from ..stock import service as stock
from ..stock.documents import check_store_access
from ..stock.queries import columns_details, register_reference_details
from ..stock.service import MAX_MONEY, Change
from .models import Sale, SaleLine, SaleLineLot, SaleReturn, SaleReturnLine

ZERO = Decimal("0.00")
ZERO_QTY = Decimal("0.000")
NUMBER_PREFIX = "S-"
FREQUENT_DAYS = 90
FREQUENT_SALES = 3
# `last_purchase_at` of a client who never bought: sorts after everyone on every database
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def money(value):
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


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


# --------------------------------------------------------------------------- totals


def compute_totals(lines):
    """The contract's totals for `lines` (dicts with quantity, unit_price, discount).

    Returns `(line_totals, subtotal, discount_total, total)`. Raises
    ValidationFailed (422, per line) when a discount exceeds its line's gross
    or an amount leaves the money column's range. Writes nothing.
    """
    errors = {}
    line_totals = []
    subtotal = discount_total = ZERO
    for index, line in enumerate(lines):
        gross = money(line["quantity"] * line["unit_price"])
        discount = money(line.get("discount") or ZERO)
        if gross > MAX_MONEY:
            errors[index] = {"quantity": [f"quantity × unit_price would exceed {MAX_MONEY}."]}
        elif discount > gross:
            errors[index] = {"discount": [
                f"Must not exceed the line's quantity × unit_price ({gross})."]}
        line_totals.append(gross - discount)
        subtotal += gross
        discount_total += discount
    if errors:
        raise ValidationFailed({"lines": errors})
    if subtotal > MAX_MONEY:
        raise ValidationFailed({"lines": [f"The subtotal would exceed {MAX_MONEY}."]})
    return line_totals, money(subtotal), money(discount_total), money(subtotal - discount_total)


_SALES = Sale.__table__


# --------------------------------------------------------------------------- create


def _check_references(store_id, lines):
    """422 unless the store exists and is active and every product exists and is
    active; returns {product_id: Product}. Reads only."""
    errors = {}
    stores, products = stock.load_documents_rows([store_id], (line["product_id"] for line in lines))
    store = stores.get(store_id)
    if store is None:
        errors["store_id"] = [f"Unknown store {store_id}."]
    elif not store.active:
        errors["store_id"] = [f"Store {store_id} is inactive."]
    bad = {}
    for index, line in enumerate(lines):
        product = products.get(line["product_id"])
        if product is None:
            bad[index] = {"product_id": [f"Unknown product {line['product_id']}."]}
        elif not product.active:
            bad[index] = {"product_id": [f"Product {product.id} is inactive."]}
    if bad:
        errors["lines"] = bad
    if errors:
        raise ValidationFailed(errors)
    return products


def _record_lots(lines, movements):
    """Write a SaleLineLot for each lot a tracked line left from. `movements` are
    those `post_movements` returned for one change per line, in line order.
    Returns {line id: [SaleLineLot]}."""
    position = 0
    lots = {}
    for line in lines:
        remaining = line.quantity
        lots[line.id] = []
        while remaining > 0:
            movement = movements[position]
            position += 1
            remaining += movement.quantity  # negative: stock left
            if movement.lot_id is not None:
                lot = SaleLineLot(sale_line_id=line.id, lot_id=movement.lot_id,
                                  quantity=-movement.quantity)
                db.session.add(lot)
                lots[line.id].append(lot)
    return lots


@atomic
def create_sale(data, principal=None):
    """Sell: lines, totals, a `sale` movement per line and a debt for the unpaid part.

    Returns the Sale (with `movements` loaded). Writes the sale, its lines (and
    their lots), movements, the debt and the counter; nothing when it raises
    (403 scope, 422 input, 409 short stock or credit limit).
    """
    store_id = data["store_id"]
    if principal is not None:
        check_store_access(principal, store_id)
    products = _check_references(store_id, data["lines"])
    lines = [{**line, "quantity": quantity(line["quantity"]),
              "unit_price": money(line["unit_price"] if line.get("unit_price") is not None
                                  else products[line["product_id"]].price),
              "discount": money(line.get("discount") or ZERO)}
             for line in data["lines"]]
    line_totals, subtotal, discount_total, total = compute_totals(lines)
    method = data["payment_method"]
    client_id = data.get("client_id")
    amount_paid = data.get("amount_paid")
    if amount_paid is None:
        amount_paid = ZERO if method == "credit" else total
    paid = money(amount_paid)
    if paid > total:
        raise ValidationFailed({"amount_paid": [f"Must not exceed the total ({total})."]})
    due = total - paid
    if client_id is None and method == "credit":
        raise ValidationFailed({"client_id": ["A credit sale needs a client."]})
    if client_id is None and due > 0:
        raise ValidationFailed({"client_id": [
            f"The unpaid part ({due}) becomes a debt: name the client."]})
    if client_id is not None:
        debts.lock_client(client_id)  # 422 when unknown; first in the global lock order
    sale = Sale(store_id=store_id, client_id=client_id, payment_method=method,
                subtotal=subtotal, discount_total=discount_total, total=total, paid=paid,
                returned_total=ZERO, refunded=ZERO, status="completed",
                notes=data.get("notes"), created_at=utcnow(), **_actor(principal))
    insert_new([sale])
    sale_lines = [SaleLine(sale_id=sale.id, product_id=line["product_id"],
                           quantity=line["quantity"], unit_price=line["unit_price"],
                           discount=line["discount"], line_total=line_total,
                           returned_quantity=ZERO_QTY)
                  for line, line_total in zip(lines, line_totals, strict=True)]
    insert_new(sale_lines)
    if due > 0:
        debts.open_debt(client_id, due, source_type="sale", source_id=sale.id,
                        user_id=principal.user_id if principal is not None else None,
                        check_limit=True)
    movements = stock.post_movements(
        [Change(type="sale", product_id=line.product_id, store_id=store_id,
                quantity=-line.quantity) for line in sale_lines],
        reference_type="sale", reference_id=sale.id, **_movement_actor(principal))
    line_lots = _record_lots(sale_lines, movements)
    number = counters.bump_into(db.session.connection(), Sale.__tablename__, _SALES, "number",
                                sale.id, NUMBER_PREFIX)
    set_committed_value(sale, "number", number)
    db.session.flush()  # the lots, the debt
    # the response shows what was just written: no need to read it back
    set_committed_value(sale, "lines", sale_lines)
    for line in sale_lines:
        set_committed_value(line, "lots", line_lots[line.id])
    set_committed_value(sale, "movements", sorted(movements, key=lambda m: m.id))
    set_committed_value(sale, "returns", [])
    return sale


# --------------------------------------------------------------------------- cancel, returns


def _lock_sale(sale_id, principal):
    """The sale row, locked FOR UPDATE; 404 when unknown, 403 outside the user's stores."""
    sale = db.session.scalars(
        select(Sale).where(Sale.id == sale_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if sale is None:
        raise NotFound("Sale not found.")
    if principal is not None:
        check_store_access(principal, sale.store_id)
    return sale


def _restock(line, wanted):
    """Changes bringing `wanted` of `line` back, into the lots it left from (the
    last lot taken first); updates the SaleLineLots' returned quantities."""
    if not line.lots:
        return [Change(type="sale_return", product_id=line.product_id,
                       store_id=line.sale.store_id, quantity=wanted)]
    changes = []
    for lot in reversed(line.lots):
        part = min(wanted, lot.quantity - lot.returned_quantity)
        if part <= 0:
            continue
        lot.returned_quantity = quantity(lot.returned_quantity + part)
        changes.append(Change(type="sale_return", product_id=line.product_id,
                              store_id=line.sale.store_id, quantity=part, lot_id=lot.lot_id))
        wanted -= part
        if wanted == 0:
            break
    return changes


def _returned_value(line, returned_quantity):
    """The part of `line_total` that `returned_quantity` of the line is worth (pro rata)."""
    return money(line.line_total * returned_quantity / line.quantity)


def _illegal(sale, action):
    return Conflict(f"Sale {sale.number} is {sale.status}: it cannot be {action}.",
                    errors={"status": sale.status})


@atomic
def cancel_sale(sale_id, principal=None):
    """Cancel a completed sale: restock every line (`sale_return` movements) and void
    its debt. Returns the Sale (`refunded` = what the client had paid for it).

    409 when it is not `completed` (cancelled or (partly) returned). Writes the
    movements, the debt's void, the sale's status.
    """
    sale = _lock_sale(sale_id, principal)
    if sale.status != "completed":
        raise _illegal(sale, "cancelled")
    if sale.client_id is not None:
        debts.lock_client(sale.client_id)
    changes = []
    for line in sale.lines:
        changes.extend(_restock(line, line.quantity - line.returned_quantity))
    stock.post_movements(changes, reference_type="sale", reference_id=sale.id,
                         **_movement_actor(principal))
    voided = debts.void_for("sale", sale.id) if sale.client_id is not None else ZERO
    sale.refunded = money(sale.total - voided)
    sale.status = "cancelled"
    db.session.flush()
    db.session.expire(sale, ["movements"])
    return sale


def _check_return_lines(sale, lines):
    """422 for unknown or repeated `sale_line_id`s, 409 for more than returnable.

    Returns [(SaleLine, quantity)] in request order. Reads only.
    """
    by_id = {line.id: line for line in sale.lines}
    errors, seen = {}, set()
    for index, item in enumerate(lines):
        if item["sale_line_id"] not in by_id:
            errors[index] = {"sale_line_id": [
                f"Sale {sale.id} has no line {item['sale_line_id']}."]}
        elif item["sale_line_id"] in seen:
            errors[index] = {"sale_line_id": ["Each sale line may appear only once."]}
        seen.add(item["sale_line_id"])
    if errors:
        raise ValidationFailed({"lines": errors})
    wanted = [(by_id[item["sale_line_id"]], quantity(item["quantity"])) for item in lines]
    over = [{"sale_line_id": line.id, "product_id": line.product_id,
             "requested": str(qty), "returnable": str(line.quantity - line.returned_quantity)}
            for line, qty in wanted if qty > line.quantity - line.returned_quantity]
    if over:
        raise Conflict("Cannot return more than was sold less earlier returns.",
                       errors={"lines": over})
    return wanted


@atomic
def return_items(sale_id, data, principal=None):
    """Take goods back: `sale_return` movements, a credit against the sale's open debt
    first, the rest refunded. Returns the SaleReturn (with `movements` set).

    409 on a cancelled or fully returned sale, or returning more than sold less
    earlier returns; 422 for lines that are not the sale's. Writes the return,
    its lines, movements, the debt's credit, the sale's amounts and status.
    """
    sale = _lock_sale(sale_id, principal)
    if sale.status in ("cancelled", "returned"):
        raise _illegal(sale, "returned")
    wanted = _check_return_lines(sale, data["lines"])
    if sale.client_id is not None:
        debts.lock_client(sale.client_id)
    sale_return = SaleReturn(sale_id=sale.id, reason=data.get("reason"), value=ZERO,
                             credited=ZERO, refund=ZERO, created_at=utcnow(),
                             **_actor(principal))
    db.session.add(sale_return)
    db.session.flush()
    changes, value = [], ZERO
    for line, qty in wanted:
        before = line.returned_quantity
        after = quantity(before + qty)
        line_value = _returned_value(line, after) - _returned_value(line, before)
        changes.extend(_restock(line, qty))
        line.returned_quantity = after
        value += line_value
        db.session.add(SaleReturnLine(return_id=sale_return.id, sale_line_id=line.id,
                                      product_id=line.product_id, quantity=qty,
                                      value=line_value))
    movements = stock.post_movements(changes, reference_type="sale", reference_id=sale.id,
                                     **_movement_actor(principal))
    value = money(value)
    refund = debts.credit("sale", sale.id, value) if sale.client_id is not None else value
    sale_return.value = value
    sale_return.credited = money(value - refund)
    sale_return.refund = refund
    sale.returned_total = money(sale.returned_total + value)
    sale.refunded = money(sale.refunded + refund)
    everything_back = all(line.returned_quantity == line.quantity for line in sale.lines)
    sale.status = "returned" if everything_back else "partially_returned"
    db.session.flush()
    db.session.expire(sale, ["movements", "returns"])
    sale_return.movements = movements
    return sale_return


# --------------------------------------------------------------------------- reading




def sales_select(args, principal=None):
    """The sales matching `args`, newest first; a store-scoped user sees only its stores."""
    stmt = select(Sale)
    for name in ("client_id", "store_id", "status", "payment_method"):
        if args.get(name):
            stmt = stmt.where(getattr(Sale, name) == args[name])
    if args.get("created_by"):
        stmt = stmt.where(Sale.created_by_id == args["created_by"])
    stmt = stmt.where(*within_days(Sale.created_at, args.get("date_from"), args.get("date_to")))
    if principal is not None and principal.store_ids:
        stmt = stmt.where(Sale.store_id.in_(principal.store_ids))
    return stmt.order_by(Sale.id.desc())


def client_sales_select(client_id, args, principal=None):
    """A client's purchase history (404 for an unknown client), newest first."""
    get_or_404(Client, client_id)
    return sales_select({**args, "client_id": client_id}, principal)


def get_sale(sale_id, principal=None):
    """The sale; 404 when unknown or in a store outside the user's stores."""
    return get_in_stores_or_404(Sale, sale_id, principal)


# --------------------------------------------------------------------------- client lists


def _counted_sales():
    """Conditions on Sale for the sales that count for a client's history (not cancelled)."""
    return (Sale.client_id == Client.id, Sale.status != "cancelled")


def _total_spent():
    """Per client: Σ (total − returned_total) of its sales that were not cancelled."""
    return (select(func.coalesce(func.sum(Sale.total - Sale.returned_total), 0))
            .where(*_counted_sales()).correlate(Client).scalar_subquery())


def _last_purchase_at():
    """Per client: its latest sale that was not cancelled (NEVER when none)."""
    latest = (select(func.max(Sale.created_at)).where(*_counted_sales())
              .correlate(Client).scalar_subquery())
    return func.coalesce(latest, literal(NEVER, UTCDateTime()))


def _frequent():
    """At least FREQUENT_SALES sales, not cancelled, in the last FREQUENT_DAYS days."""
    since = utcnow() - timedelta(days=FREQUENT_DAYS)
    recent = (select(func.count(Sale.id)).where(*_counted_sales(), Sale.created_at >= since)
              .correlate(Client).scalar_subquery())
    return recent >= FREQUENT_SALES


register_sort("total_spent", _total_spent)
register_sort("last_purchase_at", _last_purchase_at)
register_filter("frequent", _frequent)

# the client insights (clients/insights.py) read a client's purchases through these


def _purchases_of(client_id):
    """A client's sales that count as purchases: every status except `cancelled`."""
    return (Sale.client_id == client_id, Sale.status != "cancelled")


def _insight_purchases(client_id):
    """One row per purchase: `purchased_at`, `amount` (total − returned_total)."""
    return (select(Sale.created_at.label("purchased_at"),
                   (Sale.total - Sale.returned_total).label("amount"))
            .where(*_purchases_of(client_id)))


def _insight_products(client_id):
    """One row per line of those purchases, net of returns: product, name, quantity, amount."""
    returned = (select(func.coalesce(func.sum(SaleReturnLine.value), 0))
                .where(SaleReturnLine.sale_line_id == SaleLine.id)
                .correlate(SaleLine).scalar_subquery())
    return (select(SaleLine.product_id, Product.name,
                   (SaleLine.quantity - SaleLine.returned_quantity).label("quantity"),
                   (SaleLine.line_total - returned).label("amount"))
            .join(Sale, Sale.id == SaleLine.sale_id)
            .join(Product, Product.id == SaleLine.product_id)
            .where(*_purchases_of(client_id)))


register_purchases(_insight_purchases, _insight_products)


# the lot trace shows the sale a lot went to
register_reference_details("sale", columns_details(Sale.id, number=Sale.number,
                                                   client_id=Sale.client_id))
