"""`/api/v1/auth`: register, login, refresh, logout, me, password."""

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_jwt_extended import get_jwt, jwt_required

from ..common.blueprint import Blueprint
from ..extensions import limiter
from ..users import service as users
from ..users.schemas import MeUpdateSchema, PasswordChangeSchema, RegisterSchema, UserSchema
from . import service, tokens
from .decorators import authenticated, current_principal
from .schemas import AccessTokenSchema, LoginSchema, TokenSchema

blp = Blueprint(
    "auth", __name__, url_prefix="/api/v1/auth", description="Sign-up, tokens and own profile"
)


def _login_email_key():
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "login-email:" + (str(email).strip().lower() if email else "-")


def _login_ip_key():
    return "login-ip:" + (request.remote_addr or "-")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response):
    return response.status_code == 401


@blp.route("/register", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, response="CONFLICT")
def register(data):
    """Register a customer account (and its client record)"""
    user = users.register_customer(data)
    return user, 201, {"Location": url_for("users.UserDetail", user_id=user.id)}


@blp.route("/login", methods=["POST"])
@limiter.limit(_login_limit, key_func=_login_ip_key, deduct_when=_failed, scope="login-ip")
@limiter.limit(_login_limit, key_func=_login_email_key, deduct_when=_failed, scope="login-email")
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def login(data):
    """Exchange email and password for an access and a refresh token

    More than 10 failed attempts a minute for one email or one IP answer 429
    with `Retry-After`.
    """
    user = service.authenticate_user(data["email"], data["password"])
    return tokens.issue_tokens(user)


@blp.route("/refresh", methods=["POST"])
@blp.response(200, AccessTokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=[{"bearerAuth": []}])
@jwt_required(refresh=True)
def refresh():
    """Get a new access token with a refresh token (sent as Bearer)"""
    from flask_jwt_extended import current_user

    return tokens.refresh_access(current_user, get_jwt()["jti"])


@blp.route("/logout", methods=["POST"])
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(security=[{"bearerAuth": []}])
@jwt_required(verify_type=False)
def logout():
    """Revoke the presented token (and, for an access token, its refresh token)"""
    from flask_jwt_extended import current_user

    tokens.revoke(get_jwt(), current_user.id)
    return None


@blp.route("/me")
class Me(MethodView):
    @authenticated
    @blp.response(200, UserSchema)
    def get(self):
        """Own user"""
        principal = current_principal()
        _require_user(principal)
        return principal.user

    @authenticated
    @blp.arguments(MeUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data):
        """Change own name and phone"""
        principal = current_principal()
        _require_user(principal)
        return users.update_user(principal.user, data)


@blp.route("/password", methods=["POST"])
@authenticated
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change own password"""
    principal = current_principal()
    _require_user(principal)
    service.change_password(principal.user, data["current_password"], data["new_password"])
    return None


def _require_user(principal):
    if principal.user is None:
        from ..errors import Forbidden

        raise Forbidden("This endpoint is for users, not API keys.")
