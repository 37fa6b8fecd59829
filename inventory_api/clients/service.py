"""Clients (customers of the business, with or without a login).

`frequent`, `has_debt` and the sorts by `total_spent` / `last_purchase_at`
need sales and debts, which do not exist yet. Until they do, `frequent=true`
and `has_debt=true` match no client (and `=false` every client), and those
sorts fall back to `id`. Each has one function below to fill in: give it a
correlated subquery over sales/debts and the list keeps a constant number of
queries.
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


def _frequent_clause(value):
    """Clients with ≥ 3 sales in the last 90 days (no sales yet: nobody)."""
    return false() if value else true()


def _has_debt_clause(value):
    """Clients with an open debt (no debts yet: nobody)."""
    return false() if value else true()


def _total_spent_column():
    return Client.id  # Σ sales.total per client, once sales exist


def _last_purchase_column():
    return Client.id  # max(sales.created_at) per client, once sales exist


def search_clients(args):
    stmt = select(Client)
    if args.get("q"):
        stmt = stmt.where(
            contains_any([Client.name, Client.email, Client.phone, Client.tax_id], args["q"])
        )
    if "frequent" in args:
        stmt = stmt.where(_frequent_clause(args["frequent"]))
    if "has_debt" in args:
        stmt = stmt.where(_has_debt_clause(args["has_debt"]))
    columns = {
        "id": Client.id,
        "name": Client.name,
        "total_spent": _total_spent_column(),
        "last_purchase_at": _last_purchase_column(),
    }
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
