"""Users: creation, updates, deactivation. Users are never hard-deleted.

A password change and a deactivation bump the user's `token_version`, which
every token carries: all tokens issued before are refused from then on, also
after a reactivation (auth/tokens.py compares the generation).
"""

from sqlalchemy import select

from ..auth.passwords import hash_password
from ..clients.models import Client
from ..common.lookup import get_or_404
from ..common.pagination import apply_sort, contains_any
from ..common.unique import ensure_unique
from ..common.uow import atomic
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..stores.models import Store
from .models import User


def normalize_email(email):
    return email.strip().lower()


def get_user(user_id):
    """The user with this id, or 404."""
    return get_or_404(User, user_id, "User")


def search_users(args):
    stmt = select(User)
    if "role" in args:
        stmt = stmt.where(User.role == args["role"])
    if "active" in args:
        stmt = stmt.where(User.active == args["active"])
    if args.get("q"):
        stmt = stmt.where(contains_any([User.email, User.name], args["q"]))
    columns = {"id": User.id, "email": User.email, "name": User.name, "created_at": User.created_at}
    return apply_sort(stmt, args["sort"], columns, User.id)


def _stores(store_ids):
    store_ids = sorted(set(store_ids))
    if not store_ids:
        return []
    stores = db.session.scalars(select(Store).where(Store.id.in_(store_ids))).all()
    missing = set(store_ids) - {s.id for s in stores}
    if missing:
        raise ValidationFailed({"store_ids": [f"Unknown store ids: {sorted(missing)}."]})
    return stores


def _ensure_email_free(email, exclude_id=None):
    """409 when another user has this (already lower-cased) email. Reads only."""
    ensure_unique(User.email, email, exclude_id=exclude_id, field="email",
                  label="A user with this email", normalize=None)


def _new_client_for(user):
    """The client record of a customer; takes the email only if no client has it."""
    email_free = db.session.scalar(select(Client.id).where(Client.email == user.email)) is None
    client = Client(name=user.name, email=user.email if email_free else None, phone=user.phone)
    db.session.add(client)
    db.session.flush()
    return client


def revoke_tokens(user):
    """Refuse every token issued to `user` so far (bumps `token_version`; flushes nothing).

    Computed in SQL (`token_version + 1`), so two concurrent bumps both count.
    """
    user.token_version = User.token_version + 1


def set_password(user, password):
    """Hash and store a new password and revoke the user's earlier tokens (no flush)."""
    user.password_hash = hash_password(password)
    revoke_tokens(user)


@atomic
def create_user(data):
    email = normalize_email(data["email"])
    _ensure_email_free(email)
    user = User(
        email=email,
        password_hash=hash_password(data["password"]),
        name=data["name"],
        phone=data.get("phone"),
        role=data["role"],
        active=data.get("active", True),
    )
    user.stores = _stores(data.get("store_ids", []))
    if user.role == "customer":
        user.client_id = _new_client_for(user).id
    db.session.add(user)
    return user


def register_customer(data):
    return create_user({**data, "role": "customer", "active": True, "store_ids": []})


@atomic
def update_user(user, data, *, acting_user=None):
    """Apply a partial update; returns the user.

    A new password or a deactivation revokes the user's earlier tokens. A
    customer made staff loses its `client_id` (the client record stays: it is
    the business's data); staff made customer gets a new client record.
    """
    if "email" in data:
        email = normalize_email(data["email"])
        _ensure_email_free(email, exclude_id=user.id)
        user.email = email
    if acting_user is not None and acting_user.id == user.id:
        if data.get("active") is False or data.get("role", user.role) != user.role:
            raise Conflict("You cannot deactivate yourself or change your own role.")
    if data.get("active") is False and user.active:
        revoke_tokens(user)
    if data.get("role", user.role) != "customer":
        user.client_id = None
    for name in ("name", "phone", "role", "active"):
        if name in data:
            setattr(user, name, data[name])
    if "password" in data:
        set_password(user, data["password"])
    if "store_ids" in data:
        user.stores = _stores(data["store_ids"])
    if user.role == "customer" and user.client_id is None:
        user.client_id = _new_client_for(user).id
    return user


@atomic
def deactivate_user(user, *, acting_user=None):
    """Mark the user inactive and revoke its tokens (users are never deleted)."""
    if acting_user is not None and acting_user.id == user.id:
        raise Conflict("You cannot deactivate yourself.")
    if user.active:
        revoke_tokens(user)
    user.active = False
