from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from tests.conftest import PASSWORD, assert_error

REGISTER = {"email": "Buyer@Example.com", "password": "buyer-pass-1", "name": "Buyer"}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_register_creates_customer_with_client_record(client):
    response = client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 201
    body = response.json
    assert body["email"] == "buyer@example.com"
    assert body["role"] == "customer"
    assert isinstance(body["client_id"], int)
    assert "password" not in body and "password_hash" not in body
    assert response.headers["Location"].endswith(f"/api/v1/users/{body['id']}")


def test_register_duplicate_email_is_409_case_insensitive(client):
    assert client.post("/api/v1/auth/register", json=REGISTER).status_code == 201
    again = dict(REGISTER, email="BUYER@example.COM")
    assert_error(client.post("/api/v1/auth/register", json=again), 409)


def test_register_rejects_role_and_bad_password(client):
    body = assert_error(client.post("/api/v1/auth/register", json=dict(REGISTER, role="admin")), 422)
    assert "role" in body["errors"]["json"]
    short = assert_error(client.post("/api/v1/auth/register", json=dict(REGISTER, password="short")), 422)
    assert "password" in short["errors"]["json"]
    long = assert_error(client.post("/api/v1/auth/register", json=dict(REGISTER, password="x" * 73)), 422)
    assert "password" in long["errors"]["json"]


def test_login_returns_tokens_and_user(client, make_user):
    user = make_user("manager")
    response = client.post("/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["id"] == user["id"] and body["user"]["role"] == "manager"
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.json["email"] == user["email"]


def test_login_same_message_for_unknown_email_and_wrong_password(client, make_user):
    user = make_user("employee")
    wrong = assert_error(client.post("/api/v1/auth/login", json={"email": user["email"], "password": "nope-nope"}), 401)
    unknown = assert_error(client.post("/api/v1/auth/login", json={"email": "ghost@example.com", "password": "nope-nope"}), 401)
    assert wrong["message"] == unknown["message"]


def test_inactive_user_cannot_login(client, make_user):
    user = make_user("employee", active=False)
    assert_error(client.post("/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD}), 401)


def test_refresh_gives_new_access_token(client, make_user, login):
    tokens = login(make_user("employee")["email"])
    response = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    me = client.get("/api/v1/auth/me", headers=bearer(response.json["access_token"]))
    assert me.status_code == 200


def test_token_types_are_not_interchangeable(client, make_user, login):
    tokens = login(make_user("employee")["email"])
    assert_error(client.get("/api/v1/auth/me", headers=bearer(tokens["refresh_token"])), 401)
    assert_error(client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"])), 401)


def test_logout_revokes_access_and_refresh(client, make_user, login):
    tokens = login(make_user("employee")["email"])
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    response = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])), 401)


def test_logout_with_refresh_token_revokes_derived_access_tokens(client, make_user, login):
    tokens = login(make_user("employee")["email"])
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["refresh_token"])).status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])), 401)


def test_other_sessions_survive_logout(client, make_user, login):
    email = make_user("employee")["email"]
    first, second = login(email), login(email)
    client.post("/api/v1/auth/logout", headers=bearer(first["access_token"]))
    assert client.get("/api/v1/auth/me", headers=bearer(second["access_token"])).status_code == 200


def test_expired_token_is_401(app, client, make_user):
    user = make_user("employee")
    with app.app_context():
        token = create_access_token(identity=str(user["id"]), expires_delta=timedelta(seconds=-1),
                                    additional_claims={"ver": 0})
    body = assert_error(client.get("/api/v1/auth/me", headers=bearer(token)), 401)
    assert "expired" in body["message"].lower()


def test_garbage_and_missing_tokens_are_401_in_error_shape(client):
    for headers in ({}, bearer("garbage"), bearer("a.b.c"), {"Authorization": "Basic Zm9vOmJhcg=="}):
        response = client.get("/api/v1/auth/me", headers=headers)
        body = assert_error(response, 401)
        assert body["message"] in ("Missing credentials.", "Invalid token."), body
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_signed_with_other_secret_is_401(app, client, make_user):
    import jwt as pyjwt

    user = make_user("admin")
    forged = pyjwt.encode({"sub": str(user["id"]), "type": "access", "jti": "x", "fresh": False},
                          "not-our-secret-not-our-secret-123", algorithm="HS256")
    assert_error(client.get("/api/v1/users/", headers=bearer(forged)), 401)


def test_deactivated_user_token_stops_working(client, auth, make_user, login):
    admin = auth("admin")
    user = make_user("employee")
    token = login(user["email"])["access_token"]
    assert client.delete(f"/api/v1/users/{user['id']}", headers=admin).status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=bearer(token)), 401)


def test_me_patch_changes_name_and_phone_only(client, auth):
    headers = auth("customer")
    response = client.patch("/api/v1/auth/me", json={"name": "New Name", "phone": "+1 555"}, headers=headers)
    assert response.status_code == 200
    assert response.json["name"] == "New Name" and response.json["phone"] == "+1 555"
    for field, value in (("role", "admin"), ("email", "x@example.com"), ("active", False), ("store_ids", [])):
        body = assert_error(client.patch("/api/v1/auth/me", json={field: value}, headers=headers), 422)
        assert field in body["errors"]["json"]
    assert client.get("/api/v1/auth/me", headers=headers).json["role"] == "customer"


def test_customer_cannot_become_admin_by_any_request(client, auth, make_user):
    headers = auth("customer")
    me = client.get("/api/v1/auth/me", headers=headers).json
    attempts = [
        ("patch", "/api/v1/auth/me", {"role": "admin"}),
        ("patch", f"/api/v1/users/{me['id']}", {"role": "admin"}),
        ("post", "/api/v1/users/", {"email": "evil@example.com", "password": "evil-pass-1", "name": "E", "role": "admin"}),
        ("post", "/api/v1/api-keys/", {"name": "evil", "role": "admin"}),
        ("post", "/api/v1/auth/register", {"email": "e2@example.com", "password": "evil-pass-1", "name": "E", "role": "admin"}),
    ]
    for method, path, body in attempts:
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code in (403, 422), (path, response.status_code)
    assert client.get("/api/v1/auth/me", headers=headers).json["role"] == "customer"


def test_change_password(client, make_user, login):
    user = make_user("employee")
    token = login(user["email"])["access_token"]
    wrong = client.post("/api/v1/auth/password", json={"current_password": "wrong-one", "new_password": "brand-new-pass"}, headers=bearer(token))
    assert_error(wrong, 422)
    ok = client.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "brand-new-pass"}, headers=bearer(token))
    assert ok.status_code == 204
    assert_error(client.post("/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD}), 401)
    login(user["email"], "brand-new-pass")


def test_authentication_costs_one_query(app, client, make_user, login):
    """Token revocation, the user and its stores come back in a single statement:
    a list of stores runs that one, then the list's own count and page."""
    from tests.test_query_counts import count_statements

    user = make_user("employee")
    token = login(user["email"])["access_token"]
    with count_statements(app) as statements:
        response = client.get("/api/v1/stores", headers=bearer(token))
    assert response.status_code == 200
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 3, queries
    assert "revoked_tokens" in queries[0] and "user_stores" in queries[0]
    assert not any("users" in query or "revoked_tokens" in query for query in queries[1:])


@pytest.fixture
def bcrypt_spy(monkeypatch):
    """Records every `bcrypt.checkpw` call: whether bcrypt did the work and at which cost."""
    import bcrypt

    real = bcrypt.checkpw
    calls = []

    def spy(password, hashed):
        try:
            result = real(password, hashed)
        except ValueError:
            calls.append(("refused", hashed[:7]))
            raise
        calls.append(("compared", hashed[:7]))
        return result

    monkeypatch.setattr(bcrypt, "checkpw", spy)
    return calls


@pytest.mark.parametrize("password", ["x" * 73, "é" * 40, "wrong-password"])
def test_login_does_the_same_bcrypt_work_for_known_and_unknown_emails(
        client, make_user, bcrypt_spy, password):
    """One full comparison at the configured cost on both paths, whatever the length."""
    user = make_user("employee")
    known = client.post("/api/v1/auth/login", json={"email": user["email"], "password": password})
    known_calls = list(bcrypt_spy)
    bcrypt_spy.clear()
    unknown = client.post("/api/v1/auth/login", json={"email": "ghost@example.com", "password": password})
    assert assert_error(known, 401)["message"] == assert_error(unknown, 401)["message"]
    assert known_calls == [("compared", b"$2b$04$")]
    assert bcrypt_spy == [("compared", b"$2b$04$")]


def test_a_password_longer_than_72_bytes_never_matches_by_its_prefix(client, make_user):
    user = make_user("employee", password="p" * 72)
    response = client.post("/api/v1/auth/login", json={"email": user["email"], "password": "p" * 72 + "q"})
    assert assert_error(response, 401)["message"] == "Invalid email or password."
    assert client.post("/api/v1/auth/login", json={"email": user["email"], "password": "p" * 72}).status_code == 200


def test_login_refuses_control_characters_in_the_email(client):
    body = assert_error(client.post("/api/v1/auth/login", json={"email": "a\x00@example.com", "password": "x"}), 422)
    assert "email" in body["errors"]["json"]
