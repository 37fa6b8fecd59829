"""The low-stock report of `flask low-stock-report`: the rows `GET /alerts/low-stock`
lists (the same query), as a plain-text table for a terminal or an e-mail."""

from sqlalchemy import select

from ..common.dates import today
from ..extensions import db
from ..stock.queries import low_stock_select
from ..stores.models import Store

EMPTY = "No product is at or under its minimum."
# (heading, row key, right-aligned)
COLUMNS = (
    ("Store", "store", False),
    ("SKU", "sku", False),
    ("Name", "name", False),
    ("Available", "available", True),
    ("Min stock", "min_stock", True),
    ("Shortage", "shortage", True),
    ("Suggested order", "suggested_order_quantity", True),
)


def low_stock_rows(store_id=None):
    """Every store's low-stock rows (or `store_id`'s), in the API's order, as dicts
    with the store's name under `store`."""
    rows = db.session.execute(low_stock_select({"store_id": store_id})).mappings().all()
    names = dict(db.session.execute(
        select(Store.id, Store.name).where(Store.id.in_({row["store_id"] for row in rows}))
    ).all()) if rows else {}
    return [{**row, "store": names[row["store_id"]]} for row in rows]


def render_table(rows):
    """The rows as aligned text columns under a heading line, or EMPTY when there are none."""
    if not rows:
        return EMPTY + "\n"
    cells = [[heading for heading, _key, _right in COLUMNS]]
    cells += [[_cell(row[key]) for _heading, key, _right in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = []
    for line in cells:
        parts = [value.rjust(width) if right else value.ljust(width)
                 for value, width, (_heading, _key, right) in zip(line, widths, COLUMNS,
                                                                  strict=True)]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def subject(rows, day=None):
    """`Low stock: N products at or under their minimum (YYYY-MM-DD)`, N counted per
    store (a product short in two stores counts twice), the day the business's."""
    count = len(rows)
    what = "1 product at or under its minimum" if count == 1 else (
        f"{count} products at or under their minimum")
    return f"Low stock: {what} ({(day or today()).isoformat()})"


def _cell(value):
    """Text for a cell: quantities without trailing zeros (`12`, `2.5`)."""
    if isinstance(value, str):
        return value
    return format(value.normalize(), "f")
