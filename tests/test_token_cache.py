"""Each distinct bearer token verified once per process (extensions.py,
`VerifiedTokensJWTManager`): a token seen before skips PyJWT, an expired one
is still refused as expired, a token is never trusted under another key, and
revocation is asked every time."""

import time
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token

from inventory_api import create_app
from inventory_api.extensions import jwt as manager
from tests.conftest import assert_error


@pytest.fixture
def count_decodes(monkeypatch):
    """Counts PyJWT's `decode` calls (and still runs them)."""
    calls = []
    original = pyjwt.decode  # flask-jwt-extended calls `jwt.decode(...)`

    def counted(*args, **kwargs):
        calls.append(kwargs.get("options"))
        return original(*args, **kwargs)

    monkeypatch.setattr(pyjwt, "decode", counted)
    return calls


def test_a_token_seen_before_is_not_decoded_again(client, auth, count_decodes):
    headers = auth("admin")
    first = client.get("/api/v1/auth/me", headers=headers)
    assert first.status_code == 200
    decodes = len(count_decodes)
    assert decodes >= 1
    again = client.get("/api/v1/auth/me", headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert len(count_decodes) == decodes  # no PyJWT call for the second request


def test_a_cached_token_that_expires_is_refused_as_expired(app, client, make_user):
    user = make_user("employee")
    with app.app_context():
        token = create_access_token(identity=str(user["id"]), expires_delta=timedelta(seconds=2),
                                    additional_claims={"ver": 0})
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with app.app_context():
        expires = pyjwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires + 0.2 - time.time()))
    body = assert_error(client.get("/api/v1/auth/me", headers=headers), 401)
    assert body["message"] == "The token has expired."


def test_a_token_is_not_trusted_by_an_app_with_another_key(app, client, auth):
    headers = auth("admin")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "APP_ENV")},
                        "JWT_SECRET_KEY": "another-secret-of-at-least-32-bytes-long",
                        "RATELIMIT_ENABLED": False})
    body = assert_error(other.test_client().get("/api/v1/auth/me", headers=headers), 401)
    assert body["message"] == "Invalid token."


def test_a_cached_token_is_refused_on_the_request_after_logout(client, auth):
    headers = auth("admin")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)
    body = assert_error(client.get("/api/v1/auth/me", headers=headers), 401)
    assert body["message"] == "The token has been revoked."


def test_a_full_cache_starts_over(client, auth, monkeypatch):
    monkeypatch.setattr(manager, "MAX_TOKENS", 2)
    tokens = [auth("admin") for _ in range(4)]
    for headers in tokens * 2:
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        assert len(manager._verified) <= 2
