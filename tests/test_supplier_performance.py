"""Supplier performance and ratings: exact rates on a constructed history (the same
numbers on SQLite, MariaDB and PostgreSQL), ratings' validation, roles.

The history is written through `purchasing.service` (create, submit, receive,
cancel); only the timestamps (`ordered_at`, `received_at`, `expected_date`) are
then set directly, since the service stamps the current time.
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.purchasing import evaluation, service
from inventory_api.purchasing.evaluation_models import SupplierRating
from inventory_api.purchasing.models import PurchaseOrder
from tests.conftest import assert_error
from tests.purchasing_fixtures import API, make_supplier, suppliers  # noqa: F401

D = Decimal


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _order(s, lines, supplier="acme", submit=True):
    po = service.create_purchase_order({
        "supplier_id": s[supplier], "store_id": s["north"],
        "lines": [{"product_id": s[p], "quantity": D(q), "unit_cost": D(c)}
                  for p, q, c in lines]})
    if submit:
        service.submit_purchase_order(po.id)
    return po.id


def _receive(po_id, quantities):
    po = db.session.get(PurchaseOrder, po_id)
    items = [{"line_id": line.id, "quantity": D(q)} for line, q in zip(po.lines, quantities,
                                                                        strict=True) if q]
    service.receive(po_id, {"lines": items})


def _stamp(po_id, ordered_at, expected_date=None, received_at=None):
    with transaction():
        po = db.session.get(PurchaseOrder, po_id)
        po.ordered_at, po.expected_date = ordered_at, expected_date
        if received_at is not None:
            po.received_at = received_at


@pytest.fixture
def history(app, suppliers):  # noqa: F811
    """Acme's orders (today = the real UTC date):

    A widget 10 @ 5.00 + gadget 5 @ 12.00, ordered day −9 23:30, received in full on
      its expected day (−5) at 23:30: on time, lead 4.0 days, value 110.00
    B widget 10 @ 5.00, ordered −12 08:00, expected −8, received −6 20:00: late, 6.5 days
    C widget 20 @ 2.35, expected −3, 5.5 received: open past its date (short, late)
    D widget 10 @ 5.00, expected +10, nothing received: not due yet
    E a draft, and a draft cancelled: not orders
    F widget 10 @ 1.00, expected +5, 4 received then cancelled: closed short
    G widget 10 @ 5.00 ordered then cancelled with nothing received
    One Beta order (received) that must not count for Acme.
    """
    today = datetime.now(UTC).date()
    day = lambda n: today + timedelta(days=n)  # noqa: E731
    with app.app_context():
        a = _order(suppliers, [("widget", "10", "5.00"), ("gadget", "5", "12.00")])
        _receive(a, ["10", "5"])
        _stamp(a, at(day(-9), 23, 30), day(-5), at(day(-5), 23, 30))
        b = _order(suppliers, [("widget", "10", "5.00")])
        _receive(b, ["10"])
        _stamp(b, at(day(-12), 8), day(-8), at(day(-6), 20))
        c = _order(suppliers, [("widget", "20", "2.35")])
        _receive(c, ["5.5"])
        _stamp(c, at(day(-7), 9), day(-3))
        d = _order(suppliers, [("widget", "10", "5.00")])
        _stamp(d, at(day(-1), 10), day(10))
        _order(suppliers, [("widget", "99", "5.00")], submit=False)
        service.cancel_purchase_order(_order(suppliers, [("widget", "7", "5.00")],
                                             submit=False))
        f = _order(suppliers, [("widget", "10", "1.00")])
        _receive(f, ["4"])
        service.cancel_purchase_order(f)
        _stamp(f, at(day(-4), 9), day(5))
        g = _order(suppliers, [("widget", "10", "5.00")])
        service.cancel_purchase_order(g)
        _stamp(g, at(day(-20), 9), day(-15))
        other = _order(suppliers, [("gadget", "3", "9.99")], supplier="beta")
        _receive(other, ["3"])
        return {**suppliers, "orders": {"a": a, "b": b, "c": c, "d": d, "f": f, "g": g,
                                        "beta": other}, "last_order_at": at(day(-1), 10)}


@pytest.fixture
def manager(auth):
    return auth("manager")


EXPECTED = {
    "orders_count": 6,           # A B C D F G (not the drafts)
    "received_count": 2,         # A B
    "on_time_rate": 0.25,        # due with a date: A B C F; on time: A
    "fill_rate": 0.6273,         # (15 + 10 + 5.5 + 4) / (15 + 10 + 20 + 10) = 34.5 / 55
    "avg_lead_time_days": 5.25,  # (4.0 + 6.5) / 2
    "total_spent": "176.93",     # 110 + 50 + 5.5 × 2.35 (12.925) + 4 × 1.00
    "rating": None,
}


def test_performance_on_constructed_history(client, manager, history):
    response = client.get(f"{API}/suppliers/{history['acme']}/performance", headers=manager)
    assert response.status_code == 200, response.json
    body = response.json
    assert {k: body[k] for k in EXPECTED} == EXPECTED
    assert body["supplier_id"] == history["acme"]
    assert datetime.fromisoformat(body["last_order_at"]) == history["last_order_at"]


def test_fill_rate_is_exact_fraction(app, history):
    with app.app_context():
        result = evaluation.supplier_performance(history["acme"])
    assert D(str(result["fill_rate"])) == (D("34.5") / D("55")).quantize(D("0.0001"))


def test_open_order_becomes_due_after_its_date(app, history):
    """D (expected +10) counts once its date has passed: on time 1/5, fill 34.5/65."""
    today = datetime.now(UTC).date()
    with app.app_context():
        result = evaluation.supplier_performance(history["acme"], today=today + timedelta(11))
    assert result["on_time_rate"] == 0.2
    assert result["fill_rate"] == 0.5308


def test_supplier_without_orders(client, manager, suppliers):  # noqa: F811
    body = client.get(f"{API}/suppliers/{suppliers['beta']}/performance",
                      headers=manager).json
    assert body == {"supplier_id": suppliers["beta"], "orders_count": 0, "received_count": 0,
                    "on_time_rate": None, "fill_rate": None, "avg_lead_time_days": None,
                    "total_spent": "0.00", "last_order_at": None, "rating": None}


def test_unknown_supplier_404(client, manager, suppliers):  # noqa: F811
    assert_error(client.get(f"{API}/suppliers/99999/performance", headers=manager), 404)
    assert_error(client.post(f"{API}/suppliers/99999/ratings", json={"score": 3},
                             headers=manager), 404)


def test_ratings_mean_and_body(client, manager, history):
    url = f"{API}/suppliers/{history['acme']}/ratings"
    response = client.post(url, headers=manager, json={
        "score": 4, "comment": "  Good packaging.\nLate once.  ",
        "purchase_order_id": history["orders"]["b"]})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["score"] == 4 and body["comment"] == "Good packaging.\nLate once."
    assert body["supplier_id"] == history["acme"]
    assert body["purchase_order_id"] == history["orders"]["b"]
    assert isinstance(body["created_by"], int) and body["created_at"]
    assert client.post(url, headers=manager, json={"score": 5}).status_code == 201
    assert client.post(url, headers=manager, json={"score": 4}).status_code == 201
    perf = client.get(f"{API}/suppliers/{history['acme']}/performance", headers=manager).json
    assert perf["rating"] == 4.33
    beta = client.get(f"{API}/suppliers/{history['beta']}/performance", headers=manager).json
    assert beta["rating"] is None


@pytest.mark.parametrize("body, field", [
    ({"score": 0}, "score"),
    ({"score": 6}, "score"),
    ({"score": 4.5}, "score"),
    ({"score": "4"}, "score"),
    ({"score": True}, "score"),
    ({}, "score"),
    ({"score": 3, "comment": "bad\x07bell"}, "comment"),
    ({"score": 3, "purchase_order_id": 0}, "purchase_order_id"),
])
def test_rating_bad_input_422(client, manager, history, body, field):
    error = assert_error(client.post(f"{API}/suppliers/{history['acme']}/ratings",
                                     json=body, headers=manager), 422)
    assert field in error["errors"]["json"]
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupplierRating)) == 0


@pytest.mark.parametrize("which", ["beta", "draft", "missing"])
def test_rating_foreign_or_draft_order_422(client, manager, history, which):
    with client.application.app_context():
        draft = db.session.scalar(select(PurchaseOrder.id).where(
            PurchaseOrder.status == "draft"))
    order_id = {"beta": history["orders"]["beta"], "draft": draft, "missing": 99999}[which]
    error = assert_error(client.post(f"{API}/suppliers/{history['acme']}/ratings", json={
        "score": 2, "purchase_order_id": order_id}, headers=manager), 422)
    assert error["errors"] == {"json": {"purchase_order_id": [
        "Not a placed purchase order of this supplier."]}}
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(SupplierRating)) == 0


@pytest.mark.parametrize("role, status", [
    ("customer", 403), ("employee", 403), ("manager", 200), ("admin", 200)])
def test_role_matrix(client, auth, suppliers, role, status):  # noqa: F811
    headers = auth(role)
    supplier = suppliers["acme"]
    response = client.get(f"{API}/suppliers/{supplier}/performance", headers=headers)
    assert response.status_code == status, response.json
    response = client.post(f"{API}/suppliers/{supplier}/ratings", json={"score": 3},
                           headers=headers)
    assert response.status_code == (201 if status == 200 else 403), response.json
    if status == 403:
        assert_error(response, 403)
    assert_error(client.get(f"{API}/suppliers/{supplier}/performance"), 401)
    assert_error(client.post(f"{API}/suppliers/{supplier}/ratings", json={"score": 3}), 401)


def test_inactive_supplier_still_rated(client, manager, app):
    with app.app_context():
        gone = make_supplier("Gone", active=False)
    response = client.post(f"{API}/suppliers/{gone}/ratings", json={"score": 1},
                           headers=manager)
    assert response.status_code == 201, response.json
