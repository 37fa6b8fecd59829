"""Helpers for the debts and payments tests: clients and debts made through the services."""

from decimal import Decimal

from inventory_api.clients.models import Client
from inventory_api.common.uow import transaction
from inventory_api.debts import service as debts
from inventory_api.extensions import db


def make_client(name="Acme", credit_limit="1000.00", terms=30):
    """A client committed with `credit_limit` and `payment_terms_days`; returns its id."""
    with transaction():
        client = Client(name=name, credit_limit=Decimal(credit_limit), payment_terms_days=terms)
        db.session.add(client)
        db.session.flush()
        return client.id


def make_debt(client_id, amount, source_id, source_type="sale", check_limit=False):
    """An open debt committed through `debts.open_debt`; returns its id."""
    with transaction():
        return debts.open_debt(client_id, Decimal(amount), source_type=source_type,
                               source_id=source_id, check_limit=check_limit).id


def set_terms(client_id, days):
    with transaction():
        db.session.get(Client, client_id).payment_terms_days = days
