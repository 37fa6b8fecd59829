import pytest

from tests.conftest import assert_error

NEW_USER = {"email": "clerk@example.com", "password": "clerk-pass-1", "name": "Clerk", "role": "employee"}


def test_admin_creates_lists_reads_updates_and_deactivates(client, auth):
    admin = auth("admin")
    created = client.post("/api/v1/users/", json=NEW_USER, headers=admin)
    assert created.status_code == 201
    user = created.json
    assert user["role"] == "employee" and user["active"] is True and user["store_ids"] == []
    assert created.headers["Location"].endswith(f"/api/v1/users/{user['id']}")

    listed = client.get("/api/v1/users/?role=employee", headers=admin)
    assert [u["email"] for u in listed.json] == ["clerk@example.com"]

    read = client.get(f"/api/v1/users/{user['id']}", headers=admin)
    assert read.json["email"] == "clerk@example.com" and read.headers["ETag"]

    patched = client.patch(f"/api/v1/users/{user['id']}", json={"role": "manager", "name": "Boss"}, headers=admin)
    assert patched.json["role"] == "manager" and patched.json["name"] == "Boss"

    assert client.delete(f"/api/v1/users/{user['id']}", headers=admin).status_code == 204
    after = client.get(f"/api/v1/users/{user['id']}", headers=admin).json
    assert after["active"] is False  # never hard-deleted


def test_store_ids_are_validated_and_stored(app, client, auth):
    from inventory_api.extensions import db
    from inventory_api.stores.models import Store

    with app.app_context():
        store = Store(name="Main", code="MAIN")
        db.session.add(store)
        db.session.commit()
        store_id = store.id
    admin = auth("admin")
    ok = client.post("/api/v1/users/", json=dict(NEW_USER, store_ids=[store_id]), headers=admin)
    assert ok.json["store_ids"] == [store_id]
    bad = client.patch(f"/api/v1/users/{ok.json['id']}", json={"store_ids": [999999]}, headers=admin)
    assert "store_ids" in assert_error(bad, 422)["errors"]["json"]
    assert client.get(f"/api/v1/users/{ok.json['id']}", headers=admin).json["store_ids"] == [store_id]


def test_customer_created_by_admin_gets_client_record(client, auth):
    response = client.post("/api/v1/users/", json=dict(NEW_USER, role="customer"), headers=auth("admin"))
    assert isinstance(response.json["client_id"], int)


def test_duplicate_email_is_409(client, auth):
    admin = auth("admin")
    client.post("/api/v1/users/", json=NEW_USER, headers=admin)
    assert_error(client.post("/api/v1/users/", json=dict(NEW_USER, email="CLERK@example.com"), headers=admin), 409)


def test_admin_cannot_deactivate_self(client, auth):
    admin = auth("admin")
    me = client.get("/api/v1/auth/me", headers=admin).json
    assert_error(client.delete(f"/api/v1/users/{me['id']}", headers=admin), 409)
    assert_error(client.patch(f"/api/v1/users/{me['id']}", json={"role": "employee"}, headers=admin), 409)


def test_stale_if_match_is_412_and_fresh_one_passes(client, auth):
    admin = auth("admin")
    user = client.post("/api/v1/users/", json=NEW_USER, headers=admin).json
    etag = client.get(f"/api/v1/users/{user['id']}", headers=admin).headers["ETag"]
    ok = client.patch(f"/api/v1/users/{user['id']}", json={"name": "A"}, headers={**admin, "If-Match": etag})
    assert ok.status_code == 200
    stale = client.patch(f"/api/v1/users/{user['id']}", json={"name": "B"}, headers={**admin, "If-Match": etag})
    assert_error(stale, 412)
    assert_error(client.delete(f"/api/v1/users/{user['id']}", headers={**admin, "If-Match": etag}), 412)
    assert client.get(f"/api/v1/users/{user['id']}", headers=admin).json["name"] == "A"


def test_unknown_user_is_404(client, auth):
    admin = auth("admin")
    assert_error(client.get("/api/v1/users/999999", headers=admin), 404)
    assert_error(client.patch("/api/v1/users/999999", json={"name": "x"}, headers=admin), 404)
    assert_error(client.delete("/api/v1/users/999999", headers=admin), 404)


def test_bad_user_fields_are_422(client, auth):
    admin = auth("admin")
    for body in (
        dict(NEW_USER, role="superuser"),
        dict(NEW_USER, email="not-an-email"),
        dict(NEW_USER, store_ids=["x"]),
        dict(NEW_USER, name=""),
        dict(NEW_USER, password_hash="x"),
    ):
        assert_error(client.post("/api/v1/users/", json=body, headers=admin), 422)
    assert client.get("/api/v1/users/?role=employee", headers=admin).json == []


@pytest.mark.parametrize("role,expected", [
    ("admin", 200), ("manager", 403), ("employee", 403), ("customer", 403),
])
def test_users_role_matrix(client, auth, make_user, role, expected):
    headers = auth(role)
    target = make_user("employee")
    checks = [
        client.get("/api/v1/users/", headers=headers),
        client.get(f"/api/v1/users/{target['id']}", headers=headers),
        client.patch(f"/api/v1/users/{target['id']}", json={"name": "Changed"}, headers=headers),
    ]
    for response in checks:
        assert response.status_code == expected, response.json
    create = client.post("/api/v1/users/", json=NEW_USER, headers=headers)
    delete = client.delete(f"/api/v1/users/{target['id']}", headers=headers)
    if expected == 200:
        assert create.status_code == 201 and delete.status_code == 204
    else:
        assert_error(create, 403)
        assert_error(delete, 403)


def test_users_endpoints_need_credentials(client):
    for method, path in (("get", "/api/v1/users/"), ("post", "/api/v1/users/"), ("get", "/api/v1/users/1"),
                         ("patch", "/api/v1/users/1"), ("delete", "/api/v1/users/1")):
        assert_error(getattr(client, method)(path, json={}), 401)


def test_customer_made_staff_loses_its_client_id_but_the_client_stays(app, client, auth):
    from inventory_api.clients.models import Client
    from inventory_api.extensions import db

    admin = auth("admin")
    customer = client.post("/api/v1/users", json=dict(NEW_USER, role="customer"), headers=admin).json
    client_id = customer["client_id"]
    assert isinstance(client_id, int)
    for role in ("employee", "manager", "admin"):
        response = client.patch(f"/api/v1/users/{customer['id']}", json={"role": role}, headers=admin)
        assert response.status_code == 200
        assert response.json["role"] == role and response.json["client_id"] is None
        assert client.get(f"/api/v1/users/{customer['id']}", headers=admin).json["client_id"] is None
        back = client.patch(f"/api/v1/users/{customer['id']}", json={"role": "customer"}, headers=admin)
        assert isinstance(back.json["client_id"], int)
    with app.app_context():
        assert db.session.get(Client, client_id) is not None


def test_staff_made_customer_gets_a_client_record(client, auth):
    admin = auth("admin")
    clerk = client.post("/api/v1/users", json=NEW_USER, headers=admin).json
    assert clerk["client_id"] is None
    response = client.patch(f"/api/v1/users/{clerk['id']}", json={"role": "customer"}, headers=admin)
    assert response.json["role"] == "customer" and isinstance(response.json["client_id"], int)


@pytest.mark.parametrize("field, value", [("name", "Bad\x00Name"), ("name", "tab\there"), ("phone", "555\x07")])
def test_names_and_phones_refuse_control_characters(client, auth, field, value):
    admin = auth("admin")
    body = assert_error(client.post("/api/v1/users", json=dict(NEW_USER, **{field: value}), headers=admin), 422)
    assert field in body["errors"]["json"]
    register = {"email": "r@example.com", "password": "buyer-pass-1", "name": "R", field: value}
    assert field in assert_error(client.post("/api/v1/auth/register", json=register), 422)["errors"]["json"]
    me = client.patch("/api/v1/auth/me", json={field: value}, headers=admin)
    assert field in assert_error(me, 422)["errors"]["json"]


def test_names_and_phones_are_trimmed_and_a_blank_phone_clears_it(client, auth):
    admin = auth("admin")
    user = client.post("/api/v1/users", json=dict(NEW_USER, name="  Clerk  ", phone=" 555 "), headers=admin).json
    assert user["name"] == "Clerk" and user["phone"] == "555"
    cleared = client.patch(f"/api/v1/users/{user['id']}", json={"phone": "  "}, headers=admin)
    assert cleared.json["phone"] is None


def test_unknown_user_message(client, auth):
    body = assert_error(client.get("/api/v1/users/424242", headers=auth("admin")), 404)
    assert body["message"] == "User not found."
