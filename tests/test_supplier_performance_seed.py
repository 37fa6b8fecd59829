"""`purchasing.seed`: orders in every status through the service, a balanced ledger,
and performance figures that reflect the late and short orders."""

import random

from sqlalchemy import select

from inventory_api.extensions import db
from inventory_api.purchasing import evaluation, seed
from inventory_api.purchasing.models import PO_STATUSES, PurchaseOrder
from inventory_api.stock.queries import ledger_drift
from tests.purchasing_fixtures import suppliers  # noqa: F401


def test_seed_creates_every_status(app, suppliers):  # noqa: F811
    s = suppliers
    with app.app_context():
        counts = seed.seed(random.Random(7), stores=[s["north"], s["south"]],
                           suppliers=[s["acme"], s["beta"]],
                           products=[s["widget"], s["flour"], s["gadget"]], user_id=None)
        assert counts == {"purchase_orders": 20, "purchase_receipts": 12,
                          "purchase_returns": 2, "supplier_ratings": 2}
        statuses = set(db.session.scalars(select(PurchaseOrder.status)))
        assert statuses == set(PO_STATUSES)
        assert ledger_drift() == []
        result = evaluation.supplier_performance(s["acme"])
    assert result["orders_count"] == 8
    assert result["received_count"] == 4
    assert 0 < result["on_time_rate"] < 1 and 0 < result["fill_rate"] < 1
    assert result["avg_lead_time_days"] > 0 and result["rating"] is not None


def test_seed_with_nothing_to_work_on(app, suppliers):  # noqa: F811
    with app.app_context():
        assert seed.seed(random.Random(1), stores=[], suppliers=[], products=[],
                         user_id=None)["purchase_orders"] == 0
