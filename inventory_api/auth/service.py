"""Login, password change and API keys."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from ..common.uow import atomic
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..users.models import User
from ..users.service import normalize_email
from .decorators import Unauthorized, hash_api_key
from .models import ApiKey
from .passwords import check_password, hash_password

BAD_CREDENTIALS = "Invalid email or password."


def authenticate_user(email, password):
    """The active user with these credentials, or 401 (same message either way)."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    ok = check_password(password, user.password_hash if user is not None else None)
    if not ok or not user.active:
        raise Unauthorized(BAD_CREDENTIALS)
    return user


@atomic
def change_password(user, current_password, new_password):
    if not check_password(current_password, user.password_hash):
        raise ValidationFailed({"current_password": ["Current password is wrong."]})
    user.password_hash = hash_password(new_password)


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
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
