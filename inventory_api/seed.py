"""Demo data: `flask --app wsgi seed-demo [--size small|large]`.

Deterministic (random.Random(42)). `small` is a believable shop and bakery
supply business; `large` grows the catalog to `large_products` products in all
(default 10,000, inserted in bulk) and the ledger to at least `large_movements`
rows (default 200,000) for benchmarks: `seed-demo --size large --products N
--movements M`. Stock is only ever written through the movements service (see
`_seed_stock`), so the ledger, the stock levels and the per-product totals
balance.
"""

import bisect
import heapq
import itertools
import random
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, insert, select, text, update

from .categories.models import Category
from .clients.models import Client
from .common.types import UTCDateTime, utcnow
from .common.uow import transaction
from .extensions import db
from .products.models import Product
from .stock.models import Movement
from .stores.models import Store
from .suppliers.models import Supplier

SIZES = ("small", "large")
YEAR_DAYS = 365  # the demo history ends when the seed starts and goes back this far
LARGE_PRODUCTS = 10_000  # products in all in the `large` catalog, by default
LARGE_MOVEMENTS = 200_000  # ledger rows `large` writes at least, by default
# Movements per transaction when `large` writes its history (measured on MariaDB
# and PostgreSQL, bench/README.md): bigger batches save little and hold locks longer.
LARGE_BATCH = 10_000
# Each visit of a product in the history posts this many 1-unit issues and as
# many receipts at one (product, store), so the per-pair statements of the
# movements service (lock, level update) are shared by 2 × this many rows.
LARGE_VISIT = 5
# At most this many (product, store) pairs per transaction: the movements service
# matches pairs with a row-value IN list, which PostgreSQL refuses ("stack depth
# limit exceeded") somewhere between 4,000 and 8,000 pairs.
LARGE_PAIRS = 1_000
BULK_SKU = "BULK-"  # the SKU prefix of the products `large` adds
# One bulk product in this many is stocked in a shop too. Creating a stock level
# costs the movements service about 1 ms (a third of the large seed's time at
# 100,000 products), so the shops hold a share of the catalog, the warehouse all.
LARGE_SHOP_SHARE = 4
# The year of `large`: sales, orders and rounds of purchase orders (per supplier,
# `purchasing.seed.PLAN`'s closed orders once a round), and how many bulk products
# (after the small catalog) the sales and orders draw from.
LARGE_SALES = 4_000
DEMO_PASSWORD = "demo-password"  # of the demo manager, employee and customer
LARGE_ORDERS = 600
LARGE_PURCHASE_CYCLES = 6
LARGE_SOLD_BULK = 1_500
# The stock history of `large` is posted in at least this many batches spread over
# the year (one a week), each at one moment.
LARGE_HISTORY_BATCHES = 52

STORES = [
    ("Central Warehouse", "WH", "Industrial Park, Bay 4"),
    ("Downtown Shop", "DT", "12 Market Street"),
    ("Riverside Shop", "RS", "88 River Avenue"),
]

CATEGORIES = {
    "Bakery Supplies": ["Flours & Grains", "Sweeteners", "Dairy & Fats"],
    "Beverages": ["Coffee & Tea", "Soft Drinks"],
    "Household": ["Cleaning"],
}

SUPPLIERS = [
    ("Molino del Valle", "MV-30711", "ventas@molinodelvalle.example", "Lucía Ferrer", 5),
    ("Northern Dairy Co-op", "NDC-5520", "orders@northerndairy.example", "Tom Becker", 2),
    ("Sweet Harvest Ltd", "SH-8841", "sales@sweetharvest.example", "Priya Nair", 7),
    ("Highland Coffee Traders", "HCT-1190", "trade@highlandcoffee.example", "Diego Ríos", 10),
    ("Bright Clean Supplies", "BCS-4402", "hello@brightclean.example", "Mara Olsen", 4),
    ("FizzCo Bottlers", "FZ-7731", "b2b@fizzco.example", "Sam Okafor", 3),
]

# (category, supplier index, kind, unit, track_lots, [(name, price)])
PRODUCT_LINES = [
    ("Flours & Grains", 0, "raw_material", "kg", True, [
        ("Wheat flour 000", "0.95"), ("Wholemeal flour", "1.40"), ("Rye flour", "1.65"),
        ("Semolina", "1.30"), ("Rolled oats", "1.80"), ("Cornmeal", "1.10"),
        ("Spelt flour", "2.30"), ("Rice flour", "2.05"),
    ]),
    ("Sweeteners", 2, "raw_material", "kg", False, [
        ("White sugar", "1.05"), ("Brown sugar", "1.45"), ("Icing sugar", "1.60"),
        ("Wildflower honey", "7.90"), ("Glucose syrup", "3.20"),
    ]),
    ("Dairy & Fats", 1, "raw_material", "l", True, [
        ("Whole milk", "1.15"), ("Cream 35%", "4.10"), ("Buttermilk", "1.90"),
    ]),
    ("Dairy & Fats", 1, "raw_material", "kg", True, [
        ("Unsalted butter", "9.40"), ("Cream cheese", "6.80"),
    ]),
    ("Dairy & Fats", 2, "raw_material", "l", False, [
        ("Sunflower oil", "2.60"), ("Olive oil extra virgin", "8.90"),
    ]),
    ("Bakery Supplies", 0, "finished_good", "unit", False, [
        ("Sourdough loaf", "4.20"), ("Seeded rye loaf", "4.60"), ("Baguette", "1.80"),
        ("Butter croissant", "1.60"), ("Cinnamon roll", "2.40"), ("Focaccia slab", "6.50"),
        ("Oat cookies (6)", "3.90"), ("Banana bread", "5.70"),
    ]),
    ("Coffee & Tea", 3, "merchandise", "pack", False, [
        ("Espresso beans 1 kg", "21.50"), ("Colombian ground coffee 250 g", "6.40"),
        ("Decaf beans 500 g", "12.90"), ("Green tea 20 bags", "3.30"),
        ("Earl Grey 50 bags", "5.20"), ("Chamomile 20 bags", "2.90"),
        ("Yerba mate 1 kg", "8.40"), ("Cold brew concentrate 1 l", "9.80"),
    ]),
    ("Soft Drinks", 5, "merchandise", "unit", False, [
        ("Sparkling water 500 ml", "0.90"), ("Still water 1.5 l", "1.10"),
        ("Lemonade 330 ml", "1.50"), ("Cola 330 ml", "1.40"), ("Ginger beer 330 ml", "1.90"),
        ("Orange juice 1 l", "2.80"), ("Apple juice 1 l", "2.60"), ("Iced tea 500 ml", "1.70"),
    ]),
    ("Soft Drinks", 5, "merchandise", "box", False, [
        ("Sparkling water box (24)", "17.50"), ("Cola box (24)", "28.00"),
    ]),
    ("Cleaning", 4, "merchandise", "unit", False, [
        ("Dish soap 750 ml", "2.40"), ("Floor cleaner 1 l", "3.10"), ("Glass cleaner", "2.70"),
        ("Microfibre cloths (5)", "4.50"), ("Bin bags (30)", "3.60"), ("Hand soap refill", "4.90"),
        ("Bleach 2 l", "2.20"), ("Scouring pads (10)", "2.80"),
    ]),
    ("Cleaning", 4, "raw_material", "l", False, [
        ("Degreaser concentrate", "6.90"), ("Sanitiser concentrate", "7.40"),
    ]),
]

FIRST_NAMES = ["Ana", "Bruno", "Carla", "David", "Elena", "Farid", "Greta", "Hugo", "Irene",
               "Jonas", "Keiko", "Luis", "Marta", "Nils", "Olga", "Pablo", "Rosa", "Sven"]
LAST_NAMES = ["García", "Müller", "Rossi", "Silva", "Novak", "Kowalski", "Dubois", "Jensen",
              "Moreno", "Ito", "Okoro", "Larsen", "Costa", "Weber"]
BUSINESSES = ["Café Aurora", "La Esquina Deli", "Green Fork Bistro", "Hotel Miramar",
              "Bean & Leaf", "Sunrise Catering"]

LARGE_WORDS = ["Organic", "Premium", "Classic", "Family", "Mini", "Value", "Artisan", "Fresh",
               "Smoked", "Spiced", "Roasted", "Golden", "Light", "Extra", "Wild", "Rustic"]
LARGE_ITEMS = ["crackers", "granola", "jam", "pasta", "sauce", "biscuits", "chutney", "muesli",
               "noodles", "pickles", "soup", "spread", "syrup", "tea", "nuts", "chips"]


class Agenda:
    """The demo year: its events run in the order of their demo time, then every
    timestamp they wrote is moved to that time.

    The services stamp what they write with the current time (and no movement
    may be dated in the past), so the seed schedules the year's events with `at`
    (a sale, an order's confirmation, a payment, a receipt ...) and `run`s them
    one after the other in demo-time order, noting before each the real time it
    starts at. `rewrite` then gives every timestamp written since the agenda
    began the demo time of the event that wrote it. That map is a step function
    of the real time, never decreasing, so rows keep their order: in every table
    ids increasing means times non-decreasing, a document's movements share its
    time, a payment comes after its debt, an order's history stays in order.
    What was written before the first event (the catalog, the opening stock)
    lands on `start`. Debts' due dates follow their new dates (`rewrite`).
    """

    def __init__(self, end=None, days=YEAR_DAYS):
        from .debts.models import Debt

        self.end = end or utcnow()
        self.start = self.end - timedelta(days=days)
        self.now = self.start
        self._queue = []
        self._order = itertools.count()  # ties run in the order they were scheduled
        self._real = [_tick(self.end)]
        self._demo = [self.start]
        self._debts_before = db.session.scalar(select(func.max(Debt.id))) or 0

    def at(self, when, action, *args):
        """Schedule `action(when, *args)` at demo time `when` (kept within now..end)."""
        when = min(max(when, self.now), self.end)
        heapq.heappush(self._queue, (when, next(self._order), action, args))

    def run(self):
        """Run the scheduled events (and those they schedule) in demo-time order."""
        while self._queue:
            when, _, action, args = heapq.heappop(self._queue)
            self.now = when
            self._real.append(_tick(self._real[-1]))
            self._demo.append(when)
            action(when, *args)

    def demo_time(self, real):
        """The demo time of a row stamped `real` by one of the events run so far."""
        return self._demo[max(0, bisect.bisect_right(self._real, real) - 1)]

    def rewrite(self):
        """Move every timestamp written since the agenda began to its demo time, and set
        each new debt's due date to its new date + its client's payment terms. One
        transaction of UPDATEs by id range (one per run of rows that share a time)."""
        with transaction():
            connection = db.session.connection()
            for table in db.metadata.sorted_tables:
                if "id" not in table.c:
                    continue
                for column in table.c:
                    if isinstance(column.type, UTCDateTime):
                        self._rewrite_column(connection, table, column)
            self._rewrite_due_dates(connection)

    def _rewrite_column(self, connection, table, column):
        since = self._real[0]
        rows = connection.execute(select(table.c.id, column).where(column >= since)
                                  .order_by(table.c.id)).all()
        runs = []
        for row_id, real in rows:
            value = self.demo_time(real)
            if runs and runs[-1]["value"] == value:
                runs[-1]["high"] = row_id
            else:
                runs.append({"value": value, "low": row_id, "high": row_id, "since": since})
        if not runs:
            return
        quote = connection.dialect.identifier_preparer.quote
        name = quote(column.name)
        # plain SQL: an UPDATE built from the table would also stamp its `onupdate` columns
        statement = text(
            f"UPDATE {quote(table.name)} SET {name} = :value "
            f"WHERE id BETWEEN :low AND :high AND {name} >= :since"
        ).bindparams(bindparam("value", type_=UTCDateTime()),
                     bindparam("since", type_=UTCDateTime()))
        connection.execute(statement, runs)

    def _rewrite_due_dates(self, connection):
        from .debts.models import Debt

        rows = connection.execute(
            select(Debt.id, Debt.created_at, Client.payment_terms_days)
            .join(Client, Client.id == Debt.client_id)
            .where(Debt.id > self._debts_before)).all()
        if rows:
            connection.execute(
                update(Debt.__table__).where(Debt.__table__.c.id == bindparam("debt_id"))
                .values(due_date=bindparam("due"), updated_at=Debt.__table__.c.updated_at),
                [{"debt_id": debt_id, "due": created.date() + timedelta(days=terms or 0)}
                 for debt_id, created, terms in rows])


def _tick(after):
    """The clock's first reading later than both `after` and the moment of the call,
    so that nothing written before the call carries the time it returns."""
    floor = max(utcnow(), after)
    now = utcnow()
    while now <= floor:
        now = utcnow()
    return now


class SeedRefused(Exception):
    """The database already has products: seeding would mix demo and real data."""


def check_options(size, large_movements=LARGE_MOVEMENTS, large_products=LARGE_PRODUCTS,
                  large_batch=LARGE_BATCH):
    """Raise ValueError, saying why, for options `seed_demo` cannot honour."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    small_products = sum(len(items) for *_, items in PRODUCT_LINES)
    if size == "large" and large_products < small_products:
        raise ValueError(f"a large catalog has at least {small_products} products "
                         "(the small one's)")
    if large_movements < 0:
        raise ValueError("the ledger size must not be negative")
    if large_batch < 2 * LARGE_VISIT:
        raise ValueError(f"a batch holds at least {2 * LARGE_VISIT} movements")


def seed_demo(size="small", large_movements=LARGE_MOVEMENTS, large_products=LARGE_PRODUCTS,
              large_batch=LARGE_BATCH, progress=None, large_sales=LARGE_SALES):
    """Create the demo data set; returns a dict of how many rows of each kind were added.

    A year of history up to now (`Agenda`): the catalog and the opening stock
    a year ago, then the year's sales, orders, payments and purchase orders
    (and for `large` the stock history) in the order they happen.
    For `large`: `large_products` is the catalog size in all (the small
    catalog included), `large_movements` the ledger size the stock history
    grows to before the selling and purchasing documents add theirs, and
    `large_batch` the most movements per transaction of its stock phases,
    `large_sales` the year's sales (orders and purchase rounds in proportion).
    `progress`, when given, is called with a line of text per phase (its
    movements and their rate).
    """
    check_options(size, large_movements, large_products, large_batch)
    if db.session.scalar(select(func.count()).select_from(Product)):
        raise SeedRefused("The database already has products; seed-demo only fills an empty one.")
    rng = random.Random(42)
    # `large` draws its bulk catalog and stock history from its own generator
    large_rng = random.Random(43)
    agenda = Agenda()
    with transaction():
        stores = _seed_stores()
        categories = _seed_categories()
        suppliers = _seed_suppliers()
        clients = _seed_clients(rng)
        products = _seed_products(rng, categories, suppliers)
        if size == "large":
            started = time.monotonic()
            bulk = _seed_large_products(large_rng, categories, suppliers,
                                        large_products - products)
            products += bulk
            if progress is not None:
                progress(f"products: {bulk:,} inserted in bulk in "
                         f"{time.monotonic() - started:.1f} s")
    movements = _seed_stock(rng, stores)
    history = None
    if size == "large":
        history = _seed_large_stock(large_rng, stores, agenda, movements, large_movements,
                                    large_batch, progress)
    counts = {"stores": len(stores), "categories": len(categories), "suppliers": len(suppliers),
              "clients": clients, "products": products, "movements": movements}
    selling = _seed_selling(rng, stores, agenda, size, large_sales)
    started = time.monotonic()
    agenda.run()
    if history is not None:
        _report(progress, "history", history["movements"], history["seconds"])
    _report_phase(progress, "the year's documents", started)
    started = time.monotonic()
    agenda.rewrite()
    _report_phase(progress, "dates moved into the year", started)
    for part in selling:
        counts.update(part)
    from .debts.models import Debt

    counts["debts"] = db.session.scalar(select(func.count()).select_from(Debt))
    counts["movements"] = db.session.scalar(select(func.count()).select_from(Movement))
    counts["demo_users"] = _seed_demo_users(stores)
    refresh_statistics()
    return counts


def _seed_demo_users(stores):
    """A manager, an employee limited to the first shop, and a customer who is the
    client with the most orders, each with DEMO_PASSWORD (the README lists them).
    An e-mail already taken is left alone. Returns how many were added."""
    from .auth.passwords import hash_password
    from .orders.models import Order
    from .users.models import User

    shop = next((store for store in stores if store.code != stores[0].code), stores[0])
    buyer_id = db.session.scalar(select(Order.client_id).group_by(Order.client_id)
                                 .order_by(func.count().desc(), Order.client_id).limit(1))
    wanted = [
        ("manager@example.com", "Demo Manager", "manager", None, []),
        ("employee@example.com", "Demo Employee", "employee", None, [shop]),
        ("customer@example.com", "Demo Customer", "customer", buyer_id, []),
    ]
    added = 0
    with transaction():
        taken = set(db.session.scalars(select(User.email).where(
            User.email.in_([email for email, *_ in wanted]))))
        for email, name, role, client_id, user_stores in wanted:
            if email in taken or (role == "customer" and client_id is None):
                continue
            db.session.add(User(email=email, name=name, role=role, client_id=client_id,
                                password_hash=hash_password(DEMO_PASSWORD),
                                stores=user_stores))
            added += 1
    return added


def refresh_statistics():
    """Have the database look at the tables again (ANALYZE), as after any bulk load.

    The query planner chooses its plans from statistics about the data; right
    after thousands of rows arrive at once they describe the empty tables, and
    a plan chosen for an empty table can be slow for a full one (PostgreSQL
    would autovacuum them later). Changes no data.
    """
    with transaction():
        connection = db.session.connection()
        if connection.dialect.name in ("mysql", "mariadb"):
            tables = ", ".join(sorted(db.metadata.tables))
            connection.exec_driver_sql(f"ANALYZE TABLE {tables}").all()
        else:  # PostgreSQL and SQLite: every table
            connection.exec_driver_sql("ANALYZE")


def _seed_selling(rng, stores, agenda, size, large_sales=LARGE_SALES):
    """Plan the year's sales, customer orders, payments against the debts they leave
    and purchase orders on `agenda`, each through its service (each document its own
    unit of work once the agenda runs). Returns their count dicts, filled as it runs."""
    from .debts import seed as debts_seed
    from .orders import seed as orders_seed
    from .purchasing import seed as purchasing_seed
    from .sales import seed as sales_seed

    clients = db.session.scalars(select(Client.id).order_by(Client.id)).all()
    stocked = db.session.scalars(select(Product.id).where(~Product.sku.startswith(BULK_SKU))
                                 .order_by(Product.id).limit(60)).all()
    sold = stocked
    sales, orders, cycles = sales_seed.SALES, orders_seed.ORDERS, 1
    if size == "large":  # a busier year, selling from part of the bulk catalog too
        sold = stocked + db.session.scalars(
            select(Product.id).where(Product.sku.startswith(BULK_SKU))
            .order_by(Product.id).limit(LARGE_SOLD_BULK)).all()
        sales = large_sales
        orders = large_sales * LARGE_ORDERS // LARGE_SALES
        cycles = max(1, large_sales * LARGE_PURCHASE_CYCLES // LARGE_SALES)
    common = {"stores": stores, "clients": clients, "products": sold, "user_id": None,
              "agenda": agenda}
    suppliers = db.session.scalars(select(Supplier.id).order_by(Supplier.id)).all()
    return [sales_seed.seed(rng, **common, count=sales),
            orders_seed.seed(rng, **common, count=orders),
            debts_seed.seed(rng, **common),
            purchasing_seed.seed(rng, stores=stores, suppliers=suppliers, products=stocked,
                                 user_id=None, agenda=agenda, cycles=cycles)]


def _seed_stores():
    stores = [Store(name=name, code=code, address=address) for name, code, address in STORES]
    db.session.add_all(stores)
    db.session.flush()
    return stores


def _seed_categories():
    by_name = {}
    for parent_name, children in CATEGORIES.items():
        parent = Category(name=parent_name, description=f"Everything in {parent_name.lower()}.")
        db.session.add(parent)
        db.session.flush()
        by_name[parent_name] = parent
        for child_name in children:
            child = Category(name=child_name, parent_id=parent.id)
            db.session.add(child)
            by_name[child_name] = child
    db.session.flush()
    return by_name


def _seed_suppliers():
    suppliers = [
        Supplier(name=name, tax_id=tax_id, email=email, contact_name=contact,
                 lead_time_days=lead, phone=f"+1 555 01{i:02}", address=f"{10 + i} Trade Lane")
        for i, (name, tax_id, email, contact, lead) in enumerate(SUPPLIERS)
    ]
    db.session.add_all(suppliers)
    db.session.flush()
    return suppliers


def _seed_clients(rng):
    rows = []
    for i, business in enumerate(BUSINESSES):
        slug = business.lower().replace(" ", "").replace("&", "and").replace("é", "e")
        rows.append({"name": business, "email": f"orders@{slug}.example",
                     "phone": f"+1 555 02{i:02}", "tax_id": f"B{rng.randint(10**7, 10**8 - 1)}",
                     "credit_limit": Decimal(rng.choice([500, 1000, 2500])),
                     "payment_terms_days": rng.choice([15, 30, 45])})
    people = rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], 9)
    for i, (first, last) in enumerate(people):
        rows.append({"name": f"{first} {last}",
                     "email": f"{first.lower()}.{_ascii(last).lower()}{i}@mail.example",
                     "phone": f"+1 555 03{i:02}", "credit_limit": Decimal("0.00"),
                     "payment_terms_days": 30})
    db.session.execute(insert(Client), rows)
    return len(rows)


def _ascii(text):
    return text.translate(str.maketrans("áéíóúüÍñ", "aeiouuIn"))


def _seed_products(rng, categories, suppliers):
    rows = []
    for category, supplier_index, kind, unit, lots, items in PRODUCT_LINES:
        for name, price in items:
            price = Decimal(price)
            cost = (price * Decimal(rng.uniform(0.45, 0.7))).quantize(Decimal("0.01"))
            prefix = "".join(word[0] for word in category.split() if word[0].isalpha())[:3]
            rows.append({
                "sku": f"{prefix.upper()}-{len(rows) + 1:04}",
                "name": name,
                "description": f"{name} ({unit}).",
                "category_id": categories[category].id,
                "kind": kind,
                "unit": unit,
                "price": price,
                "cost": cost,
                "min_stock": Decimal(rng.choice([5, 10, 20, 25])),
                "reorder_quantity": Decimal(rng.choice([20, 50, 100])),
                "barcode": None if kind == "raw_material" else _barcode(rng),
                "preferred_supplier_id": suppliers[supplier_index].id,
                "track_lots": lots,
            })
    db.session.execute(insert(Product), rows)
    return len(rows)


def _barcode(rng):
    return f"779{rng.randint(10**9, 10**10 - 1)}"


def _seed_large_products(rng, categories, suppliers, count):
    """Bulk-insert `count` extra merchandise products for benchmarks, in chunks.

    They spread over the subcategories (half of them under "Bakery Supplies"),
    prices uniform from 0.50 to 50.00, none tracking lots.
    """
    leaf_ids = [c.id for c in categories.values() if c.parent_id is not None]
    supplier_ids = [s.id for s in suppliers]
    total = 0
    chunk = []
    for n in range(count):
        price = Decimal(rng.randint(50, 5000)) / 100
        chunk.append({
            "sku": f"{BULK_SKU}{n + 1:06}",
            "name": f"{rng.choice(LARGE_WORDS)} {rng.choice(LARGE_ITEMS)} #{n + 1}",
            "category_id": rng.choice(leaf_ids),
            "kind": "merchandise",
            "unit": rng.choice(["unit", "pack", "box"]),
            "price": price,
            "cost": (price * Decimal("0.6")).quantize(Decimal("0.01")),
            "min_stock": Decimal(rng.choice([0, 5, 10])),
            "reorder_quantity": Decimal(rng.choice([10, 20, 50])),
            "preferred_supplier_id": rng.choice(supplier_ids),
        })
        if len(chunk) == 1000:
            db.session.execute(insert(Product), chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(Product), chunk)
        total += len(chunk)
    return total


def _seed_stock(rng, stores):
    """Opening stock and some history of the small catalog, all through the movements
    service.

    Receipts at the warehouse (lot-tracked raw materials in two lots with
    expiry dates), transfers to the shops, a count per shop and daily issues.
    Returns the number of movements written.
    """
    from datetime import date, timedelta

    from .stock import documents, service
    from .stock.service import Change

    warehouse, shops = stores[0], stores[1:]
    products = db.session.scalars(select(Product).where(~Product.sku.startswith(BULK_SKU))
                                  .order_by(Product.id)).all()
    written = 0
    today = date.today()
    for start in range(0, len(products), 500):
        changes = []
        for product in products[start:start + 500]:
            quantity = Decimal(rng.randint(20, 200))
            if product.track_lots:
                for n, months in ((1, 2), (2, 6)):
                    changes.append(Change(
                        type="receipt", product_id=product.id, store_id=warehouse.id,
                        quantity=quantity / 2, unit_cost=product.cost,
                        lot=f"{product.sku}-L{n}", expiry_date=today + timedelta(days=30 * months)))
            else:
                changes.append(Change(type="receipt", product_id=product.id,
                                      store_id=warehouse.id, quantity=quantity,
                                      unit_cost=product.cost))
        with transaction():
            written += len(service.post_movements(changes, reason="opening stock"))
    sellable = [p for p in products[:60] if p.kind != "raw_material"]
    for shop in shops:
        lines = [{"product_id": p.id, "quantity": Decimal(rng.randint(3, 12))}
                 for p in rng.sample(sellable, min(12, len(sellable)))]
        transfer = documents.create_transfer(
            {"from_store_id": warehouse.id, "to_store_id": shop.id, "lines": lines,
             "notes": "weekly restock"})
        written += 2 * len(transfer.lines)
        counted = [{"product_id": line["product_id"],
                    "counted_quantity": line["quantity"] - rng.choice((0, 0, 1))}
                   for line in lines[:4]]
        count = documents.create_stock_count({"store_id": shop.id, "lines": counted,
                                              "notes": "opening check"})
        written += sum(1 for line in count.lines if line.movement_id)
    raw = [p for p in products[:60] if p.kind == "raw_material"]
    for product in raw[:6]:
        written += len(documents.post_manual_movement({
            "type": "issue", "product_id": product.id, "store_id": warehouse.id,
            "quantity": Decimal(rng.randint(1, 8)), "reason": "used in production"}))
    return written


def _report(progress, what, rows, seconds):
    if progress is not None:
        rate = f"{rows / seconds:,.0f}/s" if seconds > 0 else "-"
        progress(f"{what}: {rows:,} movements in {seconds:.1f} s ({rate})")


def _report_phase(progress, what, started):
    if progress is not None:
        progress(f"{what}: {time.monotonic() - started:.1f} s")


def _seed_large_stock(rng, stores, agenda, written, target=LARGE_MOVEMENTS, batch=LARGE_BATCH,
                      progress=None):
    """Stock the bulk products now and plan a history that grows the ledger to `target` rows.

    Everything goes through `post_movements`, at most `batch` movements and
    `LARGE_PAIRS` (product, store) pairs per transaction, in three phases
    (each reported to `progress` with its rate):

    1. opening stock: a costed receipt of 20 to 200 units of every bulk
       product at the warehouse;
    2. shop stock: a receipt of 10 to 60 units of one bulk product in
       `LARGE_SHOP_SHARE` in one shop (alternating), so each shop holds a
       share of the catalog;
    3. history, on `agenda`: at least `LARGE_HISTORY_BATCHES` batches spread
       evenly over the year, of visits over the bulk (product, store) pairs in
       a fixed shuffled order, cycling. A visit posts `LARGE_VISIT` 1-unit
       issues and as many 1-unit receipts (no unit cost) at one pair, which
       leaves its stock as it was, so the ledger can grow as long as wanted
       without running dry and without touching the small catalog. A pair the
       year's sales and orders left with less than `LARGE_VISIT` units free (what a
       visit takes out before it puts back) is passed over.

    Phases 1 and 2 stop early once the ledger reaches `target`. Returns
    `{"movements": written by the history, "seconds": spent on it}`, filled
    as the agenda runs.
    """
    from .stock import service
    from .stock.models import StockLevel
    from .stock.service import Change

    warehouse, shops = stores[0], stores[1:]
    bulk = db.session.execute(
        select(Product.id, Product.cost).where(Product.sku.startswith(BULK_SKU))
        .order_by(Product.id)).all()

    def post(changes, reason):
        with transaction():
            return len(service.post_movements(changes, reason=reason))

    phases = [("opening stock", bulk, lambda i, pid, cost: Change(
        type="receipt", product_id=pid, store_id=warehouse.id,
        quantity=Decimal(rng.randint(20, 200)), unit_cost=cost))]
    if shops:
        phases.append(("shop stock", bulk[::LARGE_SHOP_SHARE], lambda i, pid, cost: Change(
            type="receipt", product_id=pid, store_id=shops[i % len(shops)].id,
            quantity=Decimal(rng.randint(10, 60)))))
    step = min(batch, LARGE_PAIRS)  # one pair per movement here
    for what, rows, make in phases:
        started, before = time.monotonic(), written
        for start in range(0, len(rows), step):
            if written >= target:
                break
            chunk = rows[start:start + min(step, target - written)]
            written += post([make(start + i, pid, cost) for i, (pid, cost) in enumerate(chunk)],
                            what)
        _report(progress, what, written - before, time.monotonic() - started)

    bulk_ids = {pid for pid, _ in bulk}
    levels = db.session.execute(
        select(StockLevel.product_id, StockLevel.store_id,
               StockLevel.on_hand - StockLevel.reserved)
        .where(StockLevel.product_id.in_(select(Product.id).where(
            Product.sku.startswith(BULK_SKU))))
        .order_by(StockLevel.product_id, StockLevel.store_id)
    ).all()
    pairs = [(p, s) for p, s, free in levels if p in bulk_ids and free >= LARGE_VISIT]
    rng.shuffle(pairs)
    done = {"movements": 0, "seconds": 0.0}
    per_visit = 2 * LARGE_VISIT
    visits = -(-max(0, target - written) // per_visit)
    if not (pairs and visits):
        return done
    most = max(1, min(len(pairs), LARGE_PAIRS, batch // per_visit))
    batches = max(LARGE_HISTORY_BATCHES, -(-visits // most))
    cursor = 0

    def free_stock(chunk):
        products = sorted({p for p, _ in chunk})
        return {(p, s): Decimal(str(free)) for p, s, free in db.session.execute(
            select(StockLevel.product_id, StockLevel.store_id,
                   StockLevel.on_hand - StockLevel.reserved)
            .where(StockLevel.product_id.in_(products)))}

    def history_batch(_when, wanted):
        nonlocal cursor
        started = time.monotonic()
        chunk = [pairs[(cursor + n) % len(pairs)] for n in range(min(len(pairs), 2 * wanted))]
        free = free_stock(chunk)
        changes, taken = [], 0
        for product_id, store_id in chunk:
            cursor = (cursor + 1) % len(pairs)
            if free.get((product_id, store_id), 0) < LARGE_VISIT:
                continue
            for _ in range(LARGE_VISIT):
                changes.append(Change(type="issue", product_id=product_id, store_id=store_id,
                                      quantity=Decimal("-1")))
                changes.append(Change(type="receipt", product_id=product_id,
                                      store_id=store_id, quantity=Decimal("1")))
            taken += 1
            if taken == wanted:
                break
        if changes:
            done["movements"] += post(changes, "benchmark history")
        done["seconds"] += time.monotonic() - started

    span = agenda.end - agenda.start
    for n in range(batches):
        wanted = visits // batches + (1 if n < visits % batches else 0)
        if wanted:
            agenda.at(agenda.start + span * (n + 1) / (batches + 1), history_batch, wanted)
    return done
