"""Helpers shared by the order tests: stock set-up, users with tokens, order calls."""

from decimal import Decimal

from inventory_api.common.uow import transaction
from inventory_api.stock.service import Change, post_movements

API = "/api/v1"


def stock_in(app, shop, product, qty, store="north", lot=None, expiry_date=None):
    """Receive `qty` of a product (setup through the movements service)."""
    with app.app_context(), transaction():
        post_movements([Change(type="receipt", product_id=shop[product], store_id=shop[store],
                               quantity=Decimal(qty), lot=lot, expiry_date=expiry_date)])


def user_with_token(make_user, login, role, **kwargs):
    """A new user of `role`: {"id", "client_id", "headers"}."""
    user = make_user(role, **kwargs)
    token = login(user["email"], user["password"])["access_token"]
    return {**user, "headers": {"Authorization": f"Bearer {token}"}}


def place(client, headers, shop, lines=(("widget", "2"),), store="north", **extra):
    body = {"lines": [{"product_id": shop[p], "quantity": q} for p, q in lines], **extra}
    if store is not None:
        body["store_id"] = shop[store]
    return client.post(f"{API}/orders", json=body, headers=headers)


def act(client, headers, order_id, action, body=None, **kwargs):
    return client.post(f"{API}/orders/{order_id}/{action}", json=body if body is not None
                       else {}, headers=headers, **kwargs)


def stock_of(client, headers, shop, product, store="north"):
    """(on_hand, reserved, available) of a product in a store, as strings."""
    body = client.get(f"{API}/products/{shop[product]}/stock", headers=headers).json
    for row in body["stores"]:
        if row["store_id"] == shop[store]:
            return row["on_hand"], row["reserved"], row["available"]
    return "0.000", "0.000", "0.000"
