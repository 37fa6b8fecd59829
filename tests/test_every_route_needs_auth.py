"""Every route but the public ones answers 401 without credentials (docs/api.md § Conventions)."""

import re

PUBLIC = {
    ("GET", "/health"), ("GET", "/health/ready"), ("GET", "/openapi.json"), ("GET", "/docs"),
    ("GET", "/docs/assets/<path:filename>"), ("GET", "/docs/<path:filename>"),
    ("POST", "/api/v1/auth/register"), ("POST", "/api/v1/auth/login"),
    # the web panel's static files (its data comes from the API, with credentials)
    ("GET", "/app"), ("GET", "/app/"), ("GET", "/app/<path:filename>"),
}


def _concrete(rule):
    return re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)


def test_every_non_public_route_requires_credentials(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) in PUBLIC or rule.rule.startswith("/static"):
                continue
            response = client.open(_concrete(rule.rule), method=method, json={})
            assert response.status_code == 401, (method, rule.rule, response.status_code)
            assert response.json["code"] == 401
            checked += 1
    assert checked > 50
