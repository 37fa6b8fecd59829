"""The panel in Chromium against a real server: sign-in per role, products, stock, sales.

Every test also fails on a request that leaves the origin, a console error or
a page error (conftest.Panel); the main screens are checked with axe-core.
"""

import itertools

import pytest

from .conftest import api, count

SELL = ["Point of sale", "Orders", "Debts", "Payments", "Clients"]
BUY = ["Purchasing", "Suppliers"]
NAV = {
    "admin": ["Inventory", "Dashboard", *SELL, "Products", "Stock movement", "Stock count",
              "Transfers", "Store inventory", "Stock alerts", "Movements", *BUY, "Reports"],
    "manager": ["Inventory", "Dashboard", *SELL, "Products", "Stock movement", "Stock count",
                "Transfers", "Store inventory", "Stock alerts", "Movements", *BUY, "Reports"],
    "employee": ["Inventory", *SELL, "Products", "Stock movement", "Transfers",
                 "Store inventory", "Stock alerts", "Movements", *BUY],
    "customer": ["Inventory", "Catalog", "Cart", "My orders", "My account"],
}
MENUS = {"admin": ["Sell", "Stock", "Buy"], "manager": ["Sell", "Stock", "Buy"],
         "employee": ["Sell", "Stock", "Buy"], "customer": []}
_skus = itertools.count(1)


def first_store(server):
    status, stores = api(server["base"], "GET", "/stores?active=true", token=server["token"])
    assert status == 200
    return stores[0]


def make_product(server, price="2.50", stock="10"):
    """A new product (through the API) with `stock` received in the first store."""
    sku = f"E2E-{next(_skus):04d}"
    status, product = api(server["base"], "POST", "/products",
                          {"sku": sku, "name": f"Panel test {sku}", "price": price},
                          server["token"])
    assert status == 201, product
    store = first_store(server)
    if stock:
        status, body = api(server["base"], "POST", "/movements", {
            "type": "receipt", "product_id": product["id"], "store_id": store["id"],
            "quantity": stock}, server["token"])
        assert status == 201, body
    return product, store


def on_hand(server, product_id, store_id):
    status, stock = api(server["base"], "GET", f"/products/{product_id}/stock",
                        token=server["token"])
    assert status == 200
    return next((row["on_hand"] for row in stock["stores"] if row["store_id"] == store_id), None)


# ---- sign-in ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "manager", "employee", "customer"])
def test_each_role_signs_in_to_its_own_navigation(panel, role):
    panel.sign_in(role)
    assert panel.nav_links() == NAV[role]
    assert panel.nav_menus() == MENUS[role]
    assert panel.page.get_by_text(f"({role})").is_visible()
    panel.assert_accessible()


def test_a_wrong_password_shows_the_apis_message_and_no_session(panel):
    panel.expect_status(401)
    panel.open()
    panel.page.get_by_label("Email").fill(panel.server["users"]["employee"]["email"])
    panel.page.get_by_label("Password").fill("not-the-password")
    panel.page.get_by_role("button", name="Sign in").click()
    alert = panel.page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "Invalid email or password."
    assert panel.page.evaluate("sessionStorage.length") == 0
    panel.assert_accessible()


def test_a_reload_keeps_the_session_and_sign_out_ends_it(panel):
    panel.sign_in("employee")
    panel.page.reload()
    panel.page.get_by_role("button", name="Sign out").wait_for()
    refresh = panel.page.evaluate("sessionStorage.getItem('inventory-panel.refresh')")
    panel.page.get_by_role("button", name="Sign out").click()
    panel.page.get_by_role("heading", name="Sign in").wait_for()
    assert panel.page.evaluate("sessionStorage.length") == 0
    status, body = api(panel.base, "POST", "/auth/refresh", token=refresh)
    assert status == 401, body  # logout revoked the refresh token too


# ---- products --------------------------------------------------------------------------

def test_a_manager_creates_a_product_after_fixing_what_the_api_refused(panel):
    panel.expect_status(422)
    panel.sign_in("manager")
    panel.go("Products")
    panel.page.get_by_role("button", name="New product").click()
    panel.page.get_by_label("SKU").fill("E2E-NEW-1")
    panel.page.get_by_label("Price").fill("12.5")
    panel.page.get_by_role("button", name="Create product").click()
    name = panel.page.get_by_label("Name", exact=False).first
    panel.page.locator("input[name=name][aria-invalid=true]").wait_for()
    assert panel.page.get_by_role("alert").is_visible()
    name.fill("Panel-made tea")
    panel.page.get_by_role("button", name="Create product").click()
    panel.page.get_by_role("heading", name="Panel-made tea").wait_for()
    status, found = api(panel.base, "GET", "/products?q=E2E-NEW-1", token=panel.server["token"])
    assert status == 200
    assert [(p["sku"], p["name"], p["price"]) for p in found] == [
        ("E2E-NEW-1", "Panel-made tea", "12.50")]


# ---- stock -----------------------------------------------------------------------------

def test_an_employee_receives_stock(panel):
    product, store = make_product(panel.server, stock=None)
    panel.sign_in("employee")
    panel.go("Stock movement")
    picker = panel.page.get_by_label("Product (SKU, barcode or name)")
    picker.fill(product["sku"])
    picker.press("Enter")
    panel.page.get_by_text(f"Product: {product['sku']}").wait_for()
    panel.page.get_by_label("Store").select_option(label=store["name"])
    panel.page.get_by_label("Quantity", exact=True).fill("7")
    panel.page.get_by_label("Unit cost (optional)").fill("1.25")
    panel.page.get_by_role("button", name="Record movement").click()
    panel.page.get_by_text("balance now 7.000").wait_for()
    assert on_hand(panel.server, product["id"], store["id"]) == "7.000"
    panel.assert_accessible()


# ---- point of sale ---------------------------------------------------------------------

def add_to_cart(panel, product, quantity):
    picker = panel.page.get_by_label("Add product (SKU, barcode or name)")
    picker.fill(product["sku"])
    picker.press("Enter")
    panel.page.get_by_label(f"Quantity of {product['sku']}").fill(quantity)


def test_a_sale_drops_the_stock_at_each_width(sized_panel):
    panel = sized_panel
    product, store = make_product(panel.server, price="2.35", stock="10")
    panel.sign_in("employee")
    panel.go("Point of sale")
    panel.page.get_by_label("Store").select_option(label=store["name"])
    add_to_cart(panel, product, "3")
    panel.page.get_by_label(f"Discount on {product['sku']}").fill("0.05")
    assert panel.page.get_by_test_id("cart-total").inner_text() == "7.00"  # 3 × 2.35 − 0.05
    panel.assert_accessible()
    panel.shot("pos-cart")
    panel.page.get_by_role("button", name="Complete sale").click()
    receipt = panel.page.get_by_role("status", name="Sale recorded")
    receipt.wait_for()
    assert "total 7.00" in receipt.inner_text()
    assert on_hand(panel.server, product["id"], store["id"]) == "7.000"
    panel.shot("pos-receipt")


def test_a_double_submit_creates_one_sale(panel):
    product, store = make_product(panel.server, price="1.00", stock="10")
    token = panel.server["token"]
    panel.sign_in("employee")
    panel.go("Point of sale")
    panel.page.get_by_label("Store").select_option(label=store["name"])

    before = count(panel.base, "/sales", token)
    add_to_cart(panel, product, "1")
    # two clicks in one task: the second comes before any re-render can disable the button
    panel.page.evaluate("""() => {
        const button = document.querySelector('form[aria-label="Sale"] button[type="submit"]');
        button.click();
        button.click();
    }""")
    panel.page.get_by_role("status", name="Sale recorded").wait_for()
    panel.page.wait_for_timeout(500)
    assert count(panel.base, "/sales", token) == before + 1

    panel.page.get_by_role("button", name="Next sale").click()
    add_to_cart(panel, product, "1")
    panel.page.get_by_role("button", name="Complete sale").dblclick()
    panel.page.get_by_role("status", name="Sale recorded").wait_for()
    panel.page.wait_for_timeout(500)
    assert count(panel.base, "/sales", token) == before + 2
    assert on_hand(panel.server, product["id"], store["id"]) == "8.000"


def test_short_stock_shows_the_apis_conflict_next_to_the_cart(panel):
    panel.expect_status(409)
    product, store = make_product(panel.server, stock="2")
    panel.sign_in("employee")
    panel.go("Point of sale")
    panel.page.get_by_label("Store").select_option(label=store["name"])
    add_to_cart(panel, product, "5")
    panel.page.get_by_role("button", name="Complete sale").click()
    alert = panel.page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith("Insufficient stock for 1 line.")
    assert on_hand(panel.server, product["id"], store["id"]) == "2.000"


# ---- screens, offline ------------------------------------------------------------------

def test_main_screens_are_accessible_at_each_width(sized_panel):
    panel = sized_panel
    panel.open()
    panel.page.get_by_role("heading", name="Sign in").wait_for()
    panel.assert_accessible()
    panel.shot("sign-in")
    panel.sign_in("admin")
    for title, name in [("Dashboard", "dashboard"), ("Products", "products"),
                        ("Stock movement", "movement"), ("Point of sale", "pos")]:
        panel.go(title)
        panel.page.wait_for_load_state("networkidle")
        panel.assert_accessible()
        panel.shot(name)
    panel.go("Products")
    panel.page.locator("tbody a").first.click()
    panel.page.get_by_text("Stock per store").wait_for()
    panel.assert_accessible()
    panel.shot("product")


def test_offline_the_shell_still_opens_and_data_says_it_is_offline(panel):
    panel.expect_status(503)
    panel.sign_in("employee")
    panel.page.evaluate("navigator.serviceWorker.ready")
    panel.page.wait_for_function("navigator.serviceWorker.controller !== null")
    panel.page.context.set_offline(True)
    panel.go("Products")
    alert = panel.page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith("You are offline")
    panel.page.reload()
    panel.page.get_by_role("heading", name="Sign in").wait_for()
    assert panel.page.get_by_text("You are offline: the panel is shown").is_visible()
    panel.page.context.set_offline(False)
