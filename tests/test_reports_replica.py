"""Reports read through REPORTS_DATABASE_URL (a replica) when it is set, the primary otherwise.

The "replica" here is a second SQLite database holding different stock from
the primary: the dashboard's stock value shows which one a report read.
Authentication still reads the primary (the user exists only there).
"""

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, insert

from inventory_api.extensions import db
from inventory_api.products.models import Product
from inventory_api.stock.models import StockLevel
from inventory_api.stores.models import Store

DASHBOARD = "/api/v1/reports/dashboard"


def _stock(connection, on_hand, cost):
    connection.execute(insert(Store).values(id=1, name="North", code="N"))
    connection.execute(insert(Product).values(id=1, sku="W-1", name="Widget",
                                              price=Decimal("9.00"), cost=Decimal(cost)))
    connection.execute(insert(StockLevel).values(product_id=1, store_id=1, lot_key=0,
                                                 on_hand=Decimal(on_hand), reserved=0))


@pytest.fixture
def replica(app, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'replica.db'}")
    db.metadata.create_all(engine)
    with engine.begin() as connection:
        _stock(connection, on_hand="4", cost="2.50")
    engine.dispose()
    app.config["REPORTS_DATABASE_URL"] = str(engine.url)
    yield
    app.config["REPORTS_DATABASE_URL"] = None
    replica_engine = app.extensions.pop("reports_engine", None)
    if replica_engine is not None:
        replica_engine.dispose()


def test_a_report_reads_the_replica_when_one_is_configured(app, client, auth, replica):
    with app.app_context():
        _stock(db.session, on_hand="100", cost="1.00")
        db.session.commit()
    headers = auth("manager")
    response = client.get(DASHBOARD, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["stock_value"] == "10.00"  # 4 × 2.50 on the replica, not 100.00
    assert app.extensions["reports_engine"].url.database.endswith("replica.db")


def test_without_a_replica_reports_read_the_primary(app, client, auth):
    assert not app.config.get("REPORTS_DATABASE_URL")
    with app.app_context():
        _stock(db.session, on_hand="100", cost="1.00")
        db.session.commit()
    response = client.get(DASHBOARD, headers=auth("manager"))
    assert response.status_code == 200, response.json
    assert response.json["stock_value"] == "100.00"
    assert "reports_engine" not in app.extensions
