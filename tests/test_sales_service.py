"""The sales service without HTTP: totals to the cent, lots, numbers, debts, returns."""

from decimal import Decimal

import pytest

from inventory_api.errors import Conflict, ValidationFailed
from inventory_api.sales import service
from inventory_api.stock import queries
from tests.sales_fixtures import (
    debt_of,
    on_hand,
    stocked_store,  # noqa: F401  (the `store` fixture)
    written,
)

D = Decimal


def lines_of_three(s):
    """Three lines: a discount, a 3-decimal quantity whose gross is exactly half a cent
    (2.125 × 1.00: HALF_UP gives 2.13 where banker's rounding would give 2.12), and a
    default price with a discount."""
    return [
        {"product_id": s["widget"], "quantity": D("3"), "unit_price": D("10.00"),
         "discount": D("1.50")},
        {"product_id": s["flour"], "quantity": D("2.125"), "unit_price": D("1.00")},
        {"product_id": s["gadget"], "quantity": D("1"), "discount": D("0.05")},
    ]


def test_totals_to_the_cent(app, store):
    with app.app_context():
        sale = service.create_sale({
            "store_id": store["north"], "client_id": store["acme"], "payment_method": "card",
            "amount_paid": D("20.00"), "lines": lines_of_three(store)})
        assert [str(line.line_total) for line in sale.lines] == ["28.50", "2.13", "29.95"]
        assert [str(line.unit_price) for line in sale.lines] == ["10.00", "1.00", "30.00"]
        assert (str(sale.subtotal), str(sale.discount_total), str(sale.total), str(sale.paid),
                str(sale.balance_due)) == ("62.13", "1.55", "60.58", "20.00", "40.58")
        debt = debt_of(sale.id)
        assert (debt.amount, debt.status, debt.client_id) == (D("40.58"), "open", store["acme"])
        assert sale.number == "S-000001"


def test_compute_totals_rounds_each_gross_half_up_then_sums():
    lines = [{"quantity": D("0.005"), "unit_price": D("1.00")},   # 0.005 → 0.01
             {"quantity": D("0.005"), "unit_price": D("1.00")}]
    line_totals, subtotal, discount_total, total = service.compute_totals(lines)
    # rounding the sum instead (0.010) would give the same here; each line is 0.01
    assert [str(t) for t in line_totals] == ["0.01", "0.01"]
    assert (str(subtotal), str(discount_total), str(total)) == ("0.02", "0.00", "0.02")
    three = [{"quantity": D("0.333"), "unit_price": D("0.05")}] * 3  # 0.01665 → 0.02 each
    assert str(service.compute_totals(three)[1]) == "0.06"  # not round(0.04995) = 0.05


def test_discount_may_equal_but_not_exceed_the_gross():
    ok = service.compute_totals([{"quantity": D("2.125"), "unit_price": D("1.00"),
                                  "discount": D("2.13")}])
    assert str(ok[0][0]) == "0.00"
    with pytest.raises(ValidationFailed) as error:
        service.compute_totals([{"quantity": D("1"), "unit_price": D("1.00")},
                                {"quantity": D("2.125"), "unit_price": D("1.00"),
                                 "discount": D("2.14")}])
    assert list(error.value.errors["json"]["lines"]) == [1]


def test_tracked_line_splits_fefo_and_returns_into_its_lots(app, store):
    with app.app_context():
        sale = service.create_sale({
            "store_id": store["north"], "payment_method": "cash",
            "lines": [{"product_id": store["flour"], "quantity": D("7")}]})
        [line] = sale.lines
        assert [(lot.lot.code, lot.quantity) for lot in line.lots] == [
            ("L1", D("5.000")), ("L2", D("2.000"))]
        l1, l2 = (lot.lot_id for lot in line.lots)
        # sold 5 of L1 and 2 of L2; the last lot taken comes back first: 2 to L2, 1 to L1
        service.return_items(sale.id, {"lines": [{"sale_line_id": line.id,
                                                  "quantity": D("3")}]})
        assert (on_hand(store["flour"], store["north"], l1),
                on_hand(store["flour"], store["north"], l2)) == (D("1.000"), D("10.000"))
        assert queries.ledger_drift() == []


def test_return_values_add_up_to_the_line_total(app, store):
    """Pro rata with rounding: 1/3 of 10.00 three times is 3.33 + 3.34 + 3.33."""
    with app.app_context():
        sale = service.create_sale({
            "store_id": store["north"], "payment_method": "cash",
            "lines": [{"product_id": store["widget"], "quantity": D("3"),
                       "unit_price": D("3.50"), "discount": D("0.50")}]})
        [line] = sale.lines
        values = [service.return_items(sale.id, {"lines": [
            {"sale_line_id": line.id, "quantity": D("1")}]}).value for _ in range(3)]
        assert values == [D("3.33"), D("3.34"), D("3.33")]
        assert sum(values) == line.line_total == D("10.00")
        assert (sale.status, sale.returned_total, sale.refunded) == (
            "returned", D("10.00"), D("10.00"))


def test_credit_sale_over_the_limit_writes_nothing(app, store):
    with app.app_context():
        before = written()
        with pytest.raises(Conflict) as error:
            service.create_sale({
                "store_id": store["north"], "client_id": store["acme"],
                "payment_method": "credit",
                "lines": [{"product_id": store["widget"], "quantity": D("11")}]})
        assert error.value.errors == {"credit_limit": "100.00", "balance": "0.00",
                                      "requested": "110.00"}
        assert written() == before
        assert on_hand(store["widget"], store["north"]) == D("100.000")
