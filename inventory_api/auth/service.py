"""Login, password change and API keys."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from ..common.lookup import get_or_404
from ..common.uow import atomic
from ..errors import ValidationFailed
from ..extensions import db
from ..users.models import User
from ..users.service import normalize_email, set_password
from .decorators import Unauthorized, hash_api_key
from .models import ApiKey
from .passwords import check_password

BAD_CREDENTIALS = "Invalid email or password."


class WrongCurrentPassword(ValidationFailed):
    """422 on `current_password`; the route counts it as a failed attempt."""

    def __init__(self):
        super().__init__({"current_password": ["Current password is wrong."]})


def authenticate_user(email, password):
    """The active user with these credentials, or 401 (same message either way)."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    ok = check_password(password, user.password_hash if user is not None else None)
    if not ok or not user.active:
        raise Unauthorized(BAD_CREDENTIALS)
    return user


@atomic
def change_password(user, current_password, new_password):
    """Set a new password after checking the current one; revokes the user's earlier tokens."""
    if not check_password(current_password, user.password_hash):
        raise WrongCurrentPassword()
    set_password(user, new_password)


@atomic
def issue_api_key(name, role, created_by=None):
    """Create a key; returns (ApiKey, secret). Only the secret's SHA-256 is stored."""
    secret = "ik_" + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        role=role,
        prefix=secret[:10],
        key_hash=hash_api_key(secret),
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(key)
    db.session.flush()
    return key, secret


def list_api_keys():
    return select(ApiKey).order_by(ApiKey.id)


@atomic
def revoke_api_key(key_id):
    key = get_or_404(ApiKey, key_id, "API key")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
