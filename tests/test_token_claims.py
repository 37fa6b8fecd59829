"""Validly signed tokens with claims we never issue answer 401, with fixed messages."""

import base64
import json
import time
import uuid

import jwt as pyjwt
import pytest

from tests.conftest import assert_error

FIXED_MESSAGES = {
    "Missing credentials.", "Invalid token.", "The token has expired.",
    "The token has been revoked.", "Unknown or inactive user.",
}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sign(app, make_user):
    """`sign(**changes)` → a token signed with the app's key; `...` removes a claim."""
    user = make_user("admin")

    def make(**changes):
        now = int(time.time())
        claims = {"sub": str(user["id"]), "type": "access", "jti": uuid.uuid4().hex, "fresh": False,
                  "iat": now, "nbf": now, "exp": now + 600, "ver": 0}
        claims.update(changes)
        claims = {name: value for name, value in claims.items() if value is not ...}
        return pyjwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")

    return make


def test_a_well_formed_token_signed_by_hand_works(client, sign):
    """The control case: what the odd tokens below change is only the claim named."""
    assert client.get("/api/v1/auth/me", headers=bearer(sign())).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=bearer(sign(type="refresh"))).status_code == 200


ODD_CLAIMS = {
    "sub above 2^63": {"sub": str(2**63)},
    "sub above 2^64": {"sub": str(2**64 + 5)},
    "sub above the id range": {"sub": str(2**31)},
    "sub zero": {"sub": "0"},
    "non-numeric sub": {"sub": "abc"},
    "non-ASCII digits in sub": {"sub": "١٢"},
    "numeric sub": {"sub": 1},
    "list sub": {"sub": ["1"]},
    "missing sub": {"sub": ...},
    "non-string rjti": {"rjti": 5},
    "object rjti": {"rjti": {"a": 1}},
    "empty rjti": {"rjti": ""},
    "non-string jti": {"jti": 5},
    "list jti": {"jti": ["x"]},
    "over-long jti": {"jti": "j" * 65},
    "missing jti": {"jti": ...},
    "missing type": {"type": ...},
    "unknown type": {"type": "id"},
    "numeric type": {"type": 1},
    "missing ver": {"ver": ...},
    "string ver": {"ver": "0"},
    "boolean ver": {"ver": False},
    "negative ver": {"ver": -1},
    "missing exp": {"exp": ...},
}


@pytest.mark.parametrize("changes", ODD_CLAIMS.values(), ids=ODD_CLAIMS.keys())
def test_odd_claims_are_401_invalid_token(client, sign, changes):
    for token_type, method, path in (("access", "get", "/api/v1/auth/me"),
                                     ("access", "post", "/api/v1/auth/logout"),
                                     ("access", "get", "/api/v1/users"),
                                     ("refresh", "post", "/api/v1/auth/refresh")):
        token = sign(**{"type": token_type, **changes})
        response = getattr(client, method)(path, headers=bearer(token))
        body = assert_error(response, 401)
        assert body["message"] == "Invalid token.", (path, body)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _segment(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("header", [
    "Bearer garbage",
    "Bearer a.b.c",
    "Bearer",
    "Bearer " + _segment(b"\xff\xfe") + "." + _segment(b"{}") + ".c2ln",
    "Bearer " + _segment(json.dumps({"alg": "HS256"}).encode()) + "." + _segment(b"\xff") + ".c2ln",
    "Bearer " + _segment(json.dumps({"alg": "none"}).encode()) + "." + _segment(b"{}") + ".",
    "Basic Zm9vOmJhcg==",
    "Bearer x y",
])
def test_garbage_headers_get_fixed_messages(client, header):
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})
    body = assert_error(response, 401)
    assert body["message"] in FIXED_MESSAGES, body
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_a_fixed_message(client):
    body = assert_error(client.get("/api/v1/auth/me"), 401)
    assert body["message"] == "Missing credentials."
