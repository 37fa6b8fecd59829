"""JWT issuing, revocation and flask-jwt-extended error loaders (→ our 401 shape).

Every token carries `ver`, its user's `token_version` when it was issued; a
password change or a deactivation bumps the user's version, so every token
issued before is refused (also after a reactivation). An access token also
carries `rjti`, the id of the refresh token it came from, so that logging out
revokes both: a token is refused when its own `jti` or its `rjti` is in
`revoked_tokens`.

Claims are checked for shape before anything uses them (`_check_claims`): a
token we did not mint, however validly signed, answers 401, never a 500.
401 messages are fixed sentences; the library's reasons go to no one.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, g
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.config import config as jwt_config
from sqlalchemy import bindparam, exists, or_, select

from ..common.fields import INT32_MAX
from ..common.uow import atomic
from ..errors import error_response
from ..extensions import db, jwt
from .decorators import Unauthorized

INVALID_TOKEN = "Invalid token."
MAX_JTI_LENGTH = 64  # revoked_tokens.jti


def _claims(user):
    return {"ver": user.token_version}


def issue_tokens(user):
    """An access and a refresh token of `user`'s current generation (the login answer)."""
    refresh = create_refresh_token(identity=str(user.id), additional_claims=_claims(user))
    refresh_jti = decode_token(refresh)["jti"]
    access = create_access_token(
        identity=str(user.id), additional_claims={**_claims(user), "rjti": refresh_jti}
    )
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
        "user": user,
    }


def refresh_access(user, refresh_jti):
    access = create_access_token(
        identity=str(user.id), additional_claims={**_claims(user), "rjti": refresh_jti}
    )
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }


@atomic
def revoke(jwt_payload, user_id):
    """Revoke the presented token and, for an access token, its refresh token."""
    from .models import RevokedToken

    now = datetime.now(UTC)
    exp = datetime.fromtimestamp(jwt_payload["exp"], UTC)
    entries = [(jwt_payload["jti"], jwt_payload["type"], exp)]
    if jwt_payload.get("rjti"):
        refresh_exp = now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
        entries.append((jwt_payload["rjti"], "refresh", refresh_exp))
    existing = set(
        db.session.scalars(
            select(RevokedToken.jti).where(RevokedToken.jti.in_([e[0] for e in entries]))
        )
    )
    for jti, token_type, expires_at in entries:
        if jti not in existing:
            db.session.add(
                RevokedToken(jti=jti, token_type=token_type, user_id=user_id, expires_at=expires_at)
            )


def _is_id(value):
    return isinstance(value, str) and 0 < len(value) <= MAX_JTI_LENGTH


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_claims(claims):
    """Raise 401 unless the claims have the shape of a token this app issues.

    `sub` is a user id in ASCII digits within the id range, `type` is access
    or refresh, `jti` (and `rjti` when present) short strings, `ver` and `exp`
    non-negative integers. Tokens without `ver` (issued before generations
    existed) are refused: their owners log in again once.
    """
    sub = claims.get("sub")
    ok = (
        isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 10
        and 0 < int(sub) <= INT32_MAX
        and claims.get("type") in ("access", "refresh")
        and _is_id(claims.get("jti"))
        and ("rjti" not in claims or _is_id(claims["rjti"]))
        and _is_count(claims.get("ver"))
        and _is_count(claims.get("exp"))
    )
    if not ok:
        raise Unauthorized(INVALID_TOKEN)


@dataclass(frozen=True)
class TokenUser:
    """What authentication reads of a token's user: `current_user` of a request."""

    id: int
    role: str
    active: bool
    token_version: int
    client_id: int | None
    store_ids: tuple

    @classmethod
    def from_rows(cls, rows):
        """From `_auth_statement` rows (one per store of the user); None when there are none."""
        if not rows:
            return None
        first = rows[0]
        return cls(id=first.id, role=first.role, active=bool(first.active),
                   token_version=first.token_version, client_id=first.client_id,
                   store_ids=tuple(row.store_id for row in rows if row.store_id is not None))


_statement = None


def _auth_statement():
    """The user's columns, stores (one row each) and whether `jti` or `rjti` is revoked.

    Built once: parameters `user_id`, `jti` and `rjti` (the same as `jti` when
    the token has no refresh token).
    """
    global _statement
    if _statement is None:
        from ..users.models import User, user_stores
        from .models import RevokedToken

        users = User.__table__
        jti = RevokedToken.__table__.c.jti  # two plain parameters: no IN list to expand
        revoked = exists().where(or_(jti == bindparam("jti"), jti == bindparam("rjti")))
        _statement = (
            select(users.c.id, users.c.role, users.c.active, users.c.token_version,
                   users.c.client_id, revoked.label("revoked"), user_stores.c.store_id)
            .select_from(users.outerjoin(user_stores, user_stores.c.user_id == users.c.id))
            .where(users.c.id == bindparam("user_id"))
            .order_by(user_stores.c.store_id)
        )
    return _statement


def register_jwt_handlers():

    @jwt.decode_key_loader
    def decode_key(_header, unverified_claims):
        """The key to verify signatures with; first refuses claims of the wrong shape.

        This is the one hook that sees the claims as sent (flask-jwt-extended
        fills in a missing `type` afterwards); the signature is verified next.
        """
        _check_claims(unverified_claims)
        return jwt_config.decode_key

    @jwt.token_in_blocklist_loader
    def is_revoked(_header, payload):
        """One query per request: the token's revocation and its user (with stores).

        Refused when the token's `jti`/`rjti` was revoked or its generation
        (`ver`) is not the user's current `token_version`. flask-jwt-extended
        asks this before `load_user`; the user is kept in `g` for it, so
        authentication costs a single round trip. The statement is built
        once and reads plain columns (a `TokenUser`), not ORM objects.
        """
        rows = db.session.connection().execute(_auth_statement(), {
            "user_id": int(payload["sub"]), "jti": payload["jti"],
            "rjti": payload.get("rjti") or payload["jti"]}).all()
        g.jwt_user = TokenUser.from_rows(rows)
        if g.jwt_user is None:  # unknown user: not "revoked", the user lookup refuses it
            return False
        return bool(rows[0].revoked) or payload["ver"] != g.jwt_user.token_version

    @jwt.user_lookup_loader
    def load_user(_header, payload):
        user = g.pop("jwt_user", None)
        if user is None or user.id != int(payload["sub"]):
            user = TokenUser.from_rows(db.session.execute(
                _auth_statement(), {"user_id": int(payload["sub"]), "jti": "", "rjti": ""}).all())
        return user if user is not None and user.active else None

    def unauthorized(message):
        return error_response(401, message)

    jwt.unauthorized_loader(lambda _reason: unauthorized("Missing credentials."))
    jwt.invalid_token_loader(lambda _reason: unauthorized(INVALID_TOKEN))
    jwt.expired_token_loader(lambda _h, _p: unauthorized("The token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: unauthorized("The token has been revoked."))
    jwt.needs_fresh_token_loader(lambda _h, _p: unauthorized("A fresh token is required."))
    jwt.user_lookup_error_loader(lambda _h, _p: unauthorized("Unknown or inactive user."))
    jwt.token_verification_failed_loader(lambda _h, _p: unauthorized("Token rejected."))
