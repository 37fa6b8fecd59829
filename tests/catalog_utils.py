"""Helpers shared by the catalog tests (categories, products, suppliers, clients, stores)."""

import json

ROLES = ("customer", "employee", "manager", "admin")


def pagination(response):
    return json.loads(response.headers["X-Pagination"])


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.json]


def create(client, headers, path, body):
    response = client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def expected(role, allowed):
    """The status a role gets: `ok` when it is in `allowed`, else 403."""
    return role in allowed
