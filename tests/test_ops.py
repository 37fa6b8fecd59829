import json

from sqlalchemy.exc import OperationalError

from tests.conftest import assert_error


def test_health_does_not_touch_the_database(app, client, monkeypatch):
    from inventory_api.extensions import db

    def boom(*args, **kwargs):
        raise AssertionError("health touched the database")

    monkeypatch.setattr(db.session, "execute", boom)
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_checks_the_database(client):
    response = client.get("/health/ready")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_is_503_when_database_is_down(client, monkeypatch):
    from inventory_api.extensions import db

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    assert_error(client.get("/health/ready"), 503)


def test_request_id_is_returned_or_generated(client):
    assert client.get("/health", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    hostile = client.get("/health", headers={"X-Request-ID": "x" * 500}).headers["X-Request-ID"]
    assert hostile != "x" * 500


def test_openapi_document_has_security_schemes_and_tags(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["apiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    tags = {t["name"] for t in spec["tags"]}
    assert {"auth", "users", "api-keys", "operations"} <= tags
    users_get = spec["paths"]["/api/v1/users"]["get"]
    assert {"401", "403"} <= set(users_get["responses"])
    assert users_get["security"]
    assert spec["paths"]["/api/v1/auth/login"]["post"]["security"] == []


def test_decimal_fields_are_documented_as_strings(app):
    from marshmallow import Schema

    from inventory_api.common.fields import MoneyField
    from inventory_api.extensions import api

    class Probe(Schema):
        price = MoneyField()

    with app.app_context():
        converted = api.spec.plugins[-1].converter.schema2jsonschema(Probe)
    branches = converted["properties"]["price"]["anyOf"]
    assert branches[0]["type"] == "string" and branches[0]["pattern"]
    assert branches[1]["type"] == "number" and branches[1]["multipleOf"] == 0.01


def test_docs_page_is_served_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        response = client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.data) > 1000
        response.close()


def test_cors_only_for_configured_origins(client):
    response = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_openapi_json_is_valid_json(client):
    assert json.loads(client.get("/openapi.json").data)["info"]["title"] == "Inventory API"
