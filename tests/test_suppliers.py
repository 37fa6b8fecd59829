import pytest

from tests.catalog_utils import ROLES, create, ids, pagination
from tests.conftest import assert_error

BASE = "/api/v1/suppliers"


@pytest.fixture
def manager(auth):
    return auth("manager")


def make(client, headers, name, **extra):
    return create(client, headers, "suppliers", {"name": name, **extra})


def test_create_and_get(client, manager):
    response = client.post(BASE, headers=manager, json={
        "name": " Acme Mills ", "tax_id": "b-123", "email": "Sales@Acme.Example",
        "phone": "+34 600 000 000", "address": "1 Mill Road", "contact_name": "Ann",
        "lead_time_days": 5, "notes": "Pays on time"})
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"].endswith(f"{BASE}/{body['id']}")
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "updated_at")} == {
        "name": "Acme Mills", "tax_id": "b-123", "email": "sales@acme.example",
        "phone": "+34 600 000 000", "address": "1 Mill Road", "contact_name": "Ann",
        "lead_time_days": 5, "notes": "Pays on time", "active": True}
    got = client.get(f"{BASE}/{body['id']}", headers=manager)
    assert got.json == body and got.headers["ETag"]
    assert_error(client.get(f"{BASE}/9999", headers=manager), 404)
    assert_error(client.patch(f"{BASE}/9999", json={"name": "x"}, headers=manager), 404)
    assert_error(client.delete(f"{BASE}/9999", headers=manager), 404)


def test_duplicate_tax_id_is_409_whatever_the_case(client, manager):
    make(client, manager, "A", tax_id="X-1")
    assert_error(client.post(BASE, json={"name": "B", "tax_id": "x-1"}, headers=manager), 409)
    other = make(client, manager, "C")
    assert_error(client.patch(f"{BASE}/{other['id']}", json={"tax_id": "X-1"}, headers=manager), 409)
    make(client, manager, "D")  # suppliers without a tax id never collide


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"name": "A", "email": "not-an-email"}, "email"),
    ({"name": "A", "lead_time_days": -1}, "lead_time_days"),
    ({"name": "A", "lead_time_days": 2.5}, "lead_time_days"),
    ({"name": "A", "rating": 5}, "rating"),
])
def test_bad_fields_are_422(client, manager, body, field):
    error = assert_error(client.post(BASE, json=body, headers=manager), 422)
    assert field in error["errors"]["json"]


def test_patch_archive_and_filters(client, manager):
    acme = make(client, manager, "Acme", tax_id="T-100", email="a@acme.example")
    zen = make(client, manager, "Zen Supplies", email="hello@zen.example")
    bolt = make(client, manager, "Bolt")
    archived = client.patch(f"{BASE}/{bolt['id']}", json={"active": False}, headers=manager)
    assert archived.status_code == 200 and archived.json["active"] is False
    assert archived.json["name"] == "Bolt"

    def get(query):
        return ids(client.get(f"{BASE}?{query}", headers=manager))

    assert get("") == [acme["id"], bolt["id"], zen["id"]]
    assert get("active=true") == [acme["id"], zen["id"]]
    assert get("active=false") == [bolt["id"]]
    assert get("q=zen") == [zen["id"]]
    assert get("q=t-1") == [acme["id"]]
    assert get("q=ACME.EX") == [acme["id"]]
    assert get("sort=-name") == [zen["id"], bolt["id"], acme["id"]]
    assert get("sort=id") == [acme["id"], zen["id"], bolt["id"]]
    assert get("sort=-created_at") == [bolt["id"], zen["id"], acme["id"]]
    page = client.get(f"{BASE}?page_size=2", headers=manager)
    assert pagination(page) == {"total": 3, "total_pages": 2, "first_page": 1, "last_page": 2,
                                "page": 1, "next_page": 2}


@pytest.mark.parametrize("query", ["sort=rating", "page_size=500", "active=x"])
def test_bad_query_is_422(client, manager, query):
    assert_error(client.get(f"{BASE}?{query}", headers=manager), 422)


def test_delete_unreferenced_is_204(client, manager):
    sup = make(client, manager, "Temp")
    assert client.delete(f"{BASE}/{sup['id']}", headers=manager).status_code == 204
    assert_error(client.get(f"{BASE}/{sup['id']}", headers=manager), 404)


def test_delete_referenced_by_product_is_409(client, manager):
    sup = make(client, manager, "Used")
    create(client, manager, "products", {"sku": "S1", "name": "x", "price": 1,
                                         "preferred_supplier_id": sup["id"]})
    error = assert_error(client.delete(f"{BASE}/{sup['id']}", headers=manager), 409)
    assert "1 product (preferred supplier)" in error["message"]
    assert "active=false" in error["message"]
    assert client.get(f"{BASE}/{sup['id']}", headers=manager).status_code == 200


def test_stale_if_match_is_412(client, manager):
    sup = make(client, manager, "Etag")
    etag = client.get(f"{BASE}/{sup['id']}", headers=manager).headers["ETag"]
    assert client.patch(f"{BASE}/{sup['id']}", json={"notes": "a"},
                        headers={**manager, "If-Match": etag}).status_code == 200
    assert_error(client.patch(f"{BASE}/{sup['id']}", json={"notes": "b"},
                              headers={**manager, "If-Match": etag}), 412)
    assert_error(client.delete(f"{BASE}/{sup['id']}", headers={**manager, "If-Match": etag}), 412)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, auth, manager, role):
    sup = make(client, manager, "Existing")
    headers = auth(role)
    reads = [client.get(BASE, headers=headers), client.get(f"{BASE}/{sup['id']}", headers=headers)]
    for response in reads:
        if role == "customer":
            assert_error(response, 403)
        else:
            assert response.status_code == 200
    writes = [
        (client.post(BASE, json={"name": f"New {role}"}, headers=headers), 201),
        (client.patch(f"{BASE}/{sup['id']}", json={"notes": role}, headers=headers), 200),
        (client.delete(f"{BASE}/{sup['id']}", headers=headers), 204),
    ]
    for response, ok in writes:
        if role in ("manager", "admin"):
            assert response.status_code == ok, response.get_data(as_text=True)
        else:
            assert_error(response, 403)


def test_tax_id_keeps_its_spelling_and_stays_unique_whatever_the_case(client, manager):
    sup = make(client, manager, "Spelled", tax_id="ab-1")
    assert sup["tax_id"] == "ab-1"
    assert client.get(f"{BASE}/{sup['id']}", headers=manager).json["tax_id"] == "ab-1"
    error = assert_error(client.post(BASE, json={"name": "Dup", "tax_id": "AB-1"}, headers=manager),
                         409)
    assert error["message"] == "A supplier with this tax id already exists."
    assert error["errors"] == {"tax_id": "AB-1"}
    same = client.patch(f"{BASE}/{sup['id']}", json={"tax_id": "Ab-1"}, headers=manager)
    assert same.status_code == 200 and same.json["tax_id"] == "Ab-1"
    assert ids(client.get(f"{BASE}?q=AB-1", headers=manager)) == [sup["id"]]


def test_delete_referenced_by_a_lot_names_it(app, client, manager):
    from inventory_api.extensions import db
    from inventory_api.stock.models import Lot

    sup = make(client, manager, "Lots")
    product = create(client, manager, "products", {"sku": "L1", "name": "x", "price": 1})
    with app.app_context():
        db.session.add(Lot(product_id=product["id"], code="L-1", supplier_id=sup["id"]))
        db.session.commit()
    error = assert_error(client.delete(f"{BASE}/{sup['id']}", headers=manager), 409)
    assert error["message"] == ("The supplier is still referenced by 1 lot; "
                                "archive it with active=false instead.")
    assert error["errors"]["references"] == [{"table": "lots", "column": "supplier_id",
                                              "count": 1, "history": False, "label": "1 lot"}]
