"""CSV and PDF renderings of a report (reports/export.py), on a report built by hand."""

import csv
import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from inventory_api.reports.export import Column, Report, render

COLUMNS = [Column("sku", "SKU"), Column("name", "Name"),
           Column("quantity", "Quantity", numeric=True), Column("value", "Value", numeric=True),
           Column("day", "Day")]


def _report(rows, totals=None):
    return Report(name="stock-value", title="Stock value", columns=COLUMNS, rows=rows,
                  body={"rows": rows}, totals=totals, filters={"store_id": 3, "date_to": None})


def _rows(count):
    return [{"sku": f"SKU-{i:03}", "name": f"Product {i}", "quantity": Decimal("2.500"),
             "value": Decimal("-1.50") if i == 0 else Decimal("10.00"),
             "day": date(2026, 12, 1)} for i in range(count)]


def test_json_is_the_body(app):
    report = _report(_rows(1))
    with app.test_request_context():
        assert render(report, "json") is report.body


def test_csv_has_a_header_row_and_writes_values_as_json_does(app):
    rows = _rows(2) + [{"sku": "=HYPERLINK(1)", "name": "+cmd", "quantity": None,
                        "value": Decimal("0.00"), "day": None}]
    with app.test_request_context():
        response = render(_report(rows), "csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="stock-value-') and \
        disposition.endswith('.csv"')
    parsed = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert parsed[0] == ["sku", "name", "quantity", "value", "day"]
    assert parsed[1] == ["SKU-000", "Product 0", "2.500", "-1.50", "2026-12-01"]
    # text a spreadsheet would run as a formula is defused; numbers are left alone
    assert parsed[3] == ["'=HYPERLINK(1)", "'+cmd", "", "0.00", ""]
    assert len(parsed) == 4


def test_pdf_repeats_headers_on_every_page_and_ends_with_the_totals(app):
    rows = _rows(120)
    with app.test_request_context():
        response = render(_report(rows, totals={"quantity": Decimal("300.000"),
                                                "value": Decimal("1188.50")}), "pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    assert "Stock value" in pages[0] and "store_id: 3" in pages[0]
    assert "date_to" not in pages[0]  # filters that were not used are not listed
    assert all("SKU" in page and "Quantity" in page for page in pages)
    assert "Product 119" in pages[-1]
    assert "Total" in pages[-1] and "1188.50" in pages[-1]
    assert "Generated" in pages[0] and f"Page {len(pages)}" in pages[-1]


def test_pdf_of_an_empty_report_says_so(app):
    with app.test_request_context():
        response = render(_report([]), "pdf")
    text = PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()
    assert "No rows for these filters." in text
