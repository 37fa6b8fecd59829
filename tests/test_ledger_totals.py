"""The ledger's `X-Pagination` total comes from counters (ledger_counts, the stock
levels' movement_count and each movement's store_seq / level_seq) instead of a
count over the movements: it must equal the real count for every shape of query."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory_api.common.uow import transaction
from inventory_api.extensions import db
from inventory_api.stock import documents, queries, service
from inventory_api.stock.models import LedgerCount, Movement
from inventory_api.stock.service import Change

API = "/api/v1"


@pytest.fixture
def ledger(app, shop):
    """Movements in two stores, for a plain and a lot-tracked product, a transfer
    between the stores, an issue split across two lots (FEFO)."""
    with app.app_context():
        with transaction():
            service.post_movements([
                Change(type="receipt", product_id=shop["widget"], store_id=shop["north"],
                       quantity=Decimal("10")),
                Change(type="receipt", product_id=shop["widget"], store_id=shop["south"],
                       quantity=Decimal("4")),
                Change(type="receipt", product_id=shop["flour"], store_id=shop["north"],
                       quantity=Decimal("2"), lot="L1"),
                Change(type="receipt", product_id=shop["flour"], store_id=shop["north"],
                       quantity=Decimal("3"), lot="L2"),
            ], reason="opening")
        for n in range(3):
            with transaction():
                service.post_movements([Change(type="issue", product_id=shop["widget"],
                                               store_id=shop["north"],
                                               quantity=Decimal("-1"))], reason=f"use {n}")
        with transaction():
            documents.create_transfer({"from_store_id": shop["north"],
                                       "to_store_id": shop["south"],
                                       "lines": [{"product_id": shop["widget"],
                                                  "quantity": Decimal("2")}]})
        with transaction():
            service.post_movements([Change(type="issue", product_id=shop["flour"],
                                           store_id=shop["north"], quantity=Decimal("-4"))],
                                   reason="production")
        ids = sorted(db.session.scalars(select(Movement.id)))
    return {**shop, "ids": ids}


def real_count(**where):
    before_id = where.pop("before_id", None)
    stmt = select(func.count()).select_from(Movement).where(
        *(getattr(Movement, name) == value for name, value in where.items()))
    if before_id:
        stmt = stmt.where(Movement.id < before_id)
    return db.session.scalar(stmt)


def header_total(client, headers, url):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.headers["X-Pagination"]).get("total", 0), len(response.json)


def test_the_ledger_total_equals_the_real_count_for_every_shape(app, client, auth, ledger):
    headers = auth("manager")
    ids = ledger["ids"]
    assert len(ids) == 11  # 4 receipts, 3 issues, 2 transfer movements, 2 lots issued
    shapes = []
    for before_id in (None, ids[0], ids[1], ids[5], ids[-1], ids[-1] + 1):
        for filters in ({}, {"store_id": ledger["north"]}, {"store_id": ledger["south"]},
                        {"product_id": ledger["widget"]}, {"product_id": ledger["flour"]},
                        {"product_id": ledger["widget"], "store_id": ledger["south"]},
                        {"store_id": ledger["closed"]}):
            shapes.append({**filters, **({"before_id": before_id} if before_id else {})})
    with app.app_context():
        for shape in shapes:
            query = "&".join(f"{k}={v}" for k, v in shape.items())
            total, rows = header_total(client, headers, f"{API}/movements?page_size=100&{query}")
            expected = real_count(**shape)
            assert (total, rows) == (expected, expected), shape
        for product in ("widget", "flour"):
            for before_id in (None, ids[6]):
                suffix = f"&before_id={before_id}" if before_id else ""
                total, _ = header_total(
                    client, headers, f"{API}/products/{ledger[product]}/movements?x=1{suffix}")
                assert total == real_count(product_id=ledger[product],
                                           **({"before_id": before_id} if before_id else {}))


def test_other_filters_are_counted(app, client, auth, ledger):
    headers = auth("manager")
    total, rows = header_total(client, headers, f"{API}/movements?type=issue&page_size=100")
    assert total == rows == 5  # 3 widget issues + the flour issue split over two lots


def test_a_store_scoped_user_gets_the_total_of_its_stores(app, client, make_user, login, ledger):
    user = make_user("employee", store_ids=[ledger["south"]])
    headers = {"Authorization": f"Bearer {login(user['email'], user['password'])['access_token']}"}
    with app.app_context():
        expected = real_count(store_id=ledger["south"])
        deep = real_count(store_id=ledger["south"], before_id=ledger["ids"][-1])
    assert header_total(client, headers, f"{API}/movements") == (expected, expected)
    assert header_total(client, headers, f"{API}/movements?store_id={ledger['north']}") == (0, 0)
    before = f"{API}/movements?before_id={ledger['ids'][-1]}"
    assert header_total(client, headers, before) == (deep, deep)


def test_check_ledger_compares_the_counters_with_the_movements(app, runner, ledger):
    with app.app_context():
        assert queries.ledger_drift() == [] and queries.totals_drift() == []
        db.session.get(LedgerCount, ledger["south"]).movements += 1
        db.session.commit()
        [drift] = queries.totals_drift()
        assert drift["store_id"] == ledger["south"]
    bad = runner.invoke(args=["check-ledger"])
    assert bad.exit_code == 1 and "ledger counter" in bad.output


def test_the_inventory_total_is_the_stores_count_of_products_on_hand(app, client, auth,
                                                                     ledger):
    """products_held follows products into and out of a store (the transfer brought
    widget to south; issuing all of north's flour takes it out of north)."""
    headers = auth("manager")
    with app.app_context():
        with transaction():
            service.post_movements([Change(type="issue", product_id=ledger["flour"],
                                           store_id=ledger["north"], quantity=Decimal("-1"))],
                                   reason="the last of it")
        assert queries.totals_drift() == []
    for store, expected in (("north", {ledger["widget"]}), ("south", {ledger["widget"]}),
                            ("closed", set())):
        response = client.get(f"{API}/stores/{ledger[store]}/inventory", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert {row["product_id"] for row in response.json} == expected, store
        assert json.loads(response.headers["X-Pagination"]).get("total", 0) == len(expected)
    filtered = client.get(f"{API}/stores/{ledger['north']}/inventory?q=widg", headers=headers)
    assert json.loads(filtered.headers["X-Pagination"])["total"] == 1  # counted
