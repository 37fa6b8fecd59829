"""Named counters (common/counters.py): `bump_into` numbers a row as `bump` and an
UPDATE would, on every database (PostgreSQL in one statement), past six digits
and before the counter's row exists."""

from sqlalchemy import select, update

from inventory_api.common import counters
from inventory_api.common.models import DocumentCounter
from inventory_api.extensions import db
from inventory_api.sales import service
from inventory_api.sales.models import Sale
from tests.sales_fixtures import stocked_store  # noqa: F401  (the `store` fixture)
from tests.test_query_counts import count_statements


def _renumber(sale_id, counter):
    connection = db.session.connection()
    return counters.bump_into(connection, counter, Sale.__table__, "number", sale_id, "T-")


def test_bump_into_numbers_the_row_with_the_counters_next_value(app, store):
    with app.app_context():
        sale_id = service.create_sale({
            "store_id": store["north"], "payment_method": "cash",
            "lines": [{"product_id": store["widget"], "quantity": 1}]}).id
        with count_statements(app) as statements:
            first = _renumber(sale_id, "test-counter")  # no row yet: made, then bumped
        assert first == "T-000001" and len(statements) >= 3
        with count_statements(app) as statements:
            second = _renumber(sale_id, "test-counter")
        assert second == "T-000002"
        expected = 1 if db.engine.dialect.name == "postgresql" else 2
        assert len(statements) == expected
        db.session.execute(update(DocumentCounter).where(DocumentCounter.name == "test-counter")
                           .values(value=999_999))
        assert _renumber(sale_id, "test-counter") == "T-1000000"  # past six digits, no cut
        assert db.session.scalar(select(Sale.number).where(Sale.id == sale_id)) == "T-1000000"
        assert counters.number(1_000_000, "T-") == "T-1000000"
        assert db.session.scalar(select(DocumentCounter.value).where(
            DocumentCounter.name == "test-counter")) == 1_000_000
        db.session.rollback()
