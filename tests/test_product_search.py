"""The product list's page and total come from one prebuilt statement per shape of query.

Every combination of filters gives the rows and the `X-Pagination` total a
plain filter over all products gives, on page 1, on a later page and past
the end (where no row carries the total and it is counted on its own).
"""

from decimal import Decimal

import pytest

from inventory_api.common.pagination import Listing
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


def _selects(statements):
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def test_one_statement_for_a_page_and_its_total(app, client, catalog):
    """Authentication, then one statement for the page, its total and the category
    tree's version (the subtree's ids come from the process's copy of the tree);
    a page past the end adds the count and a read of the version."""
    headers = catalog["headers"]
    path = (f"/api/v1/products?category_id={catalog['root']['id']}"
            "&min_price=1&max_price=500&page_size=5")
    client.get(path, headers=headers)  # warm: nothing left for a first request to load
    with count_statements(app) as statements:
        response = client.get(path, headers=headers)
    assert len(response.json) == 5
    assert pagination(response)["total"] == 23
    assert len(_selects(statements)) == 2, statements  # authentication, page with its total
    with count_statements(app) as statements:
        response = client.get(f"{path}&page=50", headers=headers)
    assert response.json == [] and pagination(response)["total"] == 23
    assert len(_selects(statements)) == 4, statements


def _subtree_ids(client, headers, root_id):
    response = client.get(f"/api/v1/products?category_id={root_id}&page_size=100",
                          headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert pagination(response)["total"] == len(response.json)
    assert all("tree_version" not in row for row in response.json)
    return {row["id"] for row in response.json}


def test_category_changes_show_at_once_in_the_filter(app, client, catalog):
    """The process's copy of the tree is never used stale: a new subcategory, a
    category moved out of the tree and one moved in show in the next list, which
    reads the tree again (one page statement more), and then costs two statements
    again."""
    headers = catalog["headers"]
    root = catalog["root"]["id"]
    by_id = {p["id"]: p for p in catalog["products"]}
    before = _subtree_ids(client, headers, root)
    assert {by_id[i]["category_id"] for i in before} == catalog["subtree"]

    spices = create(client, headers, "categories", {"name": "Spices", "parent_id": root})
    pepper = create(client, headers, "products", {"sku": "PEPPER", "name": "Pepper",
                                                   "category_id": spices["id"], "price": "2.00"})
    with count_statements(app) as statements:
        assert _subtree_ids(client, headers, root) == before | {pepper["id"]}
    # the page with the copy's ids, the tree, the page again
    assert len(_selects(statements)) == 4, statements
    with count_statements(app) as statements:
        assert _subtree_ids(client, headers, root) == before | {pepper["id"]}
    assert len(_selects(statements)) == 2, statements

    dairy = next(c for c in client.get("/api/v1/categories?page_size=100",
                                       headers=headers).json if c["name"] == "Dairy")
    response = client.patch(f"/api/v1/categories/{dairy['id']}", json={"parent_id": None},
                            headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    moved_out = {i for i in before if by_id[i]["category_id"] != root}  # Dairy and Cheese
    assert moved_out
    assert _subtree_ids(client, headers, root) == (before - moved_out) | {pepper["id"]}
    assert _subtree_ids(client, headers, dairy["id"]) == moved_out

    tools = next(c for c in client.get("/api/v1/categories?page_size=100",
                                       headers=headers).json if c["name"] == "Tools")
    response = client.patch(f"/api/v1/categories/{dairy['id']}",
                            json={"parent_id": tools["id"]}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert moved_out <= _subtree_ids(client, headers, tools["id"])
    assert not moved_out & _subtree_ids(client, headers, root)


def test_a_change_made_by_another_process_shows_at_once(app, client, catalog):
    """Another worker (here a second application on the same database, with its
    own copy of the tree) moves a category: this one's next list sees it."""
    from inventory_api import create_app

    headers = catalog["headers"]
    root = catalog["root"]["id"]
    before = _subtree_ids(client, headers, root)  # this application's copy is now held
    other = create_app({"APP_ENV": "testing",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other_client = other.test_client()
    cheese = next(c for c in other_client.get("/api/v1/categories?page_size=100",
                                              headers=headers).json if c["name"] == "Cheese")
    response = other_client.patch(f"/api/v1/categories/{cheese['id']}",
                                  json={"parent_id": None}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    cheese_products = {p["id"] for p in catalog["products"] if p["category_id"] == cheese["id"]}
    assert cheese_products and cheese_products <= before
    assert _subtree_ids(client, headers, root) == before - cheese_products
    with other.app_context():
        from inventory_api.extensions import db
        db.session.remove()
        db.engine.dispose()


def test_a_tree_that_keeps_changing_still_gives_the_page(app, client, catalog, monkeypatch):
    """When every fresh copy of the tree is outdated by the time its page is read,
    the list still answers after a few rounds, with the page of the last copy."""
    from inventory_api.categories.models import CATEGORY_TREE

    headers = catalog["headers"]
    root = catalog["root"]["id"]
    expected = {p["id"] for p in catalog["products"] if p["category_id"] in catalog["subtree"]}
    read = CATEGORY_TREE.refresh
    rounds = []

    def outdated_refresh():
        snapshot = read()
        snapshot.version = -1  # never the version a page reads
        rounds.append(snapshot)
        return snapshot

    monkeypatch.setattr(CATEGORY_TREE, "refresh", outdated_refresh)
    app.extensions.pop("cached_tree:categories", None)
    assert _subtree_ids(client, headers, root) == expected
    assert len(rounds) == 1 + Listing.MAX_REVISIONS  # the first copy, then one per round


def test_an_unknown_or_empty_category_is_an_empty_page(client, catalog):
    headers = catalog["headers"]
    response = client.get("/api/v1/products?category_id=999999999", headers=headers)
    assert response.status_code == 200 and response.json == []
    assert pagination(response)["total"] == 0
    empty = create(client, headers, "categories", {"name": "Empty"})
    assert _subtree_ids(client, headers, empty["id"]) == set()


def test_no_match_on_page_one_is_a_total_of_zero(client, catalog):
    response = client.get("/api/v1/products?q=nothing-like-this", headers=catalog["headers"])
    assert response.status_code == 200
    assert response.json == [] and pagination(response)["total"] == 0
