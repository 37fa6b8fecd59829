"""`insert_new`: new ORM rows in one INSERT, persistent afterwards with nothing to flush."""

from datetime import datetime

import pytest
from sqlalchemy import inspect, select

from inventory_api.common.rows import ROWS_PER_INSERT, insert_new
from inventory_api.extensions import db
from inventory_api.stock.models import Transfer
from inventory_api.users.models import User
from tests.test_query_counts import count_statements


def _transfers(shop, count):
    return [Transfer(from_store_id=shop["north"], to_store_id=shop["south"], notes=f"n{i}",
                     created_by_id=None, created_by_api_key_id=None)
            for i in range(count)]


@pytest.mark.parametrize("count", [1, 3, 100, 250])
def test_rows_get_their_ids_in_order_in_one_statement(app, shop, count):
    with app.app_context():
        transfers = _transfers(shop, count)
        db.session.connection()  # the transaction's BEGIN is not counted
        with count_statements(app) as statements:
            insert_new(transfers)
            # every column is known: reading them runs no statement
            seen = [(t.id, t.notes, t.from_store_id, t.created_at) for t in transfers]
            db.session.flush()  # nothing left to write
        assert all(s.lstrip().upper().startswith("INSERT") for s in statements), statements
        # one multi-row INSERT per ROWS_PER_INSERT rows, on every database
        assert len(statements) == -(-count // ROWS_PER_INSERT), statements
        assert all(inspect(t).persistent for t in transfers)
        assert not db.session.new and not db.session.dirty
        ids = [t.id for t in transfers]
        assert ids == sorted(ids) and len(set(ids)) == count
        # the Python default (created_at) was applied and is what was written
        assert all(isinstance(created, datetime) for *_, created in seen)
        db.session.commit()
        stored = db.session.execute(
            select(Transfer.id, Transfer.notes, Transfer.created_at)
            .where(Transfer.id.in_(ids)).order_by(Transfer.id)).all()
        assert [(i, n) for i, n, _ in stored] == [(i, f"n{k}") for k, i in enumerate(ids)]
        assert [c for *_, c in stored] == [c for *_, c in seen]


def test_a_row_is_one_object_of_the_session(app, shop):
    with app.app_context():
        (transfer,) = insert_new(_transfers(shop, 1))
        assert db.session.get(Transfer, transfer.id) is transfer
        transfer.notes = "changed"  # later changes flush as for any loaded row
        db.session.commit()
        assert db.session.scalar(
            select(Transfer.notes).where(Transfer.id == transfer.id)) == "changed"


def test_nothing_is_written_when_the_transaction_rolls_back(app, shop):
    with app.app_context():
        ids = [t.id for t in insert_new(_transfers(shop, 2))]
        db.session.rollback()
        assert db.session.scalars(select(Transfer).where(Transfer.id.in_(ids))).all() == []


def test_a_class_with_a_server_default_is_refused(app):
    with app.app_context():
        user = User(email="x@example.com", name="X", role="admin", password_hash="x",
                    active=True)
        with pytest.raises(TypeError, match="server-side default"):
            insert_new([user])
        assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None


def test_no_objects_no_statement(app):
    with app.app_context(), count_statements(app) as statements:
        assert insert_new([]) == []
    assert statements == []


def test_a_rolled_back_savepoint_takes_its_rows_out_of_the_session(app, shop):
    """As for flushed rows: a later row may get the same id (SQLite reuses it), and
    the session must not still hold the one that was never committed."""
    with app.app_context():
        kept = insert_new(_transfers(shop, 1))[0]
        savepoint = db.session.begin_nested()
        (gone,) = insert_new(_transfers(shop, 1))
        savepoint.rollback()
        assert inspect(gone).transient and gone not in db.session
        assert inspect(kept).persistent
        (again,) = insert_new(_transfers(shop, 1))  # may reuse gone's id: no clash
        db.session.commit()
        assert db.session.scalars(select(Transfer.id).order_by(Transfer.id)).all() == sorted(
            [kept.id, again.id])


def test_rows_of_a_released_savepoint_go_when_the_transaction_rolls_back(app, shop):
    with app.app_context():
        with db.session.begin_nested():
            (row,) = insert_new(_transfers(shop, 1))
        assert inspect(row).persistent
        db.session.rollback()
        assert inspect(row).transient
        assert db.session.scalars(select(Transfer)).all() == []
