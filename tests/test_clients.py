import pytest

from tests.catalog_utils import ROLES, create, ids, pagination
from tests.conftest import assert_error

BASE = "/api/v1/clients"


@pytest.fixture
def employee(auth):
    return auth("employee")


def make(client, headers, name, **extra):
    return create(client, headers, "clients", {"name": name, **extra})


def test_create_defaults_and_get(client, employee):
    response = client.post(BASE, json={"name": "Ana Ruiz", "email": "Ana@Example.com"}, headers=employee)
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"].endswith(f"{BASE}/{body['id']}")
    assert body["email"] == "ana@example.com"
    assert body["credit_limit"] == "0.00" and body["payment_terms_days"] == 30
    got = client.get(f"{BASE}/{body['id']}", headers=employee)
    assert got.json == body and got.headers["ETag"]
    assert_error(client.get(f"{BASE}/9999", headers=employee), 404)
    assert_error(client.patch(f"{BASE}/9999", json={"name": "x"}, headers=employee), 404)


def test_full_body(client, employee):
    body = make(client, employee, "Bodega Sur", email="pedidos@bodegasur.example", phone="555-0101",
                tax_id="30-1234", address="Sur 12", credit_limit=1500.5, payment_terms_days=45,
                notes="Friday deliveries")
    assert body["credit_limit"] == "1500.50" and body["payment_terms_days"] == 45
    assert body["tax_id"] == "30-1234" and body["notes"] == "Friday deliveries"


def test_duplicate_email_is_409_whatever_the_case(client, employee):
    make(client, employee, "A", email="a@example.com")
    assert_error(client.post(BASE, json={"name": "B", "email": "A@EXAMPLE.COM"}, headers=employee), 409)
    other = make(client, employee, "C")
    assert_error(client.patch(f"{BASE}/{other['id']}", json={"email": "a@example.com"},
                              headers=employee), 409)
    make(client, employee, "D")  # clients without email never collide


@pytest.mark.parametrize("body, field", [
    ({"name": "A", "credit_limit": "-1"}, "credit_limit"),
    ({"name": "A", "credit_limit": "1.001"}, "credit_limit"),
    ({"name": "A", "payment_terms_days": "30"}, "payment_terms_days"),
    ({"name": "A", "payment_terms_days": -1}, "payment_terms_days"),
    ({"name": "A", "email": "nope"}, "email"),
    ({"name": "A", "total_spent": "5"}, "total_spent"),
    ({}, "name"),
])
def test_bad_fields_are_422(client, employee, body, field):
    error = assert_error(client.post(BASE, json=body, headers=employee), 422)
    assert field in error["errors"]["json"]


def test_patch_filters_and_sorts(client, employee):
    zoe = make(client, employee, "Zoe Park", email="zoe@example.com", phone="111-222")
    ben = make(client, employee, "Ben Ito", tax_id="TX-77")
    amy = make(client, employee, "Amy Lee")
    patched = client.patch(f"{BASE}/{amy['id']}", json={"phone": "999-000"}, headers=employee)
    assert patched.status_code == 200 and patched.json["phone"] == "999-000"
    assert patched.json["name"] == "Amy Lee"

    def get(query):
        return ids(client.get(f"{BASE}?{query}", headers=employee))

    assert get("") == [amy["id"], ben["id"], zoe["id"]]
    assert get("sort=-name") == [zoe["id"], ben["id"], amy["id"]]
    assert get("q=zoe@") == [zoe["id"]]
    assert get("q=111") == [zoe["id"]]
    assert get("q=tx-7") == [ben["id"]]
    assert get("q=lee") == [amy["id"]]
    # need sales/debts: nobody is frequent or in debt yet; the sorts fall back to id
    assert get("frequent=true") == []
    assert get("has_debt=true") == []
    assert get("frequent=false") == [amy["id"], ben["id"], zoe["id"]]
    assert get("has_debt=false") == [amy["id"], ben["id"], zoe["id"]]
    assert get("sort=-total_spent") == [amy["id"], ben["id"], zoe["id"]]  # newest first
    assert get("sort=-last_purchase_at") == [amy["id"], ben["id"], zoe["id"]]  # newest first
    page = client.get(f"{BASE}?page_size=2&page=2", headers=employee)
    assert pagination(page) == {"total": 3, "total_pages": 2, "first_page": 1, "last_page": 2,
                                "page": 2, "previous_page": 1}
    assert_error(client.get(f"{BASE}?sort=email", headers=employee), 422)
    assert_error(client.get(f"{BASE}?frequent=often", headers=employee), 422)


def test_delete(client, auth):
    manager = auth("manager")
    temp = make(client, manager, "Temp")
    assert client.delete(f"{BASE}/{temp['id']}", headers=manager).status_code == 204
    assert_error(client.get(f"{BASE}/{temp['id']}", headers=manager), 404)
    assert_error(client.delete(f"{BASE}/9999", headers=manager), 404)


def test_delete_client_with_user_account_is_409(client, auth, make_user):
    manager = auth("manager")
    customer = make_user("customer")
    error = assert_error(client.delete(f"{BASE}/{customer['client_id']}", headers=manager), 409)
    assert error["message"] == "The client is still referenced by 1 user."
    assert client.get(f"{BASE}/{customer['client_id']}", headers=manager).status_code == 200


def test_stale_if_match_is_412(client, auth):
    manager = auth("manager")
    cl = make(client, manager, "Etag")
    etag = client.get(f"{BASE}/{cl['id']}", headers=manager).headers["ETag"]
    assert client.patch(f"{BASE}/{cl['id']}", json={"notes": "a"},
                        headers={**manager, "If-Match": etag}).status_code == 200
    assert_error(client.patch(f"{BASE}/{cl['id']}", json={"notes": "b"},
                              headers={**manager, "If-Match": etag}), 412)
    assert_error(client.delete(f"{BASE}/{cl['id']}", headers={**manager, "If-Match": etag}), 412)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, auth, role):
    existing = make(client, auth("admin"), "Existing")
    headers = auth(role)
    staff = role != "customer"
    listed = client.get(BASE, headers=headers)
    read = client.get(f"{BASE}/{existing['id']}", headers=headers)
    if staff:
        assert listed.status_code == 200 and read.status_code == 200
    else:
        assert_error(listed, 403)
        assert_error(read, 404)  # another client's record: as if it did not exist
    created = client.post(BASE, json={"name": f"New {role}"}, headers=headers)
    patched = client.patch(f"{BASE}/{existing['id']}", json={"notes": role}, headers=headers)
    for response, ok in ((created, 201), (patched, 200)):
        if staff:
            assert response.status_code == ok
        else:
            assert_error(response, 403)
    deleted = client.delete(f"{BASE}/{existing['id']}", headers=headers)
    if role in ("manager", "admin"):
        assert deleted.status_code == 204
    else:
        assert_error(deleted, 403)


def test_customer_reads_its_own_client_record_and_no_other(client, auth, make_user, login):
    other = make(client, auth("admin"), "Someone Else", email="else@example.com")
    user = make_user("customer", email="me@example.com")
    me = {"Authorization": f"Bearer {login(user['email'])['access_token']}"}
    own = client.get(f"{BASE}/{user['client_id']}", headers=me)
    assert own.status_code == 200, own.get_data(as_text=True)
    assert own.json["id"] == user["client_id"] and own.json["email"] == "me@example.com"
    assert own.headers["ETag"]
    for client_id in (other["id"], 999999):
        error = assert_error(client.get(f"{BASE}/{client_id}", headers=me), 404)
        assert error["message"] == "Client not found."
    # still no list and no writes, not even on its own record
    assert_error(client.get(BASE, headers=me), 403)
    assert_error(client.patch(f"{BASE}/{user['client_id']}", json={"notes": "x"}, headers=me), 403)
    assert_error(client.delete(f"{BASE}/{user['client_id']}", headers=me), 403)
    assert_error(client.post(BASE, json={"name": "Mine"}, headers=me), 403)


def test_email_uniqueness_does_not_depend_on_the_collation(client, employee):
    """Accents are different letters on every database (MariaDB's collation folds them)."""
    make(client, employee, "A", email="jose@example.com")
    accented = make(client, employee, "B", email="JOSÉ@example.com")
    assert accented["email"] == "josé@example.com"
    assert_error(client.post(BASE, json={"name": "C", "email": "José@Example.com"},
                             headers=employee), 409)
