"""A password change or a deactivation revokes every token issued before it.

Both kinds of token (access and refresh) answer 401 afterwards, also after a
reactivation, while tokens issued afterwards work — even within the same
second, which a timestamp comparison would get wrong.
"""

import pytest

from tests.conftest import PASSWORD, assert_error

NEW_PASSWORD = "brand-new-pass-1"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_revoked(client, tokens):
    """Both tokens of a login answer 401 "revoked" in the error shape."""
    me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert assert_error(me, 401)["message"] == "The token has been revoked."
    assert me.headers["WWW-Authenticate"].startswith("Bearer")
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert assert_error(refreshed, 401)["message"] == "The token has been revoked."


def assert_works(client, tokens):
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200
    again = client.get("/api/v1/auth/me", headers=bearer(refreshed.json["access_token"]))
    assert again.status_code == 200


def test_own_password_change_revokes_every_earlier_token(client, make_user, login):
    user = make_user("employee")
    first, second = login(user["email"]), login(user["email"])
    derived = client.post("/api/v1/auth/refresh", headers=bearer(second["refresh_token"])).json
    response = client.post("/api/v1/auth/password", headers=bearer(first["access_token"]),
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert_revoked(client, first)
    assert_revoked(client, second)
    assert_error(client.get("/api/v1/auth/me", headers=bearer(derived["access_token"])), 401)
    assert_error(client.post("/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD}), 401)
    assert_works(client, login(user["email"], NEW_PASSWORD))


def test_wrong_current_password_revokes_nothing(client, make_user, login):
    user = make_user("employee")
    tokens = login(user["email"])
    wrong = client.post("/api/v1/auth/password", headers=bearer(tokens["access_token"]),
                        json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD})
    assert "current_password" in assert_error(wrong, 422)["errors"]["json"]
    assert_works(client, tokens)


def test_password_set_by_an_admin_revokes_every_earlier_token(client, auth, make_user, login):
    admin = auth("admin")
    user = make_user("manager")
    tokens = login(user["email"])
    response = client.patch(f"/api/v1/users/{user['id']}", json={"password": NEW_PASSWORD}, headers=admin)
    assert response.status_code == 200
    assert_revoked(client, tokens)
    assert_works(client, login(user["email"], NEW_PASSWORD))
    assert client.get("/api/v1/users", headers=admin).status_code == 200  # the admin's own stay


def test_other_admin_edits_revoke_nothing(client, auth, make_user, login):
    admin = auth("admin")
    user = make_user("employee")
    tokens = login(user["email"])
    response = client.patch(f"/api/v1/users/{user['id']}", json={"name": "Renamed", "active": True},
                            headers=admin)
    assert response.status_code == 200
    assert_works(client, tokens)


@pytest.mark.parametrize("deactivate", ["delete", "patch"])
def test_deactivation_revokes_tokens_for_good(client, auth, make_user, login, deactivate):
    admin = auth("admin")
    user = make_user("employee")
    tokens = login(user["email"])
    if deactivate == "delete":
        assert client.delete(f"/api/v1/users/{user['id']}", headers=admin).status_code == 204
    else:
        off = client.patch(f"/api/v1/users/{user['id']}", json={"active": False}, headers=admin)
        assert off.json["active"] is False
    inactive = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert_error(inactive, 401)
    on = client.patch(f"/api/v1/users/{user['id']}", json={"active": True}, headers=admin)
    assert on.status_code == 200 and on.json["active"] is True
    assert_revoked(client, tokens)
    assert_works(client, login(user["email"]))


def test_password_changed_twice_in_a_row_keeps_only_the_newest_tokens(client, make_user, login):
    """Generations, not timestamps: tokens of the same second are told apart."""
    user = make_user("employee")
    old = login(user["email"])
    client.post("/api/v1/auth/password", headers=bearer(old["access_token"]),
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    middle = login(user["email"], NEW_PASSWORD)
    client.post("/api/v1/auth/password", headers=bearer(middle["access_token"]),
                json={"current_password": NEW_PASSWORD, "new_password": PASSWORD})
    newest = login(user["email"])
    assert_revoked(client, old)
    assert_revoked(client, middle)
    assert_works(client, newest)
