"""The movements service without HTTP: every rule its module docstring numbers."""

from datetime import date
from decimal import Decimal as D  # noqa: N817 - short, and only for literals

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from inventory_api.errors import ValidationFailed
from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock import documents, queries, service
from inventory_api.stock.models import Lot, LowStockEvent, Movement, StockLevel, StockMinimum
from inventory_api.stock.service import Change, InsufficientStock
from tests.test_query_counts import count_statements


def post(*changes, **kwargs):
    movements = service.post_movements(list(changes), **kwargs)
    db.session.commit()
    return movements


def level(product_id, store_id, lot_id=None):
    db.session.expire_all()
    return db.session.scalar(select(StockLevel).where(
        StockLevel.product_id == product_id, StockLevel.store_id == store_id,
        StockLevel.lot_key == (lot_id or 0)))


def receipt(shop, qty, product="widget", store="north", **kwargs):
    return post(Change(type="receipt", product_id=shop[product], store_id=shop[store],
                       quantity=D(qty), **kwargs))


def test_receipt_creates_level_and_ledger_row(ctx, shop):
    [movement] = receipt(shop, "7.5")
    row = level(shop["widget"], shop["north"])
    assert row.on_hand == D("7.500") and row.reserved == 0
    assert movement.quantity == D("7.500") and movement.balance_after == D("7.500")
    assert movement.type == "receipt" and movement.stock_level_id == row.id
    assert movement.unit_cost == D("4.00")  # product cost when none given


def test_outflow_is_signed_and_balance_follows(ctx, shop):
    receipt(shop, "10")
    [issue] = post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                          quantity=D("-3")), reason="workshop", user_id=None)
    assert issue.quantity == D("-3.000") and issue.balance_after == D("7.000")
    assert issue.reason == "workshop"
    assert level(shop["widget"], shop["north"]).on_hand == D("7.000")


def test_outflow_beyond_available_is_refused_and_nothing_written(ctx, shop):
    receipt(shop, "2")
    receipt(shop, "1", product="gadget")
    before = db.session.scalar(select(func.count()).select_from(Movement))
    with pytest.raises(InsufficientStock) as refused:
        service.post_movements([
            Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                   quantity=D("-3")),
            Change(type="issue", product_id=shop["gadget"], store_id=shop["north"],
                   quantity=D("-1")),
            Change(type="issue", product_id=shop["gadget"], store_id=shop["south"],
                   quantity=D("-1")),
        ])
    db.session.rollback()
    short = refused.value.errors["short_lines"]
    assert [(s["line"], s["requested"], s["available"]) for s in short] == [
        (1, "3.000", "2.000"), (3, "1.000", "0.000")]
    assert db.session.scalar(select(func.count()).select_from(Movement)) == before
    assert level(shop["gadget"], shop["north"]).on_hand == D("1.000")


def test_a_posting_leaves_its_levels_written_and_clean_in_the_session(ctx, shop):
    """Outside deferred_writes() the levels' new values are written by the posting's
    UPDATE and set as committed: no flush has anything to look at, and what the
    session holds is what the database holds."""
    receipt(shop, "10")
    receipt(shop, "4", store="south")
    db.session.expire_all()
    flushed_levels = []

    def before_flush(session, _context, _instances):
        flushed_levels.extend(row for row in session.dirty if isinstance(row, StockLevel))

    event.listen(db.session(), "before_flush", before_flush)
    try:
        service.post_movements([
            Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                   quantity=D("-3")),
            Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                   quantity=D("-1"))])
    finally:
        event.remove(db.session(), "before_flush", before_flush)
    assert flushed_levels == []
    held = [row for row in db.session.identity_map.values() if isinstance(row, StockLevel)]
    assert held
    in_session = {row.id: (row.on_hand, row.movement_count) for row in held}
    levels = StockLevel.__table__  # plain rows, past the session's objects
    written = {row.id: (row.on_hand, row.movement_count) for row in db.session.connection()
               .execute(select(levels.c.id, levels.c.on_hand, levels.c.movement_count)
                        .where(levels.c.id.in_(in_session)))}
    assert in_session == written
    assert in_session[level_id(shop, "north")] == (D("6.000"), 3)
    db.session.commit()


def level_id(shop, store):
    return db.session.scalar(select(StockLevel.id).where(
        StockLevel.product_id == shop["widget"], StockLevel.store_id == shop[store]))


def test_two_lines_of_one_product_add_up(ctx, shop):
    receipt(shop, "5")
    with pytest.raises(InsufficientStock):
        service.post_movements([
            Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                   quantity=D("-3")),
            Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                   quantity=D("-3")),
        ])
    db.session.rollback()


def test_reserved_stock_cannot_be_issued(ctx, shop):
    receipt(shop, "5")
    service.reserve([Change(type="order", product_id=shop["widget"], store_id=shop["north"],
                            quantity=D("4"))])
    db.session.commit()
    with pytest.raises(InsufficientStock) as refused:
        service.post_movements([Change(type="issue", product_id=shop["widget"],
                                       store_id=shop["north"], quantity=D("-2"))])
    db.session.rollback()
    assert refused.value.errors["short_lines"][0]["available"] == "1.000"


def test_reserve_release_and_confirm(ctx, shop):
    receipt(shop, "5")
    held = service.reserve([Change(type="order", product_id=shop["widget"],
                                   store_id=shop["north"], quantity=D("3"))])
    db.session.commit()
    assert level(shop["widget"], shop["north"]).reserved == D("3.000")
    with pytest.raises(InsufficientStock):
        service.reserve([Change(type="order", product_id=shop["widget"], store_id=shop["north"],
                                quantity=D("3"))])
    db.session.rollback()
    service.release(held)
    db.session.commit()
    assert level(shop["widget"], shop["north"]).reserved == 0
    held = service.reserve([Change(type="order", product_id=shop["widget"],
                                   store_id=shop["north"], quantity=D("2"))])
    [movement] = post(*[Change(type="order", product_id=h["product_id"], store_id=h["store_id"],
                               quantity=-h["quantity"], lot_id=h["lot_id"], from_reserved=True)
                        for h in held], reference_type="order", reference_id=1)
    row = level(shop["widget"], shop["north"])
    assert (row.on_hand, row.reserved) == (D("3.000"), D("0.000"))
    assert movement.type == "order" and movement.reference_id == 1


def test_moving_average_cost_over_all_stores(ctx, shop):
    receipt(shop, "10", unit_cost=D("4.00"))  # 10 @ 4 (cost was 4)
    receipt(shop, "10", store="south", unit_cost=D("6.00"))  # 20 @ 5
    db.session.expire_all()
    assert db.session.get(Product, shop["widget"]).cost == D("5.00")
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("-10")))
    receipt(shop, "10", unit_cost=D("8.00"))  # (10*5 + 10*8) / 20 = 6.5
    db.session.expire_all()
    assert db.session.get(Product, shop["widget"]).cost == D("6.50")
    # an outflow records the cost at its time
    [issue] = post(Change(type="issue", product_id=shop["widget"], store_id=shop["south"],
                          quantity=D("-1")))
    assert issue.unit_cost == D("6.50")


def test_uncosted_inflow_keeps_cost(ctx, shop):
    receipt(shop, "10", unit_cost=D("9.00"))
    post(Change(type="adjustment", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("5")), reason="found")
    db.session.expire_all()
    assert db.session.get(Product, shop["widget"]).cost == D("9.00")


def test_tracked_inflow_needs_lot_and_untracked_refuses_one(ctx, shop):
    with pytest.raises(ValidationFailed):
        receipt(shop, "5", product="flour")
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        receipt(shop, "5", lot="L1")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StockLevel)) == 0


def test_fefo_consumes_earliest_expiry_then_splits(ctx, shop):
    receipt(shop, "5", product="flour", lot="LATE", expiry_date=date(2027, 6, 1))
    receipt(shop, "5", product="flour", lot="EARLY", expiry_date=date(2027, 1, 1))
    receipt(shop, "5", product="flour", lot="NOEXP")
    movements = post(Change(type="issue", product_id=shop["flour"], store_id=shop["north"],
                            quantity=D("-8")))
    lots = {lot.id: lot.code for lot in db.session.scalars(select(Lot))}
    assert [(lots[m.lot_id], m.quantity) for m in movements] == [
        ("EARLY", D("-5.000")), ("LATE", D("-3.000"))]
    movements = post(Change(type="issue", product_id=shop["flour"], store_id=shop["north"],
                            quantity=D("-4")))
    assert [(lots[m.lot_id], m.quantity) for m in movements] == [
        ("LATE", D("-2.000")), ("NOEXP", D("-2.000"))]


def test_named_lot_is_used_and_unknown_lot_is_short(ctx, shop):
    receipt(shop, "5", product="flour", lot="A", expiry_date=date(2027, 1, 1))
    receipt(shop, "5", product="flour", lot="B", expiry_date=date(2027, 6, 1))
    [movement] = post(Change(type="issue", product_id=shop["flour"], store_id=shop["north"],
                             quantity=D("-2"), lot="B"))
    assert db.session.get(Lot, movement.lot_id).code == "B"
    with pytest.raises(InsufficientStock):
        service.post_movements([Change(type="issue", product_id=shop["flour"],
                                       store_id=shop["north"], quantity=D("-1"), lot="ZZZ")])
    db.session.rollback()


def test_lot_expiry_conflict_is_422(ctx, shop):
    receipt(shop, "5", product="flour", lot="A", expiry_date=date(2027, 1, 1))
    with pytest.raises(ValidationFailed):
        receipt(shop, "1", product="flour", lot="A", expiry_date=date(2028, 1, 1))
    db.session.rollback()


def test_low_stock_event_once_per_crossing_and_resolved(ctx, shop):
    receipt(shop, "8")  # min 5: 0 -> 8 is not a crossing down
    assert db.session.scalar(select(func.count()).select_from(LowStockEvent)) == 0
    [down] = post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                         quantity=D("-3")))  # 8 -> 5: at the minimum
    events = db.session.scalars(select(LowStockEvent)).all()
    assert len(events) == 1
    assert events[0].movement_id == down.id and events[0].available == D("5.000")
    assert events[0].min_stock == D("5.000") and events[0].resolved_at is None
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("-1")))  # still below: not repeated
    assert db.session.scalar(select(func.count()).select_from(LowStockEvent)) == 1
    [up] = receipt(shop, "10")
    event = db.session.scalars(select(LowStockEvent)).one()
    assert event.resolved_at is not None and event.resolved_by_movement_id == up.id
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("-10")))  # 14 -> 4: a new crossing
    assert db.session.scalar(select(func.count()).select_from(LowStockEvent)) == 2


def test_a_transfer_opens_and_resolves_the_events_of_both_stores(ctx, shop):
    receipt(shop, "8")  # north 8, min 5
    receipt(shop, "6", store="south")
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["south"],
                quantity=D("-6")))  # south 6 -> 0: an open event (min 5)
    [south_event] = db.session.scalars(select(LowStockEvent)).all()
    transfer = documents.create_transfer({
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["widget"], "quantity": D("6")}]})  # north 2, south 6
    db.session.commit()
    moved = {m.type: m for m in transfer.movements}
    events = {e.store_id: e for e in db.session.scalars(select(LowStockEvent))}
    assert set(events) == {shop["north"], shop["south"]} and len(events) == 2
    north = events[shop["north"]]
    assert (north.available, north.movement_id, north.resolved_at) == (
        D("2.000"), moved["transfer_out"].id, None)
    assert (north.reference_type, north.reference_id) == ("transfer", transfer.id)
    assert events[shop["south"]].id == south_event.id
    assert events[shop["south"]].resolved_by_movement_id == moved["transfer_in"].id


def test_a_transfer_reads_the_alert_state_with_its_counter_locks(app, ctx, shop):
    """In a transaction of its own, a transfer reads the minimums and open events of
    its pairs in the statement that locks its stores' ledger counters, and judges
    both stores as a separate read would: a store's own minimum, an event opened
    by an earlier transaction."""
    db.session.add(StockMinimum(product_id=shop["widget"], store_id=shop["north"],
                                min_stock=D("3")))
    receipt(shop, "8")  # north 8 (its minimum 3), south: the product's 5
    receipt(shop, "6", store="south")
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["south"],
                quantity=D("-6")))  # south 6 -> 0: an open event
    db.session.commit()
    [south_event] = db.session.scalars(select(LowStockEvent)).all()
    with count_statements(app) as statements:
        transfer = documents.create_transfer({
            "from_store_id": shop["north"], "to_store_id": shop["south"],
            "lines": [{"product_id": shop["widget"], "quantity": D("6")}]})  # 2 and 6
        db.session.commit()
    alert_reads = [s for s in statements if "stock_minimums" in s]
    assert len(alert_reads) == 1 and "ledger_counts" in alert_reads[0], statements
    moved = {m.type: m for m in transfer.movements}
    events = {e.store_id: e for e in db.session.scalars(select(LowStockEvent))}
    north = events[shop["north"]]
    assert (north.available, north.min_stock, north.movement_id, north.resolved_at) == (
        D("2.000"), D("3.000"), moved["transfer_out"].id, None)
    db.session.refresh(south_event)
    assert south_event.resolved_by_movement_id == moved["transfer_in"].id
    assert south_event.resolved_at is not None


def test_one_document_resolves_several_events_each_with_its_movement(ctx, shop):
    receipt(shop, "8")  # widget min 5
    receipt(shop, "12", product="gadget")  # gadget min 10
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("-8")),
         Change(type="issue", product_id=shop["gadget"], store_id=shop["north"],
                quantity=D("-12")))
    assert db.session.scalar(select(func.count()).select_from(LowStockEvent).where(
        LowStockEvent.resolved_at.is_(None))) == 2
    widget_in, gadget_in = post(
        Change(type="receipt", product_id=shop["widget"], store_id=shop["north"],
               quantity=D("9")),
        Change(type="receipt", product_id=shop["gadget"], store_id=shop["north"],
               quantity=D("11")))
    db.session.commit()
    events = {e.product_id: e for e in db.session.scalars(select(LowStockEvent))}
    assert events[shop["widget"]].resolved_by_movement_id == widget_in.id
    assert events[shop["gadget"]].resolved_by_movement_id == gadget_in.id
    assert all(e.resolved_at is not None for e in events.values())


def test_store_minimum_override_is_used_for_events(ctx, shop):
    db.session.add(StockMinimum(product_id=shop["widget"], store_id=shop["north"],
                                min_stock=D("1")))
    db.session.commit()
    receipt(shop, "8")
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("-3")))  # 5 > override 1: no event
    assert db.session.scalar(select(func.count()).select_from(LowStockEvent)) == 0


def test_unknown_product_or_inactive_store_is_422(ctx, shop):
    with pytest.raises(ValidationFailed):
        post(Change(type="receipt", product_id=999999, store_id=shop["north"], quantity=D("1")))
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        post(Change(type="receipt", product_id=shop["widget"], store_id=shop["closed"],
                    quantity=D("1")))
    db.session.rollback()


def test_transfer_moves_lots_and_conserves_total(ctx, shop):
    receipt(shop, "6", product="flour", lot="A", expiry_date=date(2027, 1, 1))
    receipt(shop, "4", product="widget")
    transfer = documents.create_transfer({
        "from_store_id": shop["north"], "to_store_id": shop["south"],
        "lines": [{"product_id": shop["flour"], "quantity": D("2")},
                  {"product_id": shop["widget"], "quantity": D("4")}]})
    movements = transfer.movements
    assert sorted(m.type for m in movements) == ["transfer_in"] * 2 + ["transfer_out"] * 2
    lot = db.session.scalar(select(Lot).where(Lot.code == "A"))
    assert level(shop["flour"], shop["south"], lot.id).on_hand == D("2.000")
    assert level(shop["flour"], shop["north"], lot.id).on_hand == D("4.000")
    assert level(shop["widget"], shop["north"]).on_hand == 0
    assert [(line.product_id, line.quantity) for line in transfer.lines] == [
        (shop["flour"], D("2.000")), (shop["widget"], D("4.000"))]


def test_transfer_short_line_writes_nothing(ctx, shop):
    receipt(shop, "4")
    with pytest.raises(InsufficientStock):
        documents.create_transfer({
            "from_store_id": shop["north"], "to_store_id": shop["south"],
            "lines": [{"product_id": shop["widget"], "quantity": D("1")},
                      {"product_id": shop["gadget"], "quantity": D("1")}]})
    db.session.rollback()
    assert level(shop["widget"], shop["north"]).on_hand == D("4.000")
    assert db.session.scalar(select(func.count()).select_from(Movement)) == 1


def test_count_posts_adjustments_for_differences(ctx, shop):
    receipt(shop, "10")
    receipt(shop, "3", product="gadget")
    count = documents.create_stock_count({"store_id": shop["north"], "lines": [
        {"product_id": shop["widget"], "counted_quantity": D("8")},
        {"product_id": shop["gadget"], "counted_quantity": D("3")},
    ]})
    diffs = [(line.product_id, line.expected_quantity, line.difference, line.movement_id)
             for line in count.lines]
    assert diffs[0][:3] == (shop["widget"], D("10.000"), D("-2.000"))
    assert diffs[0][3] is not None and diffs[1][2] == 0 and diffs[1][3] is None
    adjustment = db.session.get(Movement, diffs[0][3])
    assert (adjustment.type, adjustment.reference_type, adjustment.reference_id) == (
        "adjustment", "count", count.id)
    assert level(shop["widget"], shop["north"]).on_hand == D("8.000")


def test_ledger_check_sees_no_drift_then_detects_tampering(ctx, shop):
    receipt(shop, "10")
    post(Change(type="issue", product_id=shop["widget"], store_id=shop["north"],
                quantity=D("-4")))
    assert queries.ledger_drift() == []
    row = level(shop["widget"], shop["north"])
    row.on_hand = D("7")  # simulate corruption outside the service
    db.session.commit()
    [drift] = queries.ledger_drift()
    assert drift["on_hand"] == D("7.000") and drift["ledger_sum"] == D("6.000")


def test_check_constraint_backs_up_the_service(ctx, shop):
    receipt(shop, "1")
    row = level(shop["widget"], shop["north"])
    row.on_hand = D("-1")
    with pytest.raises(DBAPIError):  # IntegrityError (SQLite) / OperationalError 4025 (MariaDB)
        db.session.commit()
    db.session.rollback()


def test_check_ledger_cli_exit_codes(app, runner, shop):
    with app.app_context():
        receipt(shop, "3")
    ok = runner.invoke(args=["check-ledger"])
    assert ok.exit_code == 0 and "Ledger OK" in ok.output
    with app.app_context():
        row = level(shop["widget"], shop["north"])
        row.on_hand = D("2")
        db.session.commit()
    bad = runner.invoke(args=["check-ledger"])
    assert bad.exit_code == 1
    assert "DRIFT" in bad.output and "1 stock level(s) drifted" in bad.output


def test_zero_count_of_something_never_stocked_creates_nothing(ctx, shop):
    count = documents.create_stock_count({"store_id": shop["north"], "lines": [
        {"product_id": shop["gadget"], "counted_quantity": D("0")},
        {"product_id": shop["flour"], "counted_quantity": D("0"), "lot": "NEVER"},
    ]})
    assert [(line.expected_quantity, line.difference, line.movement_id) for line in count.lines] \
        == [(D("0.000"), D("0.000"), None)] * 2
    assert db.session.scalar(select(func.count()).select_from(StockLevel)) == 0
    assert db.session.scalar(select(func.count()).select_from(Lot)) == 0


def totals(product_id):
    from inventory_api.stock.models import ProductStock

    db.session.expire_all()
    row = db.session.get(ProductStock, product_id)
    return (row.on_hand, row.available) if row is not None else None


def test_product_totals_follow_every_kind_of_change(ctx, shop):
    widget = shop["widget"]
    assert totals(widget) is None  # never had stock: no row, read as 0
    receipt(shop, "10")
    receipt(shop, "4", store="south")
    assert totals(widget) == (D("14.000"), D("14.000"))
    post(Change(type="issue", product_id=widget, store_id=shop["north"], quantity=D("-3")))
    assert totals(widget) == (D("11.000"), D("11.000"))
    held = service.reserve([Change(type="order", product_id=widget, store_id=shop["south"],
                                   quantity=D("2.5"))], reference_type="order", reference_id=1)
    db.session.commit()
    assert totals(widget) == (D("11.000"), D("8.500"))  # reserved leaves available only
    service.release(held, reference_type="order", reference_id=1)
    db.session.commit()
    assert totals(widget) == (D("11.000"), D("11.000"))
    held = service.reserve([Change(type="order", product_id=widget, store_id=shop["south"],
                                   quantity=D("1"))], reference_type="order", reference_id=2)
    post(Change(type="order", product_id=widget, store_id=shop["south"], quantity=D("-1"),
                lot_id=held[0]["lot_id"], from_reserved=True),
         reference_type="order", reference_id=2)
    assert totals(widget) == (D("10.000"), D("10.000"))  # confirming: on hand goes, too
    assert queries.totals_drift() == []


def test_a_transfer_leaves_the_product_totals_alone(ctx, shop):
    receipt(shop, "5")
    before = totals(shop["widget"])
    documents.create_transfer({"from_store_id": shop["north"], "to_store_id": shop["south"],
                               "lines": [{"product_id": shop["widget"], "quantity": D("2")}]})
    db.session.commit()
    assert totals(shop["widget"]) == before == (D("5.000"), D("5.000"))
    assert level(shop["widget"], shop["south"]).on_hand == D("2.000")


def test_check_ledger_compares_the_product_totals_with_the_levels(app, runner, shop):
    from inventory_api.stock.models import ProductStock

    with app.app_context():
        receipt(shop, "3")
        assert queries.totals_drift() == []
        db.session.get(ProductStock, shop["widget"]).available = D("1")
        db.session.commit()
        [drift] = queries.totals_drift()
        assert (drift["product_id"], drift["available"], drift["levels_available"]) == (
            shop["widget"], D("1.000"), D("3.000"))
    bad = runner.invoke(args=["check-ledger"])
    assert bad.exit_code == 1
    assert "1 stored total(s) drifted" in bad.output and "stock level(s)" not in bad.output
