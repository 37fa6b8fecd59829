"""Demo data: `flask --app wsgi seed-demo [--size small|large]`.

Deterministic (random.Random(42)). `small` is a believable shop and bakery
supply business; `large` adds enough products (≥ 10,000, inserted in bulk)
and ledger rows (≥ 200,000) for benchmarks. Stock is only ever written through
the movements service (see `_seed_stock`), so the ledger balances.
"""

import random
from decimal import Decimal

from sqlalchemy import func, insert, select

from .categories.models import Category
from .clients.models import Client
from .common.uow import transaction
from .extensions import db
from .products.models import Product
from .stock.models import Movement
from .stores.models import Store
from .suppliers.models import Supplier

SIZES = ("small", "large")
LARGE_PRODUCTS = 10_000

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


class SeedRefused(Exception):
    """The database already has products: seeding would mix demo and real data."""


def seed_demo(size="small", large_movements=200_000):
    """Create the demo data set; returns a dict of how many rows of each kind were added.

    `large_movements` is the ledger size `large` grows to (tests use less).
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    if db.session.scalar(select(func.count()).select_from(Product)):
        raise SeedRefused("The database already has products; seed-demo only fills an empty one.")
    rng = random.Random(42)
    with transaction():
        stores = _seed_stores()
        categories = _seed_categories()
        suppliers = _seed_suppliers()
        clients = _seed_clients(rng)
        products = _seed_products(rng, categories, suppliers)
        if size == "large":
            products += _seed_large_products(rng, categories, suppliers)
    movements = _seed_stock(rng, stores, size, large_movements)
    counts = {"stores": len(stores), "categories": len(categories), "suppliers": len(suppliers),
              "clients": clients, "products": products, "movements": movements}
    counts.update(_seed_selling(rng, stores))
    counts["movements"] = db.session.scalar(select(func.count()).select_from(Movement))
    return counts


def _seed_selling(rng, stores):
    """Sales, customer orders, payments against the debts they left, then purchase
    orders in every status, all through their services (each document its own unit
    of work). Returns their counts."""
    from .debts import seed as debts_seed
    from .debts.models import Debt
    from .orders import seed as orders_seed
    from .purchasing import seed as purchasing_seed
    from .sales import seed as sales_seed

    clients = db.session.scalars(select(Client.id).order_by(Client.id)).all()
    stocked = db.session.scalars(select(Product.id).order_by(Product.id).limit(60)).all()
    counts = {}
    for module in (sales_seed, orders_seed, debts_seed):
        counts.update(module.seed(rng, stores=stores, clients=clients, products=stocked,
                                  user_id=None))
    suppliers = db.session.scalars(select(Supplier.id).order_by(Supplier.id)).all()
    counts.update(purchasing_seed.seed(rng, stores=stores, suppliers=suppliers,
                                       products=stocked, user_id=None))
    counts["debts"] = db.session.scalar(select(func.count()).select_from(Debt))
    return counts


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


def _seed_large_products(rng, categories, suppliers):
    """Bulk-insert enough extra merchandise for benchmarks, in chunks."""
    leaf_ids = [c.id for c in categories.values() if c.parent_id is not None]
    supplier_ids = [s.id for s in suppliers]
    total = 0
    chunk = []
    for n in range(LARGE_PRODUCTS):
        price = Decimal(rng.randint(50, 5000)) / 100
        chunk.append({
            "sku": f"BULK-{n + 1:06}",
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


def _seed_stock(rng, stores, size, large_movements=200_000):
    """Opening stock and some history, all through the movements service.

    Receipts at the warehouse (lot-tracked raw materials in two lots with
    expiry dates), transfers to the shops, a count per shop and daily issues.
    `large` repeats issue/receipt rounds until the ledger has 200,000 rows.
    Returns the number of movements written.
    """
    from datetime import date, timedelta

    from .stock import documents, service
    from .stock.service import Change

    warehouse, shops = stores[0], stores[1:]
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
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
    if size == "large":
        written = _seed_large_history(rng, warehouse, products, written, large_movements)
    return written


def _seed_large_history(rng, warehouse, products, written, target=200_000):
    """Issue/receipt rounds in big batches until the ledger holds `target` rows."""
    from .stock import service
    from .stock.service import Change

    untracked = [p for p in products if not p.track_lots]
    while written < target:
        batch = rng.sample(untracked, min(1000, len(untracked)))
        changes = [Change(type="issue", product_id=p.id, store_id=warehouse.id,
                          quantity=Decimal("-1")) for p in batch]
        changes += [Change(type="receipt", product_id=p.id, store_id=warehouse.id,
                           quantity=Decimal("1"), unit_cost=p.cost) for p in batch]
        with transaction():
            written += len(service.post_movements(changes, reason="benchmark history"))
    return written
