"""The lean dump (common/schema.py) answers exactly what marshmallow would.

On the demo data set, every GET collection of the OpenAPI document, and the
first item of each that has a `/{id}` read, is requested twice: with the
plan and with marshmallow's own serialization. Bodies and headers (the
ETag is a hash of the dump) must be the same.
"""

import re

import pytest

from inventory_api.common import schema

API = "/api/v1"


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo", "--size", "small"])
    assert result.exit_code == 0, result.output


def get_both(client, headers, url, monkeypatch):
    monkeypatch.setattr(schema, "FAST", True)
    fast = client.get(url, headers=headers)
    monkeypatch.setattr(schema, "FAST", False)
    slow = client.get(url, headers=headers)
    return fast, slow


def test_every_read_is_the_same_with_and_without_the_plan(app, client, auth, seeded,
                                                           monkeypatch):
    headers = auth("admin")
    paths = client.get("/openapi.json").json["paths"]
    collections = [p for p, ops in paths.items() if "get" in ops and "{" not in p
                   and p.startswith(API) and "/reports" not in p]
    compared = 0
    for path in collections:
        fast, slow = get_both(client, headers, f"{path}?page_size=100", monkeypatch)
        assert fast.status_code == slow.status_code, path
        assert fast.get_json() == slow.get_json(), path
        assert fast.headers.get("ETag") == slow.headers.get("ETag"), path
        compared += 1
        body = fast.get_json()
        items = [p for p in paths if re.fullmatch(re.escape(path) + r"/\{[a-z_]+\}", p)]
        if fast.status_code == 200 and isinstance(body, list) and body and "id" in body[0]:
            for item in items:
                url = re.sub(r"\{[a-z_]+\}", str(body[0]["id"]), item)
                one_fast, one_slow = get_both(client, headers, url, monkeypatch)
                assert one_fast.status_code == one_slow.status_code == 200, url
                assert one_fast.get_json() == one_slow.get_json(), url
                assert one_fast.headers.get("ETag") == one_slow.headers.get("ETag"), url
                compared += 1
    assert compared > 30  # the demo data reaches most of the API
