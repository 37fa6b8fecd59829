"""The movement types table and its enforcement in `post_movements` (service level).

A change that breaks its type's rules is a bug of the calling service: it
raises `InvalidMovement` (a ValueError) before anything is read or written.
"""

from datetime import date
from decimal import Decimal as D  # noqa: N817 - short, and only for literals

import pytest
from sqlalchemy import func, select

from inventory_api.errors import ValidationFailed
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock import documents, queries, service
from inventory_api.stock.models import Lot, Movement, StockLevel
from inventory_api.stock.service import MAX_MONEY, MAX_QUANTITY, Change
from inventory_api.stock.types import (
    MANUAL_TYPES,
    MOVEMENT_TYPES,
    REFERENCE_TYPES,
    InvalidMovement,
    Sign,
    UnitCost,
)
from inventory_api.suppliers.models import Supplier

CONTRACT_TYPES = ["receipt", "issue", "adjustment", "purchase_receipt", "purchase_return",
                  "sale", "sale_return", "order", "order_return", "transfer_out", "transfer_in"]


def post(*changes, **kwargs):
    movements = service.post_movements(list(changes), **kwargs)
    db.session.commit()
    return movements


def counts():
    """(movements, stock levels, lots) rows."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Movement, StockLevel, Lot))


def on_hand(product_id, store_id):
    db.session.expire_all()
    return db.session.scalar(select(func.sum(StockLevel.on_hand)).where(
        StockLevel.product_id == product_id, StockLevel.store_id == store_id)) or D("0.000")


def change(shop, kind, qty, product="widget", store="north", **kwargs):
    return Change(type=kind, product_id=shop[product], store_id=shop[store], quantity=D(qty),
                  **kwargs)


# --------------------------------------------------------------------------- the table


def test_the_table_defines_every_contract_type_once():
    assert list(MOVEMENT_TYPES) == CONTRACT_TYPES
    assert MANUAL_TYPES == ("receipt", "issue", "adjustment")
    posted_by = {ref for kind in MOVEMENT_TYPES.values() for ref in kind.posted_by} - {None}
    assert posted_by == set(REFERENCE_TYPES)
    signs = {name: kind.sign for name, kind in MOVEMENT_TYPES.items()}
    assert {n for n, s in signs.items() if s is Sign.IN} == {
        "receipt", "purchase_receipt", "sale_return", "order_return", "transfer_in"}
    assert {n for n, s in signs.items() if s is Sign.EITHER} == {"adjustment"}
    assert MOVEMENT_TYPES["purchase_receipt"].unit_cost is UnitCost.REQUIRED
    assert all(kind.unit_cost is UnitCost.NEVER for kind in MOVEMENT_TYPES.values()
               if kind.sign is Sign.OUT)


# --------------------------------------------------------------------------- enforcement


BROKEN = [
    ("positive sale", dict(kind="sale", qty="1"), dict(reference_type="sale", reference_id=1)),
    ("negative receipt", dict(kind="receipt", qty="-1"), {}),
    ("positive issue", dict(kind="issue", qty="1"), {}),
    ("purchase receipt without cost", dict(kind="purchase_receipt", qty="1"),
     dict(reference_type="purchase_order", reference_id=1)),
    ("transfer_in without a transfer", dict(kind="transfer_in", qty="1"), {}),
    ("transfer_in posted by a sale", dict(kind="transfer_in", qty="1"),
     dict(reference_type="sale", reference_id=1)),
    ("manual receipt posted by a document", dict(kind="receipt", qty="1"),
     dict(reference_type="order", reference_id=1)),
    ("sale without its document", dict(kind="sale", qty="-1"), {}),
    ("unit cost on an issue", dict(kind="issue", qty="-1", unit_cost=D("1.00")), {}),
    ("unit cost on a transfer_in", dict(kind="transfer_in", qty="1", unit_cost=D("1.00")),
     dict(reference_type="transfer", reference_id=1)),
    ("negative unit cost", dict(kind="receipt", qty="1", unit_cost=D("-1.00")), {}),
    ("adjustment without reason", dict(kind="adjustment", qty="1"), {}),
    ("supplier on an outflow", dict(kind="issue", qty="-1", supplier_id=1), {}),
    ("purchase order on a return", dict(kind="sale_return", qty="1", purchase_order_id=1),
     dict(reference_type="sale", reference_id=1)),
    ("reference type without id", dict(kind="sale", qty="-1"), dict(reference_type="sale")),
    ("unknown type", dict(kind="teleport", qty="1"), {}),
]


@pytest.mark.parametrize("case,fields,kwargs", BROKEN, ids=[case for case, _, _ in BROKEN])
def test_a_change_its_type_forbids_raises_and_writes_nothing(ctx, shop, case, fields, kwargs):
    post(change(shop, "receipt", "5"))  # stock, so that only the type rule can fail
    before = counts()
    kind, qty = fields.pop("kind"), fields.pop("qty")
    valid = change(shop, "receipt", "1", product="gadget")  # the line before it is fine
    with pytest.raises(InvalidMovement):
        service.post_movements([valid, change(shop, kind, qty, **fields)], **kwargs)
    db.session.rollback()
    assert counts() == before
    assert on_hand(shop["gadget"], shop["north"]) == 0
    assert issubclass(InvalidMovement, ValueError)


def test_each_document_posts_its_own_types(ctx, shop):
    post(change(shop, "receipt", "10"))
    [sale] = post(change(shop, "sale", "-2"), reference_type="sale", reference_id=7)
    [back] = post(change(shop, "sale_return", "1", unit_cost=D("4.00")),
                  reference_type="sale", reference_id=7)
    [bought] = post(change(shop, "purchase_receipt", "3", unit_cost=D("4.00")),
                    reference_type="purchase_order", reference_id=3)
    [returned] = post(change(shop, "purchase_return", "-1"),
                      reference_type="purchase_order", reference_id=3)
    [counted] = post(change(shop, "adjustment", "-1"), reference_type="count", reference_id=1,
                     reason="stock count")
    assert [(m.type, m.quantity, m.reference_type) for m in (sale, back, bought, returned,
                                                             counted)] == [
        ("sale", D("-2.000"), "sale"), ("sale_return", D("1.000"), "sale"),
        ("purchase_receipt", D("3.000"), "purchase_order"),
        ("purchase_return", D("-1.000"), "purchase_order"),
        ("adjustment", D("-1.000"), "count")]
    assert on_hand(shop["widget"], shop["north"]) == D("10.000")


# --------------------------------------------------------------------------- lots and origin


def test_an_inflow_remembers_supplier_and_purchase_order_on_the_lot_it_creates(ctx, shop):
    from inventory_api.purchasing.models import PurchaseOrder

    supplier = Supplier(name="Mill")
    other = Supplier(name="Other mill")
    db.session.add_all([supplier, other])
    db.session.flush()
    order = PurchaseOrder(supplier_id=supplier.id, store_id=shop["north"], status="ordered")
    db.session.add(order)
    db.session.commit()
    po = order.id
    [first] = post(change(shop, "purchase_receipt", "5", product="flour", lot="P1",
                          unit_cost=D("1.00"), supplier_id=supplier.id, purchase_order_id=po),
                   reference_type="purchase_order", reference_id=po)
    lot = db.session.get(Lot, first.lot_id)
    assert (lot.supplier_id, lot.purchase_order_id) == (supplier.id, po)
    # a later inflow into the same lot does not rewrite where it came from
    post(change(shop, "receipt", "1", product="flour", lot="P1", supplier_id=other.id))
    db.session.expire_all()
    lot = db.session.get(Lot, first.lot_id)
    assert (lot.supplier_id, lot.purchase_order_id) == (supplier.id, po)
    with pytest.raises(ValidationFailed) as refused:
        post(change(shop, "receipt", "1", product="flour", lot="P2", supplier_id=999999))
    db.session.rollback()
    assert "supplier_id" in refused.value.errors["json"]
    assert db.session.scalar(select(func.count()).select_from(Lot)) == 1


def test_returns_and_transfers_never_create_a_lot(ctx, shop):
    post(change(shop, "receipt", "5", product="flour", lot="A"))
    [back] = post(change(shop, "sale_return", "1", product="flour", lot="A"),
                  reference_type="sale", reference_id=1)
    assert db.session.get(Lot, back.lot_id).code == "A"
    with pytest.raises(ValidationFailed) as refused:
        post(change(shop, "sale_return", "1", product="flour", lot="NEW"),
             reference_type="sale", reference_id=1)
    db.session.rollback()
    assert "lot" in refused.value.errors["json"]
    assert [lot.code for lot in db.session.scalars(select(Lot))] == ["A"]


def test_transfer_movements_are_a_read_only_relationship(ctx, shop):
    post(change(shop, "receipt", "5"))
    transfer = documents.create_transfer({
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["widget"], "quantity": D("2")}]})
    assert [(m.type, m.quantity, m.reference_id) for m in transfer.movements] == [
        ("transfer_out", D("-2.000"), transfer.id), ("transfer_in", D("2.000"), transfer.id)]
    # a count posted with the same reference id is not the transfer's
    documents.create_stock_count({"store_id": shop["north"], "lines": [
        {"product_id": shop["widget"], "counted_quantity": D("1")}]})
    db.session.expire_all()
    assert len(db.session.get(type(transfer), transfer.id).movements) == 2


# --------------------------------------------------------------------------- ranges


def test_balances_stop_at_the_column_range(ctx, shop):
    post(change(shop, "receipt", "99999999999"))
    post(change(shop, "receipt", "0.999"))  # exactly the largest Numeric(14, 3)
    assert on_hand(shop["widget"], shop["north"]) == MAX_QUANTITY
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        post(change(shop, "receipt", "0.001"))
    db.session.rollback()
    assert list(refused.value.errors["json"]) == ["quantity"]
    with pytest.raises(ValidationFailed):  # also as one line of several
        post(change(shop, "receipt", "1", product="gadget"), change(shop, "adjustment", "1"),
             reason="found")
    db.session.rollback()
    assert counts() == before and on_hand(shop["widget"], shop["north"]) == MAX_QUANTITY
    assert on_hand(shop["gadget"], shop["north"]) == 0
    assert queries.ledger_drift() == []


def test_movement_value_and_cost_stop_at_the_money_range(ctx, shop):
    before = counts()
    with pytest.raises(ValidationFailed) as refused:  # 2 × 999,999,999,999.99
        post(change(shop, "receipt", "2", unit_cost=MAX_MONEY))
    db.session.rollback()
    assert list(refused.value.errors["json"]) == ["unit_cost"]
    with pytest.raises(ValidationFailed) as refused:
        post(change(shop, "receipt", "1", unit_cost=MAX_MONEY + 1))
    db.session.rollback()
    assert list(refused.value.errors["json"]) == ["unit_cost"]
    product = db.session.get(Product, shop["gadget"])
    product.cost = MAX_MONEY
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:  # no cost given: valued at the product's
        post(change(shop, "receipt", "2", product="gadget"))
    db.session.rollback()
    assert list(refused.value.errors["json"]) == ["quantity"]
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Product, shop["widget"]).cost == D("4.00")
    [fits] = post(change(shop, "receipt", "1", unit_cost=MAX_MONEY))
    assert fits.unit_cost == MAX_MONEY


def test_reservations_and_counts_keep_to_the_range(ctx, shop):
    post(change(shop, "receipt", str(MAX_QUANTITY)))
    held = service.reserve([change(shop, "order", str(MAX_QUANTITY))])
    db.session.commit()
    assert held[0]["quantity"] == MAX_QUANTITY
    service.release(held)
    db.session.commit()
    with pytest.raises(ValidationFailed):  # 1 more than the largest balance
        documents.create_stock_count({"store_id": shop["north"], "lines": [
            {"product_id": shop["widget"], "counted_quantity": MAX_QUANTITY + 1}]})
    db.session.rollback()
    assert on_hand(shop["widget"], shop["north"]) == MAX_QUANTITY
    assert queries.ledger_drift() == []


def test_lot_markers_release_untracked_and_tracked_reservations(ctx, shop):
    post(change(shop, "receipt", "3"), change(shop, "receipt", "3", product="flour", lot="L",
                                              expiry_date=date(2027, 1, 1)))
    held = service.reserve([change(shop, "order", "2"), change(shop, "order", "2",
                                                               product="flour")])
    db.session.commit()
    assert [h["lot_id"] is None for h in held] == [True, False]
    service.release(held)
    db.session.commit()
    db.session.expire_all()
    assert {row.reserved for row in db.session.scalars(select(StockLevel))} == {D("0.000")}
