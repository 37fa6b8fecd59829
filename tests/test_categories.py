import pytest

from tests.catalog_utils import ROLES, create, ids, pagination
from tests.conftest import assert_error

BASE = "/api/v1/categories"


@pytest.fixture
def manager(auth):
    return auth("manager")


def make(client, headers, name, **extra):
    return create(client, headers, "categories", {"name": name, **extra})


def test_create_returns_201_location_and_body(client, manager):
    response = client.post(BASE, json={"name": "  Beverages ", "description": "Drinks"},
                           headers=manager)
    assert response.status_code == 201
    body = response.json
    assert body["name"] == "Beverages"
    assert body["description"] == "Drinks"
    assert body["parent_id"] is None
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith(("Z", "+00:00"))
    assert response.headers["Location"].endswith(f"{BASE}/{body['id']}")


def test_get_returns_etag_and_body(client, manager):
    root = make(client, manager, "Food")
    response = client.get(f"{BASE}/{root['id']}", headers=manager)
    assert response.status_code == 200
    assert response.json == root
    assert response.headers["ETag"]


def test_unknown_id_is_404(client, manager):
    assert_error(client.get(f"{BASE}/999999", headers=manager), 404)
    assert_error(client.patch(f"{BASE}/999999", json={"name": "x"}, headers=manager), 404)
    assert_error(client.delete(f"{BASE}/999999", headers=manager), 404)


def test_duplicate_name_is_409_whatever_the_case(client, manager):
    make(client, manager, "Dairy")
    assert_error(client.post(BASE, json={"name": "DAIRY"}, headers=manager), 409)
    other = make(client, manager, "Bakery")
    assert_error(client.patch(f"{BASE}/{other['id']}", json={"name": "dairy"}, headers=manager), 409)
    # renaming to its own name (other case) is fine
    ok = client.patch(f"{BASE}/{other['id']}", json={"name": "BAKERY"}, headers=manager)
    assert ok.status_code == 200 and ok.json["name"] == "BAKERY"


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "A", "parent_id": "1"}, "parent_id"),
    ({"name": "A", "parent_id": 0}, "parent_id"),
    ({"name": "A", "colour": "red"}, "colour"),
])
def test_bad_fields_are_422(client, manager, body, field):
    error = assert_error(client.post(BASE, json=body, headers=manager), 422)
    assert field in error["errors"]["json"]


def test_unknown_parent_is_422(client, manager):
    error = assert_error(client.post(BASE, json={"name": "A", "parent_id": 424242},
                                     headers=manager), 422)
    assert "parent_id" in error["errors"]["json"]


def test_tree_and_cycles(client, manager):
    root = make(client, manager, "Root")
    child = make(client, manager, "Child", parent_id=root["id"])
    grandchild = make(client, manager, "Grandchild", parent_id=child["id"])
    assert child["parent_id"] == root["id"]
    for target, parent in ((root, root), (root, child), (root, grandchild), (child, grandchild)):
        error = assert_error(client.patch(f"{BASE}/{target['id']}", json={"parent_id": parent["id"]},
                                          headers=manager), 422)
        assert "parent_id" in error["errors"]["json"]
    # nothing changed
    assert client.get(f"{BASE}/{root['id']}", headers=manager).json["parent_id"] is None
    # moving a leaf under the root and back to the top is fine
    moved = client.patch(f"{BASE}/{grandchild['id']}", json={"parent_id": root["id"]}, headers=manager)
    assert moved.status_code == 200 and moved.json["parent_id"] == root["id"]
    top = client.patch(f"{BASE}/{grandchild['id']}", json={"parent_id": None}, headers=manager)
    assert top.json["parent_id"] is None


def test_patch_is_partial(client, manager):
    cat = make(client, manager, "Tools", description="Hand tools")
    response = client.patch(f"{BASE}/{cat['id']}", json={"description": "Power tools"}, headers=manager)
    assert response.status_code == 200
    assert response.json["name"] == "Tools"
    assert response.json["description"] == "Power tools"
    assert response.headers["ETag"]


def test_list_filters_sort_and_pagination(client, manager):
    root = make(client, manager, "Zeta")
    alpha = make(client, manager, "Alpha", parent_id=root["id"])
    mid = make(client, manager, "Middle")
    response = client.get(BASE, headers=manager)
    assert ids(response) == [alpha["id"], mid["id"], root["id"]]
    assert pagination(response) == {"total": 3, "total_pages": 1, "first_page": 1,
                                     "last_page": 1, "page": 1}
    assert ids(client.get(BASE + "/?sort=-name", headers=manager)) == [root["id"], mid["id"], alpha["id"]]
    assert ids(client.get(BASE + "/?sort=id", headers=manager)) == [root["id"], alpha["id"], mid["id"]]
    assert ids(client.get(BASE + "/?sort=-created_at", headers=manager)) == [mid["id"], alpha["id"], root["id"]]
    assert ids(client.get(BASE + "/?q=ALP", headers=manager)) == [alpha["id"]]
    assert ids(client.get(f"{BASE}?parent_id={root['id']}", headers=manager)) == [alpha["id"]]
    assert ids(client.get(BASE + "/?root=true", headers=manager)) == [mid["id"], root["id"]]
    assert ids(client.get(BASE + "/?root=false", headers=manager)) == [alpha["id"]]
    page2 = client.get(BASE + "/?page=2&page_size=2", headers=manager)
    assert ids(page2) == [root["id"]]
    assert pagination(page2) == {"total": 3, "total_pages": 2, "first_page": 1, "last_page": 2,
                                 "page": 2, "previous_page": 1}
    page1 = client.get(BASE + "/?page=1&page_size=2", headers=manager)
    assert pagination(page1)["next_page"] == 2 and "previous_page" not in pagination(page1)


def test_q_escapes_wildcards(client, manager):
    make(client, manager, "100% juice")
    make(client, manager, "Juice")
    response = client.get(BASE + "/?q=%25", headers=manager)
    assert [c["name"] for c in response.json] == ["100% juice"]


@pytest.mark.parametrize("query", ["sort=colour", "sort=-", "page_size=101", "page=0", "parent_id=x"])
def test_bad_query_is_422(client, manager, query):
    assert_error(client.get(f"{BASE}?{query}", headers=manager), 422)


def test_delete_unreferenced_is_204(client, manager):
    cat = make(client, manager, "Temp")
    response = client.delete(f"{BASE}/{cat['id']}", headers=manager)
    assert response.status_code == 204 and response.data == b""
    assert_error(client.get(f"{BASE}/{cat['id']}", headers=manager), 404)


def test_delete_with_subcategory_or_product_is_409(client, manager):
    root = make(client, manager, "Root")
    child = make(client, manager, "Child", parent_id=root["id"])
    error = assert_error(client.delete(f"{BASE}/{root['id']}", headers=manager), 409)
    assert "subcategor" in error["message"]
    create(client, manager, "products", {"sku": "P-1", "name": "Thing", "price": "1.00",
                                         "category_id": child["id"]})
    error = assert_error(client.delete(f"{BASE}/{child['id']}", headers=manager), 409)
    assert "1 product" in error["message"]
    assert client.get(f"{BASE}/{child['id']}", headers=manager).status_code == 200


def test_stale_if_match_is_412_and_fresh_one_passes(client, manager):
    cat = make(client, manager, "Snacks")
    etag = client.get(f"{BASE}/{cat['id']}", headers=manager).headers["ETag"]
    assert client.patch(f"{BASE}/{cat['id']}", json={"description": "Salty"},
                        headers={**manager, "If-Match": etag}).status_code == 200
    stale = {**manager, "If-Match": etag}
    assert_error(client.patch(f"{BASE}/{cat['id']}", json={"description": "Sweet"}, headers=stale), 412)
    assert_error(client.delete(f"{BASE}/{cat['id']}", headers=stale), 412)
    assert client.get(f"{BASE}/{cat['id']}", headers=manager).json["description"] == "Salty"
    fresh = client.get(f"{BASE}/{cat['id']}", headers=manager).headers["ETag"]
    assert client.delete(f"{BASE}/{cat['id']}", headers={**manager, "If-Match": fresh}).status_code == 204


def test_anonymous_is_401(client):
    assert_error(client.get(BASE), 401)
    assert_error(client.post(BASE, json={"name": "x"}), 401)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, auth, manager, role):
    cat = make(client, manager, "Existing")
    headers = auth(role)
    can_write = role in ("manager", "admin")
    assert client.get(BASE, headers=headers).status_code == 200
    assert client.get(f"{BASE}/{cat['id']}", headers=headers).status_code == 200
    writes = [
        client.post(BASE, json={"name": f"New {role}"}, headers=headers),
        client.patch(f"{BASE}/{cat['id']}", json={"description": role}, headers=headers),
        client.delete(f"{BASE}/{cat['id']}", headers=headers),
    ]
    for response, ok in zip(writes, (201, 200, 204), strict=True):
        if can_write:
            assert response.status_code == ok, response.get_data(as_text=True)
        else:
            assert_error(response, 403)


def test_names_are_unique_whatever_the_case_also_beyond_ascii(client, manager):
    """SQLite's lower() folds only ASCII letters: the key column does not depend on it."""
    cat = make(client, manager, "Ñandú")
    assert cat["name"] == "Ñandú"
    error = assert_error(client.post(BASE, json={"name": "ÑANDÚ"}, headers=manager), 409)
    assert error["message"] == "A category with this name already exists."
    assert error["errors"] == {"name": "ÑANDÚ"}
    same = client.patch(f"{BASE}/{cat['id']}", json={"name": "ñandú"}, headers=manager)
    assert same.status_code == 200 and same.json["name"] == "ñandú"


def test_delete_names_subcategories_and_products(client, manager):
    root = make(client, manager, "Parent")
    make(client, manager, "Kid 1", parent_id=root["id"])
    make(client, manager, "Kid 2", parent_id=root["id"])
    create(client, manager, "products", {"sku": "C-1", "name": "Thing", "price": "1.00",
                                         "category_id": root["id"]})
    error = assert_error(client.delete(f"{BASE}/{root['id']}", headers=manager), 409)
    assert error["message"] == ("The category is still referenced by 2 subcategories and "
                                "1 product; move or delete them first.")
    assert {(r["table"], r["column"], r["count"]) for r in error["errors"]["references"]} == {
        ("categories", "parent_id", 2), ("products", "category_id", 1)}
