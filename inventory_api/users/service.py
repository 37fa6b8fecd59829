"""Users: creation, updates, deactivation. Users are never hard-deleted."""

from sqlalchemy import select

from ..auth.passwords import hash_password
from ..clients.models import Client
from ..common.pagination import apply_sort, contains_any
from ..common.uow import atomic
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..stores.models import Store
from .models import User


def normalize_email(email):
    return email.strip().lower()


def get_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


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


def _email_taken(email, exclude_id=None):
    stmt = select(User.id).where(User.email == email)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt) is not None


def _new_client_for(user):
    """The client record of a customer; takes the email only if no client has it."""
    email_free = db.session.scalar(select(Client.id).where(Client.email == user.email)) is None
    client = Client(name=user.name, email=user.email if email_free else None, phone=user.phone)
    db.session.add(client)
    db.session.flush()
    return client


@atomic
def create_user(data):
    email = normalize_email(data["email"])
    if _email_taken(email):
        raise Conflict("A user with this email already exists.", errors={"email": email})
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
    if "email" in data:
        email = normalize_email(data["email"])
        if _email_taken(email, exclude_id=user.id):
            raise Conflict("A user with this email already exists.", errors={"email": email})
        user.email = email
    if acting_user is not None and acting_user.id == user.id:
        if data.get("active") is False or data.get("role", user.role) != user.role:
            raise Conflict("You cannot deactivate yourself or change your own role.")
    for name in ("name", "phone", "role", "active"):
        if name in data:
            setattr(user, name, data[name])
    if "password" in data:
        user.password_hash = hash_password(data["password"])
    if "store_ids" in data:
        user.stores = _stores(data["store_ids"])
    if user.role == "customer" and user.client_id is None:
        user.client_id = _new_client_for(user).id
    return user


@atomic
def deactivate_user(user, *, acting_user=None):
    if acting_user is not None and acting_user.id == user.id:
        raise Conflict("You cannot deactivate yourself.")
    user.active = False
