import pytest

from tests.conftest import assert_error


def test_issue_use_list_and_revoke_a_key(client, auth):
    admin = auth("admin")
    created = client.post("/api/v1/api-keys/", json={"name": "shop sync", "role": "manager"}, headers=admin)
    assert created.status_code == 201
    body = created.json
    secret = body["key"]
    assert secret.startswith("ik_") and len(secret) > 30
    assert body["role"] == "manager" and body["active"] is True
    assert secret.startswith(body["prefix"])

    listed = client.get("/api/v1/api-keys/", headers=admin).json
    assert [k["name"] for k in listed] == ["shop sync"]
    assert "key" not in listed[0] and secret not in str(listed)

    # the key acts with its role: a manager may not list users
    assert_error(client.get("/api/v1/users/", headers={"X-API-Key": secret}), 403)

    assert client.delete(f"/api/v1/api-keys/{body['id']}", headers=admin).status_code == 204
    assert_error(client.get("/api/v1/users/", headers={"X-API-Key": secret}), 401)
    assert client.get("/api/v1/api-keys/", headers=admin).json[0]["active"] is False


def test_admin_key_can_administer_users(client, auth):
    secret = client.post("/api/v1/api-keys/", json={"name": "it", "role": "admin"}, headers=auth("admin")).json["key"]
    response = client.get("/api/v1/users/", headers={"X-API-Key": secret})
    assert response.status_code == 200 and len(response.json) == 1


def test_key_is_stored_hashed(app, client, auth):
    from inventory_api.auth.models import ApiKey
    from inventory_api.extensions import db

    secret = client.post("/api/v1/api-keys/", json={"name": "x", "role": "employee"}, headers=auth("admin")).json["key"]
    with app.app_context():
        stored = db.session.scalars(db.select(ApiKey)).one()
        assert stored.key_hash != secret and secret not in stored.key_hash
        assert len(stored.key_hash) == 64


def test_unknown_key_is_401(client):
    response = client.get("/api/v1/auth/me", headers={"X-API-Key": "ik_nope"})
    assert_error(response, 401)


def test_customer_keys_are_not_issued(client, auth):
    assert_error(client.post("/api/v1/api-keys/", json={"name": "x", "role": "customer"}, headers=auth("admin")), 422)


def test_revoke_unknown_key_is_404(client, auth):
    assert_error(client.delete("/api/v1/api-keys/999999", headers=auth("admin")), 404)


@pytest.mark.parametrize("role", ["manager", "employee", "customer"])
def test_only_admins_manage_keys(client, auth, role):
    headers = auth(role)
    assert_error(client.get("/api/v1/api-keys/", headers=headers), 403)
    assert_error(client.post("/api/v1/api-keys/", json={"name": "x", "role": "employee"}, headers=headers), 403)
    assert_error(client.delete("/api/v1/api-keys/1", headers=headers), 403)


def test_using_a_key_records_last_used_at(client, auth):
    from datetime import UTC, datetime, timedelta

    admin = auth("admin")
    reader = client.post("/api/v1/api-keys", json={"name": "reader", "role": "manager"}, headers=admin).json
    writer = client.post("/api/v1/api-keys", json={"name": "writer", "role": "admin"}, headers=admin).json
    client.post("/api/v1/api-keys", json={"name": "idle", "role": "employee"}, headers=admin)
    assert reader["last_used_at"] is None
    before = datetime.now(UTC) - timedelta(seconds=1)

    assert client.get("/api/v1/products", headers={"X-API-Key": reader["key"]}).status_code == 200
    created = client.post("/api/v1/api-keys", json={"name": "made by a key", "role": "employee"},
                          headers={"X-API-Key": writer["key"]})
    assert created.status_code == 201

    listed = {k["name"]: k for k in client.get("/api/v1/api-keys", headers=admin).json}
    for name in ("reader", "writer"):
        used = datetime.fromisoformat(listed[name]["last_used_at"])
        assert before <= used <= datetime.now(UTC) + timedelta(seconds=1), listed[name]
    assert listed["idle"]["last_used_at"] is None and listed["made by a key"]["last_used_at"] is None

    # written at most once a minute: a second use in the same minute leaves it as it was
    client.get("/api/v1/products", headers={"X-API-Key": reader["key"]})
    again = {k["name"]: k for k in client.get("/api/v1/api-keys", headers=admin).json}
    assert again["reader"]["last_used_at"] == listed["reader"]["last_used_at"]
