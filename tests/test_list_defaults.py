"""Every list pages 20 items unless `page_size` says otherwise (at most 100)."""

import json

from tests.conftest import assert_error


def test_every_list_documents_page_size_default_20_and_max_100(client):
    spec = client.get("/openapi.json").json
    lists = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue  # path-level "parameters"
            params = {p["name"]: p for p in operation.get("parameters", [])}
            if "page_size" in params:
                lists.append(f"{method.upper()} {path}")
                schema = params["page_size"]["schema"]
                assert schema["default"] == 20, (path, schema)
                assert schema["maximum"] == 100, (path, schema)
    assert len(lists) >= 15, lists  # users, api-keys, catalog, stock lists...


def test_a_list_without_page_size_returns_20(client, auth):
    headers = auth("manager")
    for n in range(25):
        assert client.post("/api/v1/categories", json={"name": f"Cat {n:02}"},
                           headers=headers).status_code == 201
    first = client.get("/api/v1/categories", headers=headers)
    assert len(first.json) == 20
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 25 and meta["total_pages"] == 2 and meta["next_page"] == 2
    second = client.get("/api/v1/categories?page=2", headers=headers)
    assert [c["name"] for c in second.json] == [f"Cat {n:02}" for n in range(20, 25)]
    assert len(client.get("/api/v1/categories?page_size=100", headers=headers).json) == 25
    assert_error(client.get("/api/v1/categories?page_size=101", headers=headers), 422)


def test_collections_are_documented_without_a_trailing_slash(client):
    paths = client.get("/openapi.json").json["paths"]
    assert "/api/v1/products" in paths and "/api/v1/users" in paths
    assert [p for p in paths if p.endswith("/")] == []
