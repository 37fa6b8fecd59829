"""Debt and payment lists (and statements) run a constant number of statements per page."""

import json
from decimal import Decimal

import pytest

from inventory_api.common.uow import transaction
from inventory_api.debts import service as debts
from inventory_api.extensions import db
from tests.debt_fixtures import make_client
from tests.test_query_counts import count_statements

ROWS = 55


@pytest.fixture
def owing(app):
    """Two clients: `few` with 5 debts and payments, `many` with 55; each debt partly paid."""
    ids = {}
    with app.app_context():
        for name, rows in (("few", 5), ("many", ROWS)):
            client_id = make_client(name)
            with transaction():
                for n in range(rows):
                    debts.open_debt(client_id, Decimal("10.00"), source_type="sale",
                                    source_id=len(ids) * 1000 + n, check_limit=False)
                for _ in range(rows):  # each payment splits over two debts
                    debts.record_payment({"client_id": client_id, "amount": Decimal("7.50"),
                                          "method": "cash"})
            ids[name] = client_id
        db.session.remove()
    return ids


def _statements(app, client, headers, path):
    with count_statements(app) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response, len(statements)


@pytest.mark.parametrize("path", ["/api/v1/debts", "/api/v1/debts?overdue=false&sort=-amount",
                                  "/api/v1/payments"])
def test_lists_same_statements_for_5_and_50(app, client, auth, owing, path):
    headers = auth("employee")
    counts = {}
    for size in (5, 50):
        sep = "&" if "?" in path else "?"
        response, counts[size] = _statements(app, client, headers, f"{path}{sep}page_size={size}")
        assert len(response.json) == size
        assert json.loads(response.headers["X-Pagination"])["total"] >= ROWS
    assert counts[5] == counts[50], (path, counts)
    assert counts[50] <= 8, (path, counts)


def test_statement_same_statements_for_5_and_55_debts(app, client, auth, owing):
    headers = auth("employee")
    counts = {}
    for name in ("few", "many"):
        response, counts[name] = _statements(
            app, client, headers, f"/api/v1/clients/{owing[name]}/statement")
        assert len(response.json["payments"]) in (5, ROWS)
        assert all(p["allocations"] for p in response.json["payments"])
    assert counts["few"] == counts["many"], counts
