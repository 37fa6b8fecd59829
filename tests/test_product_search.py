"""The product list's page and total come from one prebuilt statement per shape of query.

Every combination of filters gives the rows and the `X-Pagination` total a
plain filter over all products gives, on page 1, on a later page and past
the end (where no row carries the total and it is counted on its own).
"""

from decimal import Decimal

import pytest

from tests.catalog_utils import create, pagination, put_stock
from tests.test_query_counts import count_statements


@pytest.fixture
def catalog(app, client, auth):
    """A three-level category tree and 30 products spread over it and one outside."""
    headers = auth("manager")
    root = create(client, headers, "categories", {"name": "Food"})
    dairy = create(client, headers, "categories", {"name": "Dairy", "parent_id": root["id"]})
    cheese = create(client, headers, "categories", {"name": "Cheese", "parent_id": dairy["id"]})
    other = create(client, headers, "categories", {"name": "Tools"})
    stores = [create(client, headers, "stores", {"name": f"Shop {n}", "code": f"SH{n}"})
              for n in range(2)]
    categories = [root, dairy, cheese, other]
    products = []
    for n in range(30):
        category = categories[n % 4]
        products.append(create(client, headers, "products", {
            "sku": f"SRCH-{n:02}", "name": f"Item {n % 7} {n:02}",
            "category_id": category["id"], "price": f"{1 + n * 1.5:.2f}",
            "min_stock": "3", **({"barcode": f"BC{n:04}"} if n % 3 == 0 else {})}))
    for n, product in enumerate(products):
        if n % 5:
            put_stock(app, product["id"], stores[n % 2]["id"], str(n % 6))
    return {"headers": headers, "root": root, "subtree": {root["id"], dairy["id"], cheese["id"]},
            "stores": stores, "products": products}


def _all_products(client, headers):
    rows, page = [], 1
    while True:
        response = client.get(f"/api/v1/products?page_size=100&page={page}", headers=headers)
        rows += response.json
        if len(response.json) < 100:
            return rows
        page += 1


def _expected(rows, catalog, query):
    keep = []
    for row in rows:
        if "category" in query and row["category_id"] not in catalog["subtree"]:
            continue
        if "min_price" in query and Decimal(row["price"]) < Decimal(query["min_price"]):
            continue
        if "max_price" in query and Decimal(row["price"]) > Decimal(query["max_price"]):
            continue
        if "q" in query and not any(query["q"].lower() in (row.get(f) or "").lower()
                                    for f in ("name", "sku", "barcode")):
            continue
        if "stock_status" in query and row["stock_status"] != query["stock_status"]:
            continue
        keep.append(row)
    return keep


@pytest.mark.parametrize("query", [
    {},
    {"category": True},
    {"category": True, "min_price": "5", "max_price": "30"},
    {"q": "item 3", "max_price": "40"},
    {"q": "bc00"},
    {"stock_status": "low", "category": True},
    {"stock_status": "out", "min_price": "2"},
])
@pytest.mark.parametrize("sort", ["name", "-price", "stock_total"])
def test_pages_and_totals_match_a_plain_filter(client, catalog, query, sort):
    headers = catalog["headers"]
    every = _all_products(client, headers)
    assert len(every) == 30
    wanted = _expected(every, catalog, query)
    key = sort.lstrip("-")
    number = (lambda v: Decimal(v)) if key in ("price", "stock_total") else (lambda v: v)
    wanted.sort(key=lambda r: r["id"], reverse=sort.startswith("-"))
    wanted.sort(key=lambda r: number(r[key]), reverse=sort.startswith("-"))
    params = {k: v for k, v in query.items() if k != "category"}
    if query.get("category"):
        params["category_id"] = catalog["root"]["id"]
    text = "&".join(f"{k}={v}" for k, v in params.items())
    seen = []
    for page in (1, 2, 3, 9):
        response = client.get(f"/api/v1/products?{text}&sort={sort}&page_size=4&page={page}",
                               headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert pagination(response)["total"] == len(wanted), (page, query)
        if page < 9:
            seen += response.json
        else:  # past the end
            assert response.json == []
    assert [r["id"] for r in seen] == [r["id"] for r in wanted][:12]
    assert seen == wanted[:12]  # same fields and values as the unfiltered list


def test_one_statement_for_a_page_and_its_total(app, client, catalog):
    """Authentication, the category's subtree, then one statement for the page and
    its total; a page past the end adds the count."""
    headers = catalog["headers"]
    path = (f"/api/v1/products?category_id={catalog['root']['id']}"
            "&min_price=1&max_price=500&page_size=5")
    client.get(path, headers=headers)  # warm: nothing left for a first request to load
    with count_statements(app) as statements:
        response = client.get(path, headers=headers)
    assert len(response.json) == 5
    assert pagination(response)["total"] == 23
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 3, statements  # authentication, subtree, page with its total
    with count_statements(app) as statements:
        response = client.get(f"{path}&page=50", headers=headers)
    assert response.json == [] and pagination(response)["total"] == 23
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 4, statements


def test_no_match_on_page_one_is_a_total_of_zero(client, catalog):
    response = client.get("/api/v1/products?q=nothing-like-this", headers=catalog["headers"])
    assert response.status_code == 200
    assert response.json == [] and pagination(response)["total"] == 0
