"""The operations screens in Chromium: customer orders, the orders board, stock counts,
transfers, store inventory, alerts and the movement ledger.

Each flow is checked through the API afterwards (the panel is only a client);
conftest.Panel fails a test on an off-origin request, a console error or a
page error, and the main screens pass axe-core at 375 and 1280 px.
"""

import itertools
import re

from .conftest import api

_skus = itertools.count(1)


def default_store(server):
    """The active store with the lowest id: where an order without a store reserves."""
    status, stores = api(server["base"], "GET", "/stores?active=true&page_size=100",
                         token=server["token"])
    assert status == 200
    return min(stores, key=lambda store: store["id"])


def other_store(server, store):
    status, stores = api(server["base"], "GET", "/stores?active=true&page_size=100",
                         token=server["token"])
    assert status == 200
    return next(s for s in stores if s["id"] != store["id"])


def make_product(server, price="3.20", stock="10", store=None):
    """A new product with `stock` received in `store` (default: the default order store)."""
    sku = f"OPS-{next(_skus):04d}"
    status, product = api(server["base"], "POST", "/products",
                          {"sku": sku, "name": f"Ops test {sku}", "price": price},
                          server["token"])
    assert status == 201, product
    store = store or default_store(server)
    status, body = api(server["base"], "POST", "/movements", {
        "type": "receipt", "product_id": product["id"], "store_id": store["id"],
        "quantity": stock}, server["token"])
    assert status == 201, body
    return product, store


def stock_in(server, product_id, store_id):
    """(on_hand, reserved) of the product in the store."""
    status, stock = api(server["base"], "GET", f"/products/{product_id}/stock",
                        token=server["token"])
    assert status == 200
    row = next(row for row in stock["stores"] if row["store_id"] == store_id)
    return row["on_hand"], row["reserved"]


def sign_out(panel):
    panel.nav_links()  # opens the menu on a phone
    panel.page.get_by_role("button", name="Sign out").click()
    panel.page.get_by_role("heading", name="Sign in").wait_for()


def ledger_ids(panel, after=None):
    """The movement ids the ledger shows, once they differ from `after` (a reload ended)."""
    if after is not None:
        panel.page.wait_for_function(
            "first => document.querySelector('tbody td')?.textContent !== first", arg=str(after[0]))
    return [int(text) for text in panel.page.locator("tbody td:first-child").all_inner_texts()]


def settle(panel):
    panel.page.wait_for_load_state("networkidle")


# ---- customer order → staff confirmation ----------------------------------------------------

def test_a_customers_order_is_confirmed_by_staff_at_each_width(sized_panel):
    panel = sized_panel
    server = panel.server
    product, store = make_product(server, price="3.20", stock="10")

    panel.sign_in("customer")
    panel.go("Catalog")
    panel.page.get_by_label("Search products").fill(product["sku"])
    panel.page.get_by_role("button", name="Search", exact=True).click()
    panel.page.get_by_role("button", name=f"Add to cart: {product['name']}").click()
    panel.page.get_by_role("link", name="In the cart").wait_for()
    settle(panel)
    panel.assert_accessible()
    panel.shot("ops-catalog")
    panel.go("Cart")
    panel.page.get_by_label(f"Quantity of {product['sku']}").fill("2")
    assert panel.page.get_by_test_id("order-total").inner_text() == "6.40"
    panel.assert_accessible()
    panel.shot("ops-cart")
    panel.page.get_by_role("button", name="Place order").click()
    panel.page.wait_for_url(re.compile(r"#/my-orders/\d+$"))
    order_id = int(panel.page.url.rsplit("/", 1)[1])
    panel.page.get_by_role("heading", name=f"Order {order_id}").wait_for()
    assert panel.page.locator(".facts .order-status").inner_text() == "Pending"
    settle(panel)
    panel.assert_accessible()
    panel.shot("ops-my-order")

    status, order = api(server["base"], "GET", f"/orders/{order_id}", token=server["token"])
    assert status == 200
    assert (order["status"], order["total"], order["store_id"]) == ("pending", "6.40", store["id"])
    assert [(line["product_id"], line["quantity"]) for line in order["lines"]] == [
        (product["id"], "2.000")]
    assert stock_in(server, product["id"], store["id"]) == ("10.000", "2.000")

    sign_out(panel)
    panel.sign_in("employee")
    panel.go("Orders")
    panel.page.get_by_role("navigation", name="Order status").get_by_role(
        "link", name="Pending").click()
    actions = panel.page.get_by_role("group", name=f"Actions on order {order_id}")
    actions.get_by_role("button", name="Confirm").wait_for()
    assert actions.get_by_role("button").all_inner_texts() == ["Confirm"]  # no cancel: employee
    settle(panel)
    panel.assert_accessible()
    panel.shot("ops-orders")
    actions.get_by_role("button", name="Confirm").click()
    panel.page.get_by_role("link", name=f"Order {order_id}", exact=True).wait_for(state="detached")

    status, order = api(server["base"], "GET", f"/orders/{order_id}", token=server["token"])
    assert order["status"] == "confirmed"
    assert [change["to_status"] for change in order["status_history"]] == ["pending", "confirmed"]
    assert stock_in(server, product["id"], store["id"]) == ("8.000", "0.000")
    status, movements = api(server["base"], "GET",
                            f"/movements?product_id={product['id']}&type=order",
                            token=server["token"])
    assert [(m["quantity"], m["reference_type"], m["reference_id"]) for m in movements] == [
        ("-2.000", "order", order_id)]

    panel.open(f"orders/{order_id}")
    panel.page.get_by_role("heading", name="Status history").wait_for()
    panel.page.get_by_role("button", name="Ship").wait_for()
    assert panel.page.locator(".history li").all_inner_texts()[1].startswith("Confirmed")
    assert panel.page.get_by_role("group", name=f"Actions on order {order_id}").get_by_role(
        "button").all_inner_texts() == ["Ship"]
    settle(panel)
    panel.assert_accessible()
    panel.shot("ops-order")


def test_a_customer_cancels_its_pending_order_and_sees_its_account(panel):
    server = panel.server
    product, store = make_product(server, price="1.50", stock="5")
    panel.sign_in("customer")
    panel.go("Catalog")
    panel.page.get_by_label("Search products").fill(product["sku"])
    panel.page.get_by_role("button", name="Search", exact=True).click()
    panel.page.get_by_role("button", name=f"Add to cart: {product['name']}").click()
    panel.go("Cart")
    panel.page.get_by_role("button", name="Place order").click()
    panel.page.wait_for_url(re.compile(r"#/my-orders/\d+$"))
    order_id = int(panel.page.url.rsplit("/", 1)[1])
    assert stock_in(server, product["id"], store["id"]) == ("5.000", "1.000")
    panel.page.get_by_role("button", name="Cancel order").click()
    panel.page.get_by_role("button", name=f"Yes, cancel order {order_id}").click()
    panel.page.locator(".facts .order-status", has_text="Cancelled").wait_for()
    assert stock_in(server, product["id"], store["id"]) == ("5.000", "0.000")
    panel.go("My orders")
    panel.page.get_by_role("link", name=f"Order {order_id}", exact=True).wait_for()
    panel.go("My account")
    panel.page.get_by_test_id("balance").wait_for()
    customer = server["users"]["customer"]
    status, session = api(server["base"], "POST", "/auth/login",
                          {"email": customer["email"], "password": customer["password"]})
    assert status == 200
    client_id = session["user"]["client_id"]
    status, statement = api(server["base"], "GET", f"/clients/{client_id}/statement",
                            token=server["token"])
    assert status == 200
    assert panel.page.get_by_test_id("balance").inner_text() == statement["balance"]


# ---- stock count on a phone and a desktop ----------------------------------------------------

def test_a_stock_count_adjusts_the_difference_at_each_width(sized_panel):
    panel = sized_panel
    server = panel.server
    product, store = make_product(server, stock="10")
    panel.sign_in("manager")
    panel.go("Stock count")
    panel.page.get_by_label("Store counted").select_option(label=store["name"])
    picker = panel.page.get_by_label("Scan or type SKU / barcode")
    picker.fill(product["sku"])
    picker.press("Enter")
    counted = panel.page.get_by_label(f"Counted {product['sku']}")
    counted.wait_for()
    assert counted.evaluate("element => element === document.activeElement")
    counted.fill("7.5")
    assert panel.page.get_by_role("button", name="Submit count").is_disabled()
    panel.page.get_by_role("button", name="Review differences").click()
    review = panel.page.get_by_test_id(f"review-{product['sku']}")
    review.wait_for()
    assert " ".join(review.inner_text().split()) == (
        "On hand 10.000 · counted 7.5 · difference -2.500")
    assert panel.page.locator(".count-summary").inner_text() == (
        "Lines that differ from the stock on hand: 1 of 1.")
    panel.assert_accessible()
    panel.shot("ops-count-review")
    panel.page.get_by_role("button", name="Submit count").click()
    result = panel.page.get_by_role("status", name="Count recorded")
    result.wait_for()
    assert "1 line adjusted." in result.inner_text()
    assert "-2.500" in result.inner_text()
    panel.assert_accessible()
    panel.shot("ops-count-result")

    status, movements = api(server["base"], "GET",
                            f"/movements?product_id={product['id']}&type=adjustment",
                            token=server["token"])
    assert status == 200
    assert [(m["quantity"], m["balance_after"], m["reference_type"], m["store_id"])
            for m in movements] == [("-2.500", "7.500", "count", store["id"])]
    assert stock_in(server, product["id"], store["id"]) == ("7.500", "0.000")


# ---- transfers ----------------------------------------------------------------------------------

def test_a_manager_transfers_stock_after_a_short_line_is_refused(panel):
    panel.expect_status(409)
    server = panel.server
    product, source = make_product(server, stock="4")
    target = other_store(server, source)
    panel.sign_in("manager")
    panel.go("Transfers")
    panel.page.get_by_role("button", name="New transfer").click()
    panel.page.get_by_label("From store").select_option(label=source["name"])
    panel.page.get_by_label("To store").select_option(label=target["name"])
    picker = panel.page.get_by_label("Add product (SKU, barcode or name)")
    picker.fill(product["sku"])
    picker.press("Enter")
    quantity = panel.page.get_by_label(f"Quantity of {product['sku']}")
    quantity.fill("6")
    panel.page.get_by_role("button", name="Make transfer").click()
    panel.page.get_by_role("alert").wait_for()
    assert stock_in(server, product["id"], source["id"]) == ("4.000", "0.000")
    panel.assert_accessible()
    quantity.fill("3")
    panel.page.get_by_role("button", name="Make transfer").click()
    panel.page.wait_for_url(re.compile(r"#/transfers/\d+$"))
    transfer_id = int(panel.page.url.rsplit("/", 1)[1])
    panel.page.get_by_role("heading", name="Movements").wait_for()
    assert stock_in(server, product["id"], source["id"]) == ("1.000", "0.000")
    assert stock_in(server, product["id"], target["id"]) == ("3.000", "0.000")
    status, transfer = api(server["base"], "GET", f"/transfers/{transfer_id}",
                           token=server["token"])
    assert sorted((m["type"], m["quantity"]) for m in transfer["movements"]) == [
        ("transfer_in", "3.000"), ("transfer_out", "-3.000")]
    panel.assert_accessible()


# ---- inventory, alerts, ledger ------------------------------------------------------------------

def test_low_stock_rows_stand_out_and_the_ledger_pages_back(panel):
    server = panel.server
    product, store = make_product(server, stock="2")
    status, body = api(server["base"], "PATCH", f"/products/{product['id']}",
                       {"min_stock": "5"}, server["token"])
    assert status == 200, body
    panel.sign_in("manager")
    panel.open(f"inventory?store_id={store['id']}&q={product['sku']}")
    row = panel.page.locator("tr.row-low", has_text=product["sku"])
    row.wait_for()
    assert "Low" in row.inner_text()

    panel.go("Movements")
    panel.page.locator("tbody tr").first.wait_for()
    first_ids = ledger_ids(panel)
    assert first_ids == sorted(first_ids, reverse=True) and len(first_ids) == 20
    panel.page.get_by_role("button", name="Older").click()
    panel.page.wait_for_url(re.compile(rf"before_id={first_ids[-1]}"))
    older = ledger_ids(panel, after=first_ids)
    assert older == sorted(older, reverse=True) and max(older) < first_ids[-1]
    panel.page.get_by_role("button", name="Newest").click()
    assert ledger_ids(panel, after=older) == first_ids
    panel.page.get_by_role("button", name="Page 2", exact=True).click()
    page_two = ledger_ids(panel, after=first_ids)
    assert page_two == older  # keyset and page 2 agree on the same ledger


def test_operations_screens_at_each_width(sized_panel):
    panel = sized_panel
    panel.sign_in("admin")
    for title, name in [("Orders", "ops-board"), ("Transfers", "ops-transfers"),
                        ("Store inventory", "ops-inventory"), ("Stock alerts", "ops-alerts"),
                        ("Movements", "ops-ledger"), ("Stock count", "ops-count")]:
        panel.go(title)
        settle(panel)
        panel.assert_accessible()
        panel.shot(name)
    panel.open("transfers/new")
    panel.page.get_by_role("heading", name="New transfer").wait_for()
    settle(panel)
    panel.assert_accessible()
    panel.shot("ops-transfer-new")
    sign_out(panel)
    panel.sign_in("customer")
    for title, name in [("My orders", "ops-my-orders"), ("My account", "ops-account")]:
        panel.go(title)
        settle(panel)
        panel.assert_accessible()
        panel.shot(name)


def test_every_cart_control_of_the_point_of_sale_fits_the_screen(sized_panel):
    panel = sized_panel
    product, store = make_product(panel.server, price="2.00", stock="5")
    panel.sign_in("employee")
    panel.go("Point of sale")
    panel.page.get_by_label("Store").select_option(label=store["name"])
    picker = panel.page.get_by_label("Add product (SKU, barcode or name)")
    picker.fill(product["sku"])
    picker.press("Enter")
    panel.page.get_by_label(f"Quantity of {product['sku']}").wait_for()
    cart = panel.page.get_by_role("region", name="Cart")
    assert cart.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing scrolls aside
    for control in cart.locator("input, button").all():
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= panel.width
    panel.assert_accessible()
    panel.shot("ops-pos-cart")
