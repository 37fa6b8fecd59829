"""JWT issuing, revocation and flask-jwt-extended error loaders (→ our 401 shape).

An access token carries `rjti`, the id of the refresh token it came from, so
that logging out revokes both: a token is refused when its own `jti` or its
`rjti` is in `revoked_tokens`.
"""

from datetime import UTC, datetime

from flask import current_app, g
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from ..common.uow import atomic
from ..errors import error_response
from ..extensions import db, jwt


def issue_tokens(user):
    refresh = create_refresh_token(identity=str(user.id))
    refresh_jti = decode_token(refresh)["jti"]
    access = create_access_token(identity=str(user.id), additional_claims={"rjti": refresh_jti})
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
        "user": user,
    }


def refresh_access(user, refresh_jti):
    access = create_access_token(identity=str(user.id), additional_claims={"rjti": refresh_jti})
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


def register_jwt_handlers():
    from ..users.models import User
    from .models import RevokedToken

    def _user_id(payload):
        try:
            return int(payload["sub"])
        except (KeyError, TypeError, ValueError):
            return None

    @jwt.token_in_blocklist_loader
    def is_revoked(_header, payload):
        """One query per request: the token's revocation and its user (with stores).

        flask-jwt-extended asks this before `load_user`; the user is kept in
        `g` for it, so authentication costs a single round trip.
        """
        jtis = [payload["jti"]] + ([payload["rjti"]] if payload.get("rjti") else [])
        revoked = exists().where(RevokedToken.jti.in_(jtis)).label("revoked")
        user_id = _user_id(payload)
        row = db.session.execute(
            select(User, revoked).options(joinedload(User.stores)).where(User.id == user_id)
        ).unique().first() if user_id is not None else None
        g.jwt_user = row[0] if row is not None else None
        if row is None:  # unknown user: not "revoked", the user lookup refuses it
            return False
        return bool(row[1])

    @jwt.user_lookup_loader
    def load_user(_header, payload):
        user = g.pop("jwt_user", None)
        if user is None or user.id != _user_id(payload):
            user_id = _user_id(payload)
            user = db.session.get(User, user_id) if user_id is not None else None
        return user if user is not None and user.active else None

    def unauthorized(message):
        return error_response(401, message)

    jwt.unauthorized_loader(lambda reason: unauthorized("Missing credentials: " + reason))
    jwt.invalid_token_loader(lambda reason: unauthorized("Invalid token: " + reason))
    jwt.expired_token_loader(lambda _h, _p: unauthorized("The token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: unauthorized("The token has been revoked."))
    jwt.needs_fresh_token_loader(lambda _h, _p: unauthorized("A fresh token is required."))
    jwt.user_lookup_error_loader(lambda _h, _p: unauthorized("Unknown or inactive user."))
    jwt.token_verification_failed_loader(lambda _h, _p: unauthorized("Token rejected."))
