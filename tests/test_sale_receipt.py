"""The sale receipt PDF: headers, the text a customer reads on it (store, number, time in the
business's zone, client, lines, totals, payment, returns), format, scope, roles, OpenAPI."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from inventory_api.extensions import db
from inventory_api.sales.models import Sale
from inventory_api.stores.models import Store
from tests.conftest import assert_error
from tests.sales_fixtures import (
    API,
    stocked_store,  # noqa: F401  (the `store` fixture)
)
from tests.test_query_counts import count_statements


@pytest.fixture
def manager(auth):
    return auth("manager")


def sell(client, headers, store, lines=None, **body):
    body = {"store_id": store["north"], "payment_method": "cash",
            "lines": lines or [{"product_id": store["widget"], "quantity": 2}], **body}
    response = client.post(f"{API}/sales", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def receipt(client, headers, sale_id, query=""):
    return client.get(f"{API}/sales/{sale_id}/receipt{query}", headers=headers)


def pdf_pages(response):
    """The text of each page of a PDF answer."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]


def set_sold_at(app, sale_id, at):
    with app.app_context():
        db.session.execute(update(Sale).where(Sale.id == sale_id).values(created_at=at))
        db.session.commit()


def test_receipt_of_a_credit_sale(app, client, manager, store, monkeypatch):
    with app.app_context():
        db.session.execute(update(Store).where(Store.id == store["north"])
                           .values(address="1 Main Street, Springfield"))
        db.session.commit()
    sale = sell(client, manager, store, client_id=store["acme"], payment_method="credit",
                amount_paid="20.00", lines=[
                    {"product_id": store["widget"], "quantity": 3, "discount": "1.50"},
                    {"product_id": store["flour"], "quantity": "2.125", "unit_price": "1.00"},
                    {"product_id": store["gadget"], "quantity": 1, "discount": "0.05"}])
    set_sold_at(app, sale["id"], datetime(2026, 7, 1, 10, 5, tzinfo=UTC))
    monkeypatch.setitem(app.config, "BUSINESS_TIMEZONE", "Europe/Madrid")

    response = receipt(client, manager, sale["id"])

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="receipt-{sale["number"]}.pdf"')
    assert response.data.startswith(b"%PDF-")
    [text] = pdf_pages(response)
    for expected in ("North", "Store N", "1 Main Street, Springfield",
                     f"Receipt {sale['number']}", "Date: 2026-07-01 12:05 (CEST)",
                     "Client: Acme",
                     "W-1", "Widget", "3", "10.00", "1.50", "28.50",
                     "FLOUR", "Flour", "2.125 kg", "2.13",
                     "G-1", "Gadget", "30.00", "0.05", "29.95",
                     "Subtotal", "62.13", "Discount", "1.55", "Total", "60.58",
                     "Payment method", "Credit", "Paid", "20.00", "Balance due", "40.58"):
        assert expected in text, (expected, text)
    assert "Returned" not in text
    assert "Status" not in text


def test_receipt_shows_returns_and_status(client, manager, store):
    sale = sell(client, manager, store, lines=[{"product_id": store["widget"], "quantity": 4}])
    assert client.post(f"{API}/sales/{sale['id']}/returns", headers=manager, json={
        "lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}]}).status_code == 201

    [text] = pdf_pages(receipt(client, manager, sale["id"]))

    for expected in ("Status: PARTIALLY RETURNED", "Total", "40.00", "Payment method",
                     "Cash", "Returned", "10.00", "Refunded", "Balance due", "0.00"):
        assert expected in text, (expected, text)
    assert "Client:" not in text


def test_a_long_sale_repeats_the_line_header_on_every_page(app, client, manager, store):
    lines = [{"product_id": store["widget"], "quantity": 1}] * 60
    sale = sell(client, manager, store, lines=lines)

    pages = pdf_pages(receipt(client, manager, sale["id"]))

    assert len(pages) > 1
    assert all("SKU" in page and "Unit price" in page for page in pages)
    assert sum(page.count("W-1") for page in pages) == 60
    assert "600.00" in pages[-1] and "Balance due" in pages[-1]


def test_same_number_of_statements_for_1_and_3_lines(app, client, manager, store):
    small = sell(client, manager, store)
    large = sell(client, manager, store, client_id=store["acme"], lines=[
        {"product_id": store[name], "quantity": 1} for name in ("widget", "flour", "gadget")])
    walkin = sell(client, manager, store, client_id=store["walkin"])

    counts = []
    for sale in (small, large, walkin):
        with count_statements(app) as statements:
            assert receipt(client, manager, sale["id"]).status_code == 200
        counts.append(len(statements))

    assert counts[1] == counts[2] == counts[0] + 1  # + the client's row


def test_format(client, manager, store):
    sale = sell(client, manager, store)

    assert receipt(client, manager, sale["id"], "?format=pdf").status_code == 200
    body = assert_error(receipt(client, manager, sale["id"], "?format=csv"), 422)
    assert "format" in body["errors"]["query"]


def test_unknown_sale_is_404(client, manager, store):
    assert_error(receipt(client, manager, 999999), 404)


@pytest.mark.parametrize("role, status", [
    ("customer", 403), ("employee", 200), ("manager", 200), ("admin", 200)])
def test_roles(client, auth, manager, store, role, status):
    sale = sell(client, manager, store)

    response = receipt(client, auth(role), sale["id"])

    if status == 200:
        assert response.headers["Content-Type"] == "application/pdf"
    else:
        assert_error(response, status)


def test_store_scope_reads_like_the_sale(client, auth, manager, store):
    """A user limited to North reads North's receipts; a South sale is 404, as GET /sales/{id}."""
    scoped = auth("employee", store_ids=[store["north"]])
    north = sell(client, manager, store)
    south = sell(client, manager, store, store_id=store["south"])

    assert receipt(client, scoped, north["id"]).status_code == 200
    assert_error(receipt(client, scoped, south["id"]), 404)


def test_openapi_documents_the_pdf_answer(client):
    operation = client.get("/openapi.json").json["paths"]["/api/v1/sales/{sale_id}/receipt"]["get"]

    assert operation["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert "404" in operation["responses"]
    [param] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert param["schema"]["enum"] == ["pdf"]
