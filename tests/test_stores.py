import pytest

from tests.catalog_utils import ROLES, create, ids, pagination, put_stock
from tests.conftest import assert_error

BASE = "/api/v1/stores"


@pytest.fixture
def manager(auth):
    return auth("manager")


def make(client, headers, name, code, **extra):
    return create(client, headers, "stores", {"name": name, "code": code, **extra})


def test_create_and_get(client, manager):
    response = client.post(BASE, json={"name": " Downtown ", "code": "dt-1", "address": "Main St 1"},
                           headers=manager)
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"].endswith(f"{BASE}/{body['id']}")
    assert (body["name"], body["code"], body["address"], body["active"]) == (
        "Downtown", "dt-1", "Main St 1", True)
    got = client.get(f"{BASE}/{body['id']}", headers=manager)
    assert got.json == body and got.headers["ETag"]
    assert_error(client.get(f"{BASE}/9999", headers=manager), 404)
    assert_error(client.patch(f"{BASE}/9999", json={"name": "x"}, headers=manager), 404)
    assert_error(client.delete(f"{BASE}/9999", headers=manager), 404)


def test_duplicate_code_or_name_is_409_whatever_the_case(client, manager):
    make(client, manager, "Harbour", "HB")
    assert_error(client.post(BASE, json={"name": "Other", "code": "hb"}, headers=manager), 409)
    assert_error(client.post(BASE, json={"name": "HARBOUR", "code": "H2"}, headers=manager), 409)
    other = make(client, manager, "Hill", "HL")
    assert_error(client.patch(f"{BASE}/{other['id']}", json={"code": "Hb"}, headers=manager), 409)
    assert_error(client.patch(f"{BASE}/{other['id']}", json={"name": "harbour"}, headers=manager), 409)


@pytest.mark.parametrize("body, field", [
    ({"name": "A"}, "code"),
    ({"code": "A"}, "name"),
    ({"name": "A", "code": "with space"}, "code"),
    ({"name": "A", "code": "X" * 21}, "code"),
    ({"name": "A", "code": "A1", "active": "yes please"}, "active"),
    ({"name": "A", "code": "A1", "city": "Rome"}, "city"),
])
def test_bad_fields_are_422(client, manager, body, field):
    error = assert_error(client.post(BASE, json=body, headers=manager), 422)
    assert field in error["errors"]["json"]


def test_patch_filters_sort_pagination(client, manager):
    north = make(client, manager, "North", "N1")
    south = make(client, manager, "South", "S1")
    annex = make(client, manager, "Annex", "Z9")
    response = client.patch(f"{BASE}/{annex['id']}", json={"active": False}, headers=manager)
    assert response.status_code == 200 and response.json["active"] is False

    def get(query):
        return ids(client.get(f"{BASE}?{query}", headers=manager))

    assert get("") == [annex["id"], north["id"], south["id"]]
    assert get("active=true") == [north["id"], south["id"]]
    assert get("active=false") == [annex["id"]]
    assert get("q=sou") == [south["id"]]
    assert get("q=z9") == [annex["id"]]
    assert get("sort=code") == [north["id"], south["id"], annex["id"]]
    assert get("sort=-code") == [annex["id"], south["id"], north["id"]]
    assert get("sort=-name") == [south["id"], north["id"], annex["id"]]
    assert get("sort=id") == [north["id"], south["id"], annex["id"]]
    assert get("sort=-created_at")[0] == annex["id"]
    page = client.get(f"{BASE}?page=2&page_size=1", headers=manager)
    assert pagination(page) == {"total": 3, "total_pages": 3, "first_page": 1, "last_page": 3,
                                "page": 2, "previous_page": 1, "next_page": 3}
    assert_error(client.get(f"{BASE}?sort=address", headers=manager), 422)
    assert_error(client.get(f"{BASE}?page_size=101", headers=manager), 422)


def test_delete_empty_store_is_204(client, manager):
    store = make(client, manager, "Popup", "POP")
    assert client.delete(f"{BASE}/{store['id']}", headers=manager).status_code == 204
    assert_error(client.get(f"{BASE}/{store['id']}", headers=manager), 404)


def test_delete_store_with_stock_or_users_is_409(app, client, auth, manager):
    stocked = make(client, manager, "Stocked", "ST")
    product = create(client, manager, "products", {"sku": "P", "name": "P", "price": 1})
    put_stock(app, product["id"], stocked["id"], "3", with_movement=True)
    error = assert_error(client.delete(f"{BASE}/{stocked['id']}", headers=manager), 409)
    assert error["message"] == ("The store is still referenced by 1 movement and 1 stock level; "
                                "archive it with active=false instead.")
    scoped = make(client, manager, "Scoped", "SC")
    auth("employee", store_ids=[scoped["id"]])
    error = assert_error(client.delete(f"{BASE}/{scoped['id']}", headers=manager), 409)
    assert "1 user;" in error["message"]


def test_stale_if_match_is_412(client, manager):
    store = make(client, manager, "Etag", "ET")
    etag = client.get(f"{BASE}/{store['id']}", headers=manager).headers["ETag"]
    assert client.patch(f"{BASE}/{store['id']}", json={"address": "a"},
                        headers={**manager, "If-Match": etag}).status_code == 200
    assert_error(client.patch(f"{BASE}/{store['id']}", json={"address": "b"},
                              headers={**manager, "If-Match": etag}), 412)
    assert_error(client.delete(f"{BASE}/{store['id']}", headers={**manager, "If-Match": etag}), 412)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, auth, manager, role):
    store = make(client, manager, "Existing", "EX")
    headers = auth(role)
    for response in (client.get(BASE, headers=headers), client.get(f"{BASE}/{store['id']}", headers=headers)):
        if role == "customer":
            assert_error(response, 403)
        else:
            assert response.status_code == 200
    writes = [
        (client.post(BASE, json={"name": f"New {role}", "code": f"N-{role[:3]}"}, headers=headers), 201),
        (client.patch(f"{BASE}/{store['id']}", json={"address": role}, headers=headers), 200),
        (client.delete(f"{BASE}/{store['id']}", headers=headers), 204),
    ]
    for response, ok in writes:
        if role in ("manager", "admin"):
            assert response.status_code == ok, response.get_data(as_text=True)
        else:
            assert_error(response, 403)


def test_name_and_code_keep_their_spelling_and_stay_unique_whatever_the_case(client, manager):
    store = make(client, manager, "Río Sur", "ab-1")
    assert (store["name"], store["code"]) == ("Río Sur", "ab-1")
    assert client.get(f"{BASE}/{store['id']}", headers=manager).json["code"] == "ab-1"
    error = assert_error(client.post(BASE, json={"name": "Other", "code": "AB-1"}, headers=manager),
                         409)
    assert error["errors"] == {"code": "AB-1"}
    error = assert_error(client.post(BASE, json={"name": "RÍO SUR", "code": "X2"}, headers=manager),
                         409)
    assert error["errors"] == {"name": "RÍO SUR"}
    # renaming a store to its own name in another case is not a conflict with itself
    renamed = client.patch(f"{BASE}/{store['id']}", json={"code": "Ab-1"}, headers=manager)
    assert renamed.status_code == 200 and renamed.json["code"] == "Ab-1"
    assert ids(client.get(f"{BASE}?q=AB-1", headers=manager)) == [store["id"]]
    assert ids(client.get(f"{BASE}?q=ab", headers=manager)) == [store["id"]]


@pytest.fixture
def scoped(client, auth, manager):
    """A manager limited to store `mine`; `theirs` is outside its scope."""
    mine = make(client, manager, "Mine", "MINE")
    theirs = make(client, manager, "Theirs", "THEIRS")
    return {"headers": auth("manager", store_ids=[mine["id"]]), "mine": mine, "theirs": theirs}


def test_scoped_manager_cannot_write_stores_outside_its_scope(client, manager, scoped):
    headers, theirs = scoped["headers"], scoped["theirs"]
    error = assert_error(client.patch(f"{BASE}/{theirs['id']}", json={"active": False},
                                      headers=headers), 403)
    assert "outside" in error["message"]
    assert_error(client.delete(f"{BASE}/{theirs['id']}", headers=headers), 403)
    error = assert_error(client.post(BASE, json={"name": "New", "code": "NEW"}, headers=headers),
                         403)
    assert "create stores" in error["message"]
    # nothing changed
    after = client.get(f"{BASE}/{theirs['id']}", headers=manager).json
    assert after["active"] is True and after["updated_at"] == theirs["updated_at"]
    assert [s["code"] for s in client.get(BASE, headers=manager).json] == ["MINE", "THEIRS"]


def test_scoped_manager_may_change_a_store_in_its_scope(client, scoped):
    headers, mine = scoped["headers"], scoped["mine"]
    response = client.patch(f"{BASE}/{mine['id']}", json={"address": "Dock 4"}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["address"] == "Dock 4"
    # deleting it is refused for the usual reason: its own scope refers to it
    error = assert_error(client.delete(f"{BASE}/{mine['id']}", headers=headers), 409)
    assert "1 user" in error["message"]


def test_scoped_manager_gets_403_before_a_stale_if_match(client, manager, scoped):
    theirs = scoped["theirs"]
    etag = client.get(f"{BASE}/{theirs['id']}", headers=manager).headers["ETag"]
    client.patch(f"{BASE}/{theirs['id']}", json={"address": "moved"}, headers=manager)
    stale = {**scoped["headers"], "If-Match": etag}
    assert_error(client.patch(f"{BASE}/{theirs['id']}", json={"address": "x"}, headers=stale), 403)
