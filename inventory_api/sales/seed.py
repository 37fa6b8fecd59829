"""Demo sales for `seed-demo`, written through `sales.service` (so the ledger and the
debts balance): cash, card and transfer sales, credit and partly paid sales of
clients with credit, some cancelled, some partly or wholly returned."""

from decimal import Decimal

from sqlalchemy import select

from ..auth.decorators import Principal
from ..clients.models import Client
from ..errors import Conflict
from ..extensions import db
from ..products.models import Product
from ..stock.models import StockLevel
from ..users.models import User
from . import service

SALES = 36
PAID_METHODS = ("cash", "cash", "card", "card", "transfer")


def _ids(rows):
    return [getattr(row, "id", row) for row in rows]


def _sellable(store_ids, product_ids):
    """{store_id: [(Product, available)]} of active products with stock available."""
    rows = db.session.execute(
        select(StockLevel.store_id, Product, StockLevel.on_hand - StockLevel.reserved)
        .join(Product, Product.id == StockLevel.product_id)
        .where(StockLevel.store_id.in_(store_ids), Product.id.in_(product_ids),
               Product.active.is_(True), StockLevel.on_hand > StockLevel.reserved)
        .order_by(StockLevel.store_id, Product.id)).all()
    stock = {}
    for store_id, product, available in rows:
        stock.setdefault(store_id, {}).setdefault(product.id, [product, Decimal(0)])
        stock[store_id][product.id][1] += Decimal(str(available))
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
    elif kind < 0.4 and creditors:
        body.update(client_id=rng.choice(creditors), payment_method="card",
                    amount_paid=Decimal("1.00"))
    else:
        body["payment_method"] = rng.choice(PAID_METHODS)
        if others and rng.random() < 0.5:
            body["client_id"] = rng.choice(others)
    return body


def seed(rng, *, stores, clients, products, user_id):
    """Create about SALES sales (skipping any the stock or a credit limit refuses), then
    cancel a few and return goods from a few. Each call to the service commits on its
    own. Returns {"sales", "sale_returns", "cancelled_sales"}."""
    principal = None
    if user_id is not None:
        user = db.session.get(User, user_id)
        principal = Principal(role=user.role, user=user)
    client_rows = db.session.scalars(select(Client).where(Client.id.in_(_ids(clients)))
                                     .order_by(Client.id)).all()
    creditors = [c.id for c in client_rows if c.credit_limit > 0]
    others = [c.id for c in client_rows if c.credit_limit == 0]
    stock = _sellable(_ids(stores), _ids(products))
    sales = []
    for _ in range(SALES):
        if not stock:
            break
        store_id = rng.choice(sorted(stock))
        body = _sale_body(rng, store_id, stock[store_id], creditors, others)
        if body is None:
            continue
        try:
            sale = service.create_sale(body, principal)
        except Conflict:  # stock ran out or a credit limit was reached: a refused sale
            continue
        sales.append(sale.id)
        for line in body["lines"]:
            for row in stock[store_id]:
                if row[0].id == line["product_id"]:
                    row[1] -= line["quantity"]
    cancelled = returns = 0
    for sale_id in sales[2:5]:
        service.cancel_sale(sale_id, principal)
        cancelled += 1
    for index, sale_id in enumerate(sales[5:10]):
        sale = service.get_sale(sale_id)
        whole = index % 2 == 0
        lines = [{"sale_line_id": line.id,
                  "quantity": line.quantity if whole else
                  max((line.quantity / 2).quantize(Decimal("0.001")), Decimal("0.001"))}
                 for line in sale.lines]
        service.return_items(sale_id, {"lines": lines, "reason": "customer changed mind"
                                       if whole else "damaged in transport"}, principal)
        returns += 1
    return {"sales": len(sales), "sale_returns": returns, "cancelled_sales": cancelled}
