"""`@require(permission)`: authentication + permission check for every route."""

import hashlib
import logging
from copy import deepcopy
from datetime import timedelta
from functools import wraps

from flask import g, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..common.types import utcnow
from ..errors import AppError, Forbidden
from ..extensions import db
from .permissions import has_permission

log = logging.getLogger(__name__)

# `api_keys.last_used_at` is written at most once per this interval per key
LAST_USED_RESOLUTION = timedelta(minutes=1)

SECURITY = [{"bearerAuth": []}, {"apiKeyAuth": []}]


class Unauthorized(AppError):
    status_code = 401
    default_message = "Missing or invalid credentials."


class Principal:
    """Who is calling: a user (bearer token) or an API key.

    Authentication reads only what every request needs (role, stores, ids);
    `user`, the ORM row, is loaded on first use (`/auth/me`, password
    change), or given when the caller already has it.
    """

    def __init__(self, role, user=None, api_key=None, store_ids=(), *, user_id=None,
                 client_id=None):
        self.role = role
        self.api_key = api_key
        self.store_ids = list(store_ids)
        self._user = user
        self.user_id = user.id if user is not None else user_id
        self.client_id = user.client_id if user is not None else client_id

    def __repr__(self):
        return f"Principal(role={self.role!r}, user_id={self.user_id!r})"

    @property
    def user(self):
        if self._user is None and self.user_id is not None:
            from ..users.models import User

            self._user = db.session.get(User, self.user_id)
        return self._user

    @property
    def is_customer(self):
        return self.role == "customer"

    def can(self, permission):
        return has_permission(self.role, permission)

    def may_use_store(self, store_id):
        """Store scoping: an empty `store_ids` means every store."""
        return not self.store_ids or store_id in self.store_ids


def hash_api_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _principal_from_api_key(raw_key):
    from .models import ApiKey

    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(raw_key)))
    if key is None or key.revoked_at is not None:
        raise Unauthorized("Invalid or revoked API key.")
    _record_use(key)
    return Principal(role=key.role, api_key=key)


def _record_use(key):
    """Set the key's `last_used_at` to now, at most once a minute per key (writes only then).

    Most requests write nothing: the loaded value is recent enough. Otherwise
    a guarded UPDATE (`... WHERE last_used_at IS NULL OR last_used_at <
    cutoff`) writes it once even when requests race. A writing request runs it
    in its own unit of work, so it commits with the request's work (a request
    that fails records nothing); a GET/HEAD, whose session never commits (and
    on SQLite holds only a read transaction), runs it in a short transaction
    of its own, whose failure is only logged (bookkeeping never fails a read).
    """
    from .models import ApiKey

    now = utcnow()
    cutoff = now - LAST_USED_RESOLUTION
    if key.last_used_at is not None and key.last_used_at >= cutoff:
        return
    stale = or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < cutoff)
    stmt = (
        update(ApiKey)
        .where(ApiKey.id == key.id, stale)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if request.method not in ("GET", "HEAD"):
        db.session.execute(stmt)
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(stmt)
    except SQLAlchemyError:
        log.warning("could not record the use of API key %s", key.id, exc_info=True)


def authenticate():
    """Return the caller's Principal or raise 401 (cached per request)."""
    principal = g.get("principal")
    if principal is not None:
        return principal
    raw_key = request.headers.get("X-API-Key")
    if raw_key:
        principal = _principal_from_api_key(raw_key)
    else:
        verify_jwt_in_request()
        user = current_user._get_current_object()  # a tokens.TokenUser, read once
        principal = Principal(role=user.role, store_ids=user.store_ids, user_id=user.id,
                              client_id=user.client_id)
    g.principal = principal
    return principal


def current_principal():
    return g.principal


def require(*permissions):
    """Allow the view to callers whose role has any of `permissions`.

    Put it above `@blp.arguments` so an anonymous caller gets 401 before any
    validation. Also documents 401/403 and the security schemes in OpenAPI.
    """

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = authenticate()
            if not any(principal.can(p) for p in permissions):
                raise Forbidden()
            return func(*args, **kwargs)

        wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))
        responses = wrapper._apidoc.setdefault("response", {}).setdefault("responses", {})
        responses.setdefault(401, []).append("UNAUTHORIZED")
        responses.setdefault(403, []).append("FORBIDDEN")
        manual = wrapper._apidoc.setdefault("manual_doc", {})
        manual["security"] = SECURITY
        return wrapper

    return decorator


def authenticated(func):
    """Any authenticated user, whatever the role (e.g. /auth/me)."""
    return require("profile")(func)
