"""Every error status answers in the contract's shape (docs/api.md § Conventions)."""

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from tests.conftest import assert_error


def test_unknown_route_is_404_json(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404)
    assert_error(client.get("/nothing-here"), 404)


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/auth/login")
    assert_error(response, 405)
    assert "POST" in response.headers["Allow"]
    put = client.put("/health")
    assert_error(put, 405)
    assert "GET" in put.headers["Allow"]


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    body = assert_error(response, 400)
    assert "JSON" in body["message"]


def test_non_json_content_type_is_415(client):
    response = client.post("/api/v1/auth/login", data="email=a&password=b",
                           content_type="application/x-www-form-urlencoded")
    assert_error(response, 415)


def test_invalid_unicode_is_400_not_500(client):
    response = client.post("/api/v1/auth/register", data='{"email": "a@b.co", "password": "xxxxxxxx", "name": "\\ud800"}',
                           content_type="application/json")
    assert_error(response, 400)


def test_validation_error_is_422_with_field_errors(client):
    body = assert_error(client.post("/api/v1/auth/register", json={"email": "nope"}), 422)
    fields = body["errors"]["json"]
    assert set(fields) >= {"email", "password", "name"}
    assert all(isinstance(messages, list) for messages in fields.values())


def test_json_array_body_is_422(client):
    assert_error(client.post("/api/v1/auth/login", json=[1, 2]), 422)


def test_query_validation_is_422_in_query_location(client, auth):
    body = assert_error(client.get("/api/v1/users/?page_size=101", headers=auth("admin")), 422)
    assert "page_size" in body["errors"]["query"]
    body = assert_error(client.get("/api/v1/users/?sort=password_hash", headers=auth("admin")), 422)
    assert "sort" in body["errors"]["query"]


def test_forbidden_is_403(client, auth):
    assert_error(client.get("/api/v1/users/", headers=auth("employee")), 403)


@pytest.fixture
def fresh_app(app):
    """A second app on the same database, to which a test may still add routes."""
    from inventory_api import create_app

    return create_app({"APP_ENV": "testing",
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_unique_violation_is_409_not_500(fresh_app):
    """An IntegrityError that escapes a service (e.g. a race) still answers 409."""
    app, client = fresh_app, fresh_app.test_client()

    @app.route("/api/v1/_test_integrity")
    def _integrity():
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    assert_error(client.get("/api/v1/_test_integrity"), 409)


def test_crash_is_500_generic_and_logged_with_request_id(fresh_app, caplog):
    app, client = fresh_app, fresh_app.test_client()

    @app.route("/api/v1/_test_crash")
    def _crash():
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR, logger="inventory_api"):
        response = client.get("/api/v1/_test_crash", headers={"X-Request-ID": "req-123"})
    body = assert_error(response, 500)
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text and "Traceback" not in text
    assert body["message"] == "Internal server error."
    assert response.headers["X-Request-ID"] == "req-123"
    assert any(getattr(r, "request_id", None) == "req-123" for r in caplog.records)


@pytest.mark.parametrize("path", ["/api/v1/users/", "/api/v1/auth/me", "/api/v1/api-keys/"])
def test_no_credentials_is_401_with_www_authenticate(client, path):
    response = client.get(path)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_out_of_range_path_id_is_404_not_500(client, auth):
    headers = auth("admin")
    for path in ("/api/v1/users/99999999999999999999", "/api/v1/users/0", "/api/v1/products/4294967296"):
        assert_error(client.get(path, headers=headers), 404)


def test_collections_answer_without_trailing_slash(client, auth):
    response = client.get("/api/v1/users", headers=auth("admin"))
    assert response.status_code == 200 and isinstance(response.json, list)
