"""Customer orders: the rules of their life cycle.

    pending ──confirm──▶ confirmed ──ship──▶ shipped ──deliver──▶ delivered
       │                    │
       └──cancel──▶ cancelled ◀──cancel (manager+)

1. Create. A customer orders for its own client (naming another `client_id`
   is 403); staff name the client. The store is `store_id`, else the default
   store (`default_store_id`). Products and store must exist and be active
   (422). Each line costs the product's price at that moment. The stock is
   *reserved* (`stock.service.reserve`: `available` drops, `on_hand` does
   not); 409 lists every short line.
2. Confirm (employee+, pending only). The reservation becomes `order`
   movements (`post_movements(..., from_reserved=True)` naming each held
   lot), and the total less `amount_paid` becomes the client's debt
   (`debts.open_debt(..., check_limit=False)`: confirming is the staff's
   decision, the credit limit is not checked).
3. Ship, deliver (employee+): confirmed → shipped → delivered, status only.
4. Cancel. The owner while pending; manager+ while pending or confirmed.
   Pending: the reservation is released. Confirmed: what left comes back
   (`order_return` movements, at the cost it left with) and what is still
   open of the debt is voided (`debts.void_for`).
5. Every transition not in the diagram is 409 naming the current status.
   Each one (creation too) appends a row to the status history: from, to,
   who (user or API key), when, and an optional note.
6. Lock order (global, see debts.service): the client row first (when a debt
   may change), then the order row, then stock rows. A transition locks the
   order row and re-reads its status, so two concurrent transitions of one
   order cannot both pass.

Every public function is `@atomic`: it flushes inside an outer unit of work
and commits only when it is the outermost scope (e.g. the CLI's expiry).
"""

import os
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from ..clients.models import Client
from ..common.dates import within_days
from ..common.lookup import get_or_404
from ..common.types import MONEY_PLACES, QTY_PLACES
from ..common.uow import atomic
from ..debts import service as debts
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..products.models import Product
from ..stock import service as stock
from ..stock.documents import check_store_access
from ..stock.queries import columns_details, register_reference_details
from ..stock.service import MAX_MONEY, Change
from ..stores.models import Store
from .models import Order, OrderLine, OrderReservation, OrderStatusChange

REFERENCE = "order"
DEFAULT_STORE_SETTING = "DEFAULT_ORDER_STORE_ID"
EXPIRY_SETTING = "ORDER_EXPIRY_HOURS"
DEFAULT_EXPIRY_HOURS = 72
EXPIRED_NOTE = "expired"

# which statuses each action may start from (owner: a customer cancelling its own order)
ALLOWED_FROM = {
    "confirm": ("pending",),
    "ship": ("confirmed",),
    "deliver": ("shipped",),
    "cancel": ("pending", "confirmed"),
    "cancel_own": ("pending",),
}
TARGET = {"confirm": "confirmed", "ship": "shipped", "deliver": "delivered",
          "cancel": "cancelled", "cancel_own": "cancelled"}


class IllegalTransition(Conflict):
    """409: the order's current status does not allow the action."""

    def __init__(self, order, action):
        allowed = " or ".join(ALLOWED_FROM[action])
        verb = "cancel" if action == "cancel_own" else action
        who = "you may " if action == "cancel_own" else ""
        super().__init__(
            f"Order {order.id} is {order.status}: {who}{verb} only an order that is {allowed}.",
            errors={"status": order.status, "allowed_from": list(ALLOWED_FROM[action])})


def _money(value):
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def _qty(value):
    return Decimal(value).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


def _now():
    return datetime.now(UTC)


def _setting(name, default=None):
    """A setting from the app config, else the environment, else `default`."""
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def _actor(principal):
    if principal is None:
        return None, None
    api_key = principal.api_key
    return principal.user_id, (api_key.id if api_key is not None else None)


# --------------------------------------------------------------------------- reading


def default_store_id():
    """The store of an order that names none: setting `DEFAULT_ORDER_STORE_ID`
    (config, else environment), else the active store with the lowest id.

    422 `{"store_id": [...]}` when the setting is not an id or no store is active.
    Reads only.
    """
    configured = _setting(DEFAULT_STORE_SETTING)
    if configured is not None:
        try:
            return int(configured)
        except (TypeError, ValueError):
            raise ValidationFailed({"store_id": [
                f"The default order store ({DEFAULT_STORE_SETTING}) is not a store id; "
                "name store_id."]}) from None
    store_id = db.session.scalar(
        select(Store.id).where(Store.active.is_(True)).order_by(Store.id).limit(1))
    if store_id is None:
        raise ValidationFailed({"store_id": ["No active store can take the order."]})
    return store_id


def get_order(order_id, principal=None):
    """The order, or 404: a customer reads only its own orders, store-scoped staff
    only those of their stores (any other is 404, as if it did not exist)."""
    order = get_or_404(Order, order_id)
    if principal is not None:
        if principal.is_customer and order.client_id != principal.client_id:
            raise NotFound("Order not found.")
        if not principal.is_customer and not principal.may_use_store(order.store_id):
            raise NotFound("Order not found.")
    return order


def search_orders(args, principal=None):
    """The `select()` of orders matching the filters, newest first.

    A customer's list holds only its own orders (its `client_id` filter is
    ignored); store-scoped
    staff see their stores' orders only.
    """
    stmt = select(Order)
    names = ["status", "client_id", "store_id"]
    if principal is not None and principal.is_customer:
        stmt = stmt.where(Order.client_id == principal.client_id)
        names.remove("client_id")  # always their own: the filter is ignored
    elif principal is not None and principal.store_ids:
        stmt = stmt.where(Order.store_id.in_(principal.store_ids))
    for name in names:
        if args.get(name) is not None:
            stmt = stmt.where(getattr(Order, name) == args[name])
    stmt = stmt.where(*within_days(Order.created_at, args.get("date_from"), args.get("date_to")))
    return stmt.order_by(Order.id.desc())


# --------------------------------------------------------------------------- creating


def _order_client(data, principal):
    """The client the order is for: the customer's own, or the staff's `client_id`."""
    if principal is not None and principal.is_customer:
        own = principal.client_id
        if own is None:
            raise Forbidden("Your account has no client record to order for.")
        if data.get("client_id") is not None and data["client_id"] != own:
            raise Forbidden("Customers order only for themselves.")
        return own
    if data.get("client_id") is None:
        raise ValidationFailed({"client_id": ["Staff must name the client of the order."]})
    return data["client_id"]


def _check_references(client_id, store_id, lines):
    """422 naming every unknown/inactive store, client or product; returns the products."""
    errors = {}
    if db.session.get(Client, client_id) is None:
        errors["client_id"] = [f"Unknown client {client_id}."]
    store = db.session.get(Store, store_id)
    stock.hold([store] if store is not None else [])
    if store is None:
        errors["store_id"] = [f"Unknown store {store_id}."]
    elif not store.active:
        errors["store_id"] = [f"Store {store_id} is inactive."]
    product_ids = {line["product_id"] for line in lines}
    products = {p.id: p for p in stock.hold(db.session.scalars(
        select(Product).where(Product.id.in_(product_ids))).all())}
    bad_lines = {}
    seen = set()
    for index, line in enumerate(lines):
        product = products.get(line["product_id"])
        if product is None:
            bad_lines[index] = {"product_id": [f"Unknown product {line['product_id']}."]}
        elif not product.active:
            bad_lines[index] = {"product_id": [f"Product {product.id} is inactive."]}
        elif product.id in seen:
            bad_lines[index] = {"product_id": ["Each product may appear only once."]}
        else:
            line_total = _money(_qty(line["quantity"]) * product.price)
            if line_total > MAX_MONEY:
                bad_lines[index] = {"quantity": [
                    f"quantity × price would exceed {MAX_MONEY}."]}
        seen.add(line["product_id"])
    if bad_lines:
        errors["lines"] = bad_lines
    if errors:
        raise ValidationFailed(errors)
    return products


def _record(order, to_status, principal, note=None, from_status=None):
    user_id, api_key_id = _actor(principal)
    change = OrderStatusChange(order_id=order.id, from_status=from_status, to_status=to_status,
                               user_id=user_id, api_key_id=api_key_id, at=_now(), note=note)
    db.session.add(change)
    return change


@atomic
def create_order(data, principal=None):
    """Create a pending order and reserve its stock; returns the Order.

    Writes the order, its lines, its reservations (stock_levels.reserved and
    any low-stock event they cause) and the first status-history row. 403 for
    a customer naming another client or store-scoped staff outside their
    stores, 422 for unknown/inactive references, 409 on short stock.
    """
    client_id = _order_client(data, principal)
    store_id = data.get("store_id") or default_store_id()
    if principal is not None:
        check_store_access(principal, store_id)
    lines = data["lines"]
    products = _check_references(client_id, store_id, lines)
    user_id, api_key_id = _actor(principal)
    order_lines = []
    for line in lines:
        product = products[line["product_id"]]
        quantity = _qty(line["quantity"])
        order_lines.append(OrderLine(product_id=product.id, quantity=quantity,
                                     unit_price=product.price,
                                     line_total=_money(quantity * product.price)))
    total = _money(sum((line.line_total for line in order_lines), Decimal("0")))
    if total > MAX_MONEY:
        raise ValidationFailed({"lines": [f"The order's total would exceed {MAX_MONEY}."]})
    order = Order(client_id=client_id, store_id=store_id, status="pending",
                  notes=data.get("notes"), created_by_id=user_id,
                  created_by_api_key_id=api_key_id, total=total, paid=Decimal("0.00"))
    order.lines = order_lines  # inserted with the order, and known to it without a read
    db.session.add(order)
    db.session.flush()
    held = stock.reserve(
        [Change(type="order", product_id=line.product_id, store_id=store_id,
                quantity=line.quantity) for line in order_lines],
        user_id=user_id, reference_type=REFERENCE, reference_id=order.id)
    line_of = {line.product_id: line for line in order_lines}
    reservations = [OrderReservation(
        order_id=order.id, line_id=line_of[h["product_id"]].id, product_id=h["product_id"],
        store_id=h["store_id"], lot_id=h["lot_id"], quantity=h["quantity"]) for h in held]
    db.session.add_all(reservations)
    change = _record(order, "pending", principal)
    db.session.flush()
    # the response shows what was just written: no need to read it back
    set_committed_value(order, "reservations", reservations)
    set_committed_value(order, "status_history", [change])
    return order


# --------------------------------------------------------------------------- transitions


def _lock(order_id):
    """The order row, locked FOR UPDATE and re-read (its status is current)."""
    return db.session.scalars(
        select(Order).where(Order.id == order_id).with_for_update()
        .execution_options(populate_existing=True)).one()


def _for_staff(order_id, principal):
    """The order for a staff write: 404 if unknown, 403 outside the caller's stores."""
    order = get_or_404(Order, order_id)
    if principal is not None:
        check_store_access(principal, order.store_id)
    return order


def _advance(order, action, principal, note=None):
    """Check `action` is allowed from the (locked) order's status; set and record the new one."""
    if order.status not in ALLOWED_FROM[action]:
        raise IllegalTransition(order, action)
    previous, order.status = order.status, TARGET[action]
    _record(order, order.status, principal, note=note, from_status=previous)


def _held(order):
    return [{"product_id": r.product_id, "store_id": r.store_id, "lot_id": r.lot_id,
             "quantity": r.quantity} for r in order.reservations]


@atomic
def confirm_order(order_id, data=None, principal=None):
    """pending → confirmed: post the reservation as `order` movements and open the
    client's debt for `total - amount_paid`; returns the Order.

    422 when `amount_paid` exceeds the total; 409 unless pending. Writes
    movements, stock levels, the debt, `paid` and the status history.
    """
    data = data or {}
    order = _for_staff(order_id, principal)
    debts.lock_client(order.client_id)  # global lock order: client, order, stock
    order = _lock(order_id)
    if order.status not in ALLOWED_FROM["confirm"]:
        raise IllegalTransition(order, "confirm")
    paid = _money(data.get("amount_paid") or 0)
    if paid > order.total:
        raise ValidationFailed({"amount_paid": [
            f"Must be at most the order's total ({order.total})."]})
    user_id, api_key_id = _actor(principal)
    changes = [Change(type="order", product_id=h["product_id"], store_id=h["store_id"],
                      quantity=-h["quantity"], lot_id=h["lot_id"], from_reserved=True)
               for h in _held(order)]
    stock.post_movements(changes, reference_type=REFERENCE, reference_id=order.id,
                         user_id=user_id, api_key_id=api_key_id)
    order.paid = paid
    debts.open_debt(order.client_id, order.total - paid, source_type=REFERENCE,
                    source_id=order.id, user_id=user_id, check_limit=False)
    _advance(order, "confirm", principal, note=data.get("note"))
    db.session.flush()
    return order


@atomic
def ship_order(order_id, data=None, principal=None):
    """confirmed → shipped; returns the Order (409 from any other status)."""
    _for_staff(order_id, principal)
    order = _lock(order_id)
    _advance(order, "ship", principal, note=(data or {}).get("note"))
    db.session.flush()
    return order


@atomic
def deliver_order(order_id, data=None, principal=None):
    """shipped → delivered; returns the Order (409 from any other status)."""
    _for_staff(order_id, principal)
    order = _lock(order_id)
    _advance(order, "deliver", principal, note=(data or {}).get("note"))
    db.session.flush()
    return order


@atomic
def cancel_order(order_id, data=None, principal=None):
    """Cancel: release a pending order's reservation, or restock a confirmed one
    (`order_return` movements) and void what is open of its debt; returns the Order.

    The owner (a customer, permission `orders:cancel_own`) cancels only while
    pending; `orders:cancel` (manager+) while pending or confirmed. 404 for
    another customer's order, 403 outside the caller's stores, 409 otherwise.
    """
    note = (data or {}).get("note")
    manager = principal is None or principal.can("orders:cancel")
    if manager:
        order = _for_staff(order_id, principal)
        debts.lock_client(order.client_id)  # a confirmed order has a debt to void
    else:
        get_order(order_id, principal)
    order = _lock(order_id)
    action = "cancel" if manager else "cancel_own"
    if order.status not in ALLOWED_FROM[action]:
        raise IllegalTransition(order, action)
    if order.status == "pending":
        stock.release(_held(order), reference_type=REFERENCE, reference_id=order.id)
    else:
        _restock(order, principal)
        voided = debts.void_for(REFERENCE, order.id)
        if voided:
            note = f"{note}; " if note else ""
            note += f"debt voided: {voided}"
    _advance(order, action, principal, note=note)
    db.session.flush()
    return order


def _restock(order, principal):
    """Post an `order_return` for every `order` movement of the order (same lot and cost)."""
    from ..stock.models import Movement

    movements = db.session.scalars(select(Movement).where(
        Movement.reference_type == REFERENCE, Movement.reference_id == order.id,
        Movement.type == "order").order_by(Movement.id)).all()
    user_id, api_key_id = _actor(principal)
    changes = [Change(type="order_return", product_id=m.product_id, store_id=m.store_id,
                      quantity=-m.quantity, lot_id=m.lot_id, unit_cost=m.unit_cost)
               for m in movements]
    stock.post_movements(changes, reference_type=REFERENCE, reference_id=order.id,
                         user_id=user_id, api_key_id=api_key_id)


# --------------------------------------------------------------------------- expiry


def expiry_hours():
    """Hours after which a pending order expires: setting `ORDER_EXPIRY_HOURS` (72)."""
    value = _setting(EXPIRY_SETTING, DEFAULT_EXPIRY_HOURS)
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{EXPIRY_SETTING} must be a whole number of hours, not "
                         f"{value!r}.") from None
    if hours < 0:
        raise ValueError(f"{EXPIRY_SETTING} must not be negative.")
    return hours


def expirable_order_ids(older_than_hours, now=None):
    """Ids of pending orders created more than `older_than_hours` ago (oldest first)."""
    cutoff = (now or _now()) - timedelta(hours=older_than_hours)
    return db.session.scalars(
        select(Order.id).where(Order.status == "pending", Order.created_at < cutoff)
        .order_by(Order.id)).all()


@atomic
def expire_order(order_id):
    """Cancel a still-pending order as expired and release its reservation.

    Returns True when it did, False when the order is no longer pending (so a
    second run does nothing). Writes stock levels and the status history
    (note "expired", no user).
    """
    order = _lock(order_id)
    if order.status != "pending":
        return False
    stock.release(_held(order), reference_type=REFERENCE, reference_id=order.id)
    _advance(order, "cancel", None, note=EXPIRED_NOTE)
    db.session.flush()
    return True

# the lot trace shows the order (and client) a lot went to
register_reference_details("order", columns_details(Order.id, client_id=Order.client_id,
                                                    status=Order.status))
