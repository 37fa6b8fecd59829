"""Demo sales for `seed-demo`, written through `sales.service` (so the ledger and the
debts balance): cash, card and transfer sales, credit and partly paid sales of
clients with credit, some cancelled, some partly or wholly returned, spread over
the demo year (`seed.Agenda`): a cancel hours after its sale, a return days after.
"""

from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select

from ..auth.decorators import Principal
from ..clients.models import Client
from ..debts.service import CreditLimitExceeded, client_balance
from ..errors import Conflict
from ..extensions import db
from ..products.models import Product
from ..seed import Agenda
from ..stock.models import StockLevel
from ..users.models import User
from . import service

SALES = 36
PAID_METHODS = ("cash", "cash", "card", "card", "transfer")
# Out of each hundred sales, these (by the order they were made) are cancelled or
# returned (wholly, then in part, alternating).
CANCELLED = range(2, 5)
RETURNED = range(5, 10)
# Days before the end of the year of the credit sales that leave an open debt in
# every bucket of the debtors' aging report (0-30, 31-60, 61-90, 90+ days old).
AGING_DAYS = (10, 45, 75, 150)
# Sales between two readings of the stock they choose from.
STOCK_READ_EVERY = 25


def _ids(rows):
    return [getattr(row, "id", row) for row in rows]


class _Item(NamedTuple):
    """What a sale needs of a product: plain values, which outlive the session's
    commits (a Product row would be read again after each one)."""

    id: int
    unit: str
    price: Decimal


def _sellable(store_ids, product_ids):
    """{store_id: [[_Item, available]]} of active products with stock available."""
    rows = db.session.execute(
        select(StockLevel.store_id, Product.id, Product.unit, Product.price,
               StockLevel.on_hand - StockLevel.reserved)
        .join(Product, Product.id == StockLevel.product_id)
        .where(StockLevel.store_id.in_(store_ids), Product.id.in_(product_ids),
               Product.active.is_(True), StockLevel.on_hand > StockLevel.reserved)
        .order_by(StockLevel.store_id, Product.id)).all()
    stock = {}
    for store_id, product_id, unit, price, available in rows:
        item = _Item(product_id, unit, price)
        stock.setdefault(store_id, {}).setdefault(product_id, [item, Decimal(0)])
        stock[store_id][product_id][1] += Decimal(str(available))
    return {store_id: list(by_product.values()) for store_id, by_product in stock.items()}


def _line(rng, product, available):
    if product.unit in ("kg", "l", "m"):
        wanted = Decimal(rng.choice(["0.250", "0.500", "0.750", "1.125", "2.000"]))
    else:
        wanted = Decimal(rng.randint(1, 3))
    quantity = min(wanted, (available / 4).quantize(Decimal("0.001")))
    if quantity <= 0:
        return None
    line = {"product_id": product.id, "quantity": quantity}
    if rng.random() < 0.2:  # a small discount: 5 % off the line
        gross = service.money(quantity * product.price)
        line["discount"] = service.money(gross * Decimal("0.05"))
    return line


def _sale_body(rng, store_id, stock, creditors, others):
    lines = [line for product, available in rng.sample(stock, min(len(stock),
                                                                  rng.randint(1, 4)))
             if (line := _line(rng, product, available)) is not None]
    if not lines:
        return None
    body = {"store_id": store_id, "lines": lines}
    kind = rng.random()
    if kind < 0.25 and creditors:
        body.update(client_id=rng.choice(creditors), payment_method="credit")
    elif kind < 0.4 and creditors:  # partly paid: about half, the rest owed
        prices = {product.id: product.price for product, _ in stock}
        gross = sum(line["quantity"] * prices[line["product_id"]] - line.get("discount", 0)
                    for line in lines)
        body.update(client_id=rng.choice(creditors), payment_method="card",
                    amount_paid=service.money(gross / 2))
    else:
        body["payment_method"] = rng.choice(PAID_METHODS)
        if others and rng.random() < 0.5:
            body["client_id"] = rng.choice(others)
    return body


class _Seller:
    """Makes the planned sales as the agenda reaches them, and their cancels and
    returns; `counts` says how many so far."""

    def __init__(self, rng, agenda, principal, stores, products, creditors, others):
        self.rng, self.agenda, self.principal = rng, agenda, principal
        self.stores, self.products = stores, products
        self.creditors, self.others = creditors, others
        self.stock, self.until_read = {}, 0
        self.counts = {"sales": 0, "sale_returns": 0, "cancelled_sales": 0}

    def _stock(self):
        """What to sell from: read again every `STOCK_READ_EVERY` calls (purchases
        and orders change it too), counted down in between."""
        if self.until_read <= 0:
            self.stock = _sellable(self.stores, self.products)
            self.until_read = STOCK_READ_EVERY
        self.until_read -= 1
        return self.stock

    def _create(self, body):
        """The sale, or None when refused; a credit refused by the limit is paid instead."""
        try:
            return service.create_sale(body, self.principal)
        except CreditLimitExceeded:
            body.pop("amount_paid", None)
            body["payment_method"] = "cash"
            return self._create(body)
        except Conflict:  # the stock ran out: a refused sale
            return None

    def _made(self, sale, store_id, body):
        self.counts["sales"] += 1
        sold = {line["product_id"]: line["quantity"] for line in body["lines"]}
        for row in self.stock.get(store_id, ()):
            row[1] -= sold.get(row[0].id, 0)

    def sale(self, when):
        stock = self._stock()
        if not stock:
            return
        store_id = self.rng.choice(sorted(stock))
        body = _sale_body(self.rng, store_id, stock[store_id], self.creditors, self.others)
        if body is None:
            return
        sale = self._create(body)
        if sale is None:
            return
        index = self.counts["sales"] % 100
        self._made(sale, store_id, body)
        if index in CANCELLED:
            self.agenda.at(when + timedelta(hours=self.rng.uniform(0.2, 3)), self.cancel,
                           sale.id)
        elif index in RETURNED:
            self.agenda.at(when + timedelta(days=self.rng.uniform(1, 10)), self.give_back,
                           sale.id, (index - RETURNED.start) % 2 == 0)

    def credit_sale(self, _when):
        """One small credit sale for the client with the most credit left (an open debt
        of a chosen age); never cancelled nor returned."""
        stock = self._stock()
        if not (stock and self.creditors):
            return
        store_id = sorted(stock)[0]
        product, available = stock[store_id][0]
        line = _line(self.rng, product, available)
        if line is None:
            return
        line.pop("discount", None)
        limits = dict(db.session.execute(select(Client.id, Client.credit_limit)
                                         .where(Client.id.in_(self.creditors))).all())
        client_id = max(self.creditors, key=lambda c: limits[c] - client_balance(c))
        body = {"store_id": store_id, "client_id": client_id, "payment_method": "credit",
                "lines": [line]}
        try:
            sale = service.create_sale(body, self.principal)
        except Conflict:
            return
        self._made(sale, store_id, body)

    def cancel(self, _when, sale_id):
        service.cancel_sale(sale_id, self.principal)
        self.counts["cancelled_sales"] += 1

    def give_back(self, _when, sale_id, whole):
        sale = service.get_sale(sale_id)
        lines = [{"sale_line_id": line.id,
                  "quantity": line.quantity if whole else
                  max((line.quantity / 2).quantize(Decimal("0.001")), Decimal("0.001"))}
                 for line in sale.lines]
        service.return_items(sale_id, {"lines": lines, "reason": "customer changed mind"
                                       if whole else "damaged in transport"}, self.principal)
        self.counts["sale_returns"] += 1


def seed(rng, *, stores, clients, products, user_id, agenda=None, count=SALES):
    """Plan about `count` sales at random times of the agenda's year (made when it
    reaches them, skipping any the stock refuses), plus one credit sale per
    `AGING_DAYS`; of each hundred, cancel `CANCELLED` and return `RETURNED`. Each
    call to the service commits on its own. Without an `agenda`, runs a year of its
    own and moves the dates. Returns {"sales", "sale_returns", "cancelled_sales"},
    filled as the agenda runs."""
    principal = None
    if user_id is not None:
        user = db.session.get(User, user_id)
        principal = Principal(role=user.role, user=user)
    client_rows = db.session.scalars(select(Client).where(Client.id.in_(_ids(clients)))
                                     .order_by(Client.id)).all()
    creditors = [c.id for c in client_rows if c.credit_limit > 0]
    others = [c.id for c in client_rows if c.credit_limit == 0]
    own = agenda is None
    agenda = agenda or Agenda()
    seller = _Seller(rng, agenda, principal, _ids(stores), _ids(products), creditors, others)
    span = agenda.end - agenda.start
    for _ in range(count):
        agenda.at(agenda.start + span * rng.random(), seller.sale)
    for days in AGING_DAYS:
        agenda.at(agenda.end - timedelta(days=days), seller.credit_sale)
    if own:
        agenda.run()
        agenda.rewrite()
    return seller.counts
