"""The panel's business screens in Chromium: debts and payments, clients, reports,
purchase orders and suppliers, against the session's seeded server.

Records each test needs are made through the API first; the outcome of what
the panel did is checked through the API too. conftest.Panel fails a test on
an off-origin request, a console error or a page error.
"""

import itertools
from datetime import date, timedelta

from .conftest import api

_serial = itertools.count(1)


def call(server, method, path, body=None):
    """An admin API call that must succeed: its body."""
    status, answer = api(server["base"], method, path, body, server["token"])
    assert status in (200, 201), (path, status, answer)
    return answer


def first_store(server):
    return call(server, "GET", "/stores?active=true")[0]


def stocked_product(server, store, price="3.25", track_lots=False):
    """A new product with 20 in `store` (no stock when it tracks lots)."""
    sku = f"BIZ-{next(_serial):04d}"
    product = call(server, "POST", "/products", {
        "sku": sku, "name": f"Business test {sku}", "price": price, "track_lots": track_lots})
    if not track_lots:
        call(server, "POST", "/movements", {"type": "receipt", "product_id": product["id"],
                                             "store_id": store["id"], "quantity": "20"})
    return product


def credit_client(server):
    serial = next(_serial)
    return call(server, "POST", "/clients", {"name": f"Credit Client {serial:03d}",
                                             "email": f"credit{serial}@biz.test",
                                             "credit_limit": "100.00"})


def credit_sale_debt(server):
    """A client who bought 2 × 3.25 on credit: (client, debt)."""
    store = first_store(server)
    product = stocked_product(server, store)
    client = credit_client(server)
    sale = call(server, "POST", "/sales", {
        "store_id": store["id"], "client_id": client["id"], "payment_method": "credit",
        "lines": [{"product_id": product["id"], "quantity": "2"}]})
    debts = call(server, "GET", f"/debts?source_type=sale&source_id={sale['id']}")
    assert [(d["amount"], d["balance"], d["status"]) for d in debts] == [("6.50", "6.50", "open")]
    return client, debts[0]


def pick_client(panel, client):
    picker = panel.page.get_by_label("Client (name, email, phone or tax id)")
    picker.fill(client["name"])
    picker.press("Enter")
    panel.page.get_by_role("button", name=client["name"]).click()


# ---- debts and payments ------------------------------------------------------------------

def test_an_employee_pays_a_credit_sale_in_full_and_the_debt_closes(sized_panel):
    panel = sized_panel
    client, debt = credit_sale_debt(panel.server)
    panel.sign_in("employee")
    panel.go("Debts")
    pick_client(panel, client)
    panel.page.get_by_text(f"Client: {client['name']}").wait_for()
    panel.page.get_by_role("link", name=f"Debt #{debt['id']}").wait_for()
    panel.assert_accessible()
    panel.shot("debts")
    panel.page.get_by_role("link", name=f"Debt #{debt['id']}").click()
    amount = panel.page.get_by_label("Amount", exact=True)
    assert amount.input_value() == "6.50"  # the balance, as the API sent it
    panel.page.get_by_label("Method").select_option("card")
    panel.page.get_by_label("Reference (optional)").fill("CARD-77")
    panel.assert_accessible()
    panel.shot("debt")
    panel.page.get_by_role("button", name="Record payment").click()
    panel.page.get_by_role("status").filter(has_text="recorded").wait_for()
    panel.page.get_by_text("paid", exact=True).wait_for()
    assert panel.page.get_by_role("button", name="Record payment").count() == 0
    closed = call(panel.server, "GET", f"/debts/{debt['id']}")
    assert (closed["status"], closed["balance"], closed["paid_amount"]) == ("paid", "0.00", "6.50")
    payments = call(panel.server, "GET", f"/payments?client_id={client['id']}")
    assert [(p["amount"], p["method"], p["reference"], [a["debt_id"] for a in p["allocations"]])
            for p in payments] == [("6.50", "card", "CARD-77", [debt["id"]])]


def test_a_payment_over_the_open_balance_shows_the_apis_message(panel):
    panel.expect_status(409)
    client, debt = credit_sale_debt(panel.server)
    panel.sign_in("employee")
    panel.open(f"payments/new?client_id={client['id']}")
    panel.page.get_by_label("Apply to").select_option(str(debt["id"]))
    panel.page.get_by_label("Amount", exact=True).fill("7.00")
    panel.page.get_by_role("button", name="Record payment").click()
    alert = panel.page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().splitlines() == [
        f"The payment (7.00) exceeds the open balance of debt {debt['id']} (6.50).",
        "amount: 7.00", "open balance: 6.50"]
    assert call(panel.server, "GET", f"/debts/{debt['id']}")["balance"] == "6.50"
    assert call(panel.server, "GET", f"/payments?client_id={client['id']}") == []


# ---- clients -----------------------------------------------------------------------------

def test_an_employee_creates_and_edits_a_client_and_sees_no_insights(panel):
    panel.sign_in("employee")
    panel.go("Clients")
    panel.page.get_by_role("button", name="New client").click()
    panel.page.get_by_label("Name").fill("Panel Bakery Ltd")
    panel.page.get_by_label("Credit limit").fill("250")
    panel.page.get_by_role("button", name="Create client").click()
    panel.page.get_by_role("heading", name="Panel Bakery Ltd").wait_for()
    panel.page.get_by_role("heading", name="Statement").wait_for()
    assert panel.page.get_by_role("heading", name="Insights").count() == 0
    panel.page.get_by_role("button", name="Edit").click()
    panel.page.get_by_label("Phone (optional)").fill("+1 555 0999")
    panel.page.get_by_role("button", name="Save changes").click()
    panel.page.get_by_text("+1 555 0999").wait_for()
    found = call(panel.server, "GET", "/clients?q=Panel%20Bakery")
    assert [(c["name"], c["phone"], c["credit_limit"]) for c in found] == [
        ("Panel Bakery Ltd", "+1 555 0999", "250.00")]


# ---- reports -----------------------------------------------------------------------------

def test_a_manager_downloads_a_report_as_csv_and_another_as_pdf(panel):
    panel.sign_in("manager")
    panel.go("Reports")
    panel.page.get_by_role("table", name="Sales").wait_for()
    with panel.page.expect_download() as csv_download:
        panel.page.get_by_role("button", name="Download CSV").click()
    download = csv_download.value
    assert download.suggested_filename.endswith(".csv")
    lines = download.path().read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date,sales_count,subtotal,discount_total,returned_total,total"
    panel.page.get_by_role("link", name="Debtors").click()
    panel.page.get_by_role("heading", name="Debtors").wait_for()
    with panel.page.expect_download() as pdf_download:
        panel.page.get_by_role("button", name="Download PDF").click()
    download = pdf_download.value
    assert download.suggested_filename.endswith(".pdf")
    assert download.path().read_bytes()[:5] == b"%PDF-"
    panel.page.get_by_role("link", name="Stock turnover").click()
    panel.page.get_by_role("heading", name="Stock turnover").wait_for()
    assert panel.page.get_by_role("button", name="Download PDF").count() == 0


def test_a_report_grouped_by_month_shows_the_apis_rows_and_totals(panel):
    report = call(panel.server, "GET", "/reports/sales?group_by=month")
    panel.sign_in("manager")
    panel.open("reports?report=sales")
    panel.page.get_by_label("Group by").select_option("month")
    panel.page.get_by_role("button", name="Show").click()
    table = panel.page.get_by_role("table", name="Sales")
    table.get_by_role("columnheader", name="Month").wait_for()
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    first = report["rows"][0]
    assert cells == [first["month"], str(first["sales_count"]), first["subtotal"],
                     first["discount_total"], first["returned_total"], first["total"]]
    assert table.locator("tfoot td").last.inner_text() == report["totals"]["total"]


# ---- purchase orders ---------------------------------------------------------------------

def test_a_purchase_order_is_created_submitted_and_received_with_a_lot(panel):
    server = panel.server
    store = first_store(server)
    product = stocked_product(server, store, track_lots=True)
    supplier = call(server, "GET", "/suppliers?active=true")[0]
    expiry = (date.today() + timedelta(days=90)).isoformat()
    panel.sign_in("manager")
    panel.go("Purchasing")
    panel.page.get_by_role("button", name="New purchase order").click()
    picker = panel.page.get_by_label("Add a product (SKU, barcode or name)")
    picker.fill(product["sku"])
    picker.press("Enter")
    panel.page.get_by_label(f"Quantity of {product['sku']}").fill("5")
    panel.page.get_by_label(f"Unit cost of {product['sku']}").fill("1.20")
    panel.page.get_by_label("Supplier").select_option(str(supplier["id"]))
    panel.page.get_by_label("Store (receives the goods)").select_option(str(store["id"]))
    panel.assert_accessible()
    panel.page.get_by_role("button", name="Create draft").click()
    heading = panel.page.get_by_role("heading", name="Purchase order #")
    heading.wait_for()
    order_id = int(heading.inner_text().split("#")[1])
    panel.page.get_by_role("button", name="Submit to supplier").click()
    panel.page.get_by_role("heading", name="Receive goods").wait_for()
    panel.page.get_by_label(f"Lot of {product['sku']}").fill("LOT-PO-1")
    panel.page.get_by_label(f"Expiry date of {product['sku']}").fill(expiry)
    panel.assert_accessible()
    panel.page.get_by_role("button", name="Receive", exact=True).click()
    panel.page.get_by_text("Received", exact=True).first.wait_for()
    panel.page.get_by_role("heading", name="Receive goods").wait_for(state="detached")
    order = call(server, "GET", f"/purchase-orders/{order_id}")
    assert (order["status"], order["supplier_id"], order["store_id"], order["total"]) == (
        "received", supplier["id"], store["id"], "6.00")
    assert [(line["quantity"], line["unit_cost"], line["received_quantity"])
            for line in order["lines"]] == [("5.000", "1.20", "5.000")]
    stock = call(server, "GET", f"/products/{product['id']}/stock")
    row = next(row for row in stock["stores"] if row["store_id"] == store["id"])
    assert [(lot["lot"], lot["expiry_date"], lot["on_hand"]) for lot in row["lots"]] == [
        ("LOT-PO-1", expiry, "5.000")]


# ---- every main screen at both widths ------------------------------------------------------

def test_the_main_business_screens_fit_both_widths_and_pass_axe(sized_panel):
    panel = sized_panel
    server = panel.server
    client = call(server, "GET", "/clients?has_debt=true")[0]
    order = call(server, "GET", "/purchase-orders?status=ordered")[0]
    supplier = call(server, "GET", "/suppliers")[0]
    screens = [("payments", "Payments", "payments"), ("clients", "Clients", "clients"),
               (f"clients/{client['id']}", client["name"], "client"),
               (f"payments/new?client_id={client['id']}", "Record a payment", "payment-new"),
               ("purchase-orders", "Purchase orders", "purchase-orders"),
               (f"purchase-orders/{order['id']}", f"Purchase order #{order['id']}", "purchase-order"),
               ("purchase-orders/new", "New purchase order", "purchase-order-new"),
               ("suppliers", "Suppliers", "suppliers"),
               (f"suppliers/{supplier['id']}", supplier["name"], "supplier"),
               ("reports?report=sales", "Reports", "report-sales"),
               ("reports?report=debtors", "Reports", "report-debtors"),
               ("reports?report=inventory-valuation", "Reports", "report-valuation")]
    panel.sign_in("manager")
    for route, title, name in screens:
        panel.open(route)
        panel.page.get_by_role("heading", name=title, level=1).wait_for()
        panel.page.locator("[aria-busy=true]").first.wait_for(state="detached")
        panel.page.wait_for_timeout(300)  # names looked up after the rows
        panel.assert_accessible()
        panel.shot(name)
