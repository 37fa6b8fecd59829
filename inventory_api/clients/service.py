"""Clients (customers of the business, with or without a login).

The `frequent` and `has_debt` filters and the `total_spent` /
`last_purchase_at` sorts are computed from sales and debts, which refer to
clients: this package never imports them. Those domains register what they
contribute with `register_filter(name, condition)` and
`register_sort(name, column)` when they are imported; a filter or sort that
nobody registered matches no client (`true`) / every client (`false`) and
orders by id. Contributions are SQL expressions correlated to `Client.id`, so
the list keeps a constant number of queries per page.
"""

from sqlalchemy import false, select, true

from ..common.lookup import get_or_404
from ..common.pagination import apply_sort, contains_any
from ..common.references import refuse_if_referenced
from ..common.unique import ensure_unique
from ..common.uow import atomic
from ..errors import NotFound
from ..extensions import db
from .models import Client

FIELDS = ("name", "email", "phone", "tax_id", "address", "credit_limit", "payment_terms_days",
          "notes")


def get_client(client_id, *, principal=None):
    """The client, or NotFound (404).

    A customer principal reads only its own client record: any other id is
    404, as if it did not exist (never 403).
    """
    if principal is not None and principal.is_customer and principal.client_id != client_id:
        raise NotFound("Client not found.")
    return get_or_404(Client, client_id)


# name -> function() returning a SQL condition on Client (e.g. an EXISTS correlated to Client.id)
_FILTERS = {}
# name -> function() returning a SQL column expression per client, for `sort`
_SORTS = {}


def register_filter(name, condition):
    """Let a referring domain answer the boolean filter `name` (`frequent`, `has_debt`).

    `condition()` returns the SQL condition for `name=true`; `name=false` is its negation.
    """
    _FILTERS[name] = condition


def register_sort(name, column):
    """Let a referring domain provide the sort key `name` (`total_spent`, `last_purchase_at`).

    `column()` returns a SQL expression per client (e.g. a correlated scalar subquery).
    """
    _SORTS[name] = column


def _filter_clause(name, value):
    condition = _FILTERS.get(name)
    if condition is None:  # nothing registered: no client has it
        return false() if value else true()
    clause = condition()
    return clause if value else ~clause


def search_clients(args):
    stmt = select(Client)
    if args.get("q"):
        stmt = stmt.where(
            contains_any([Client.name, Client.email, Client.phone, Client.tax_id], args["q"])
        )
    for name in ("frequent", "has_debt"):
        if name in args:
            stmt = stmt.where(_filter_clause(name, args[name]))
    columns = {"id": Client.id, "name": Client.name}
    for name in ("total_spent", "last_purchase_at"):
        columns[name] = _SORTS[name]() if name in _SORTS else Client.id
    return apply_sort(stmt, args["sort"], columns, Client.id)


def normalize_email(email):
    return email.strip().lower() if email else email


def _check_email(email, exclude_id=None):
    ensure_unique(Client.email_key, email, exclude_id=exclude_id,
                  field="email", label="A client with this email")


@atomic
def create_client(data):
    """Create a client (email stored lower-case, unique); returns it."""
    data = dict(data)
    if "email" in data:
        data["email"] = normalize_email(data["email"])
    _check_email(data.get("email"))
    client = Client(**{name: data[name] for name in FIELDS if name in data})
    db.session.add(client)
    return client


@atomic
def update_client(client, data):
    """Change the given fields; returns the client."""
    data = dict(data)
    if "email" in data:
        data["email"] = normalize_email(data["email"])
        _check_email(data["email"], exclude_id=client.id)
    for name in FIELDS:
        if name in data:
            setattr(client, name, data[name])
    return client


@atomic
def delete_client(client):
    """Remove a client nothing refers to; 409 names what still refers to it."""
    refuse_if_referenced(client, "client")
    db.session.delete(client)
