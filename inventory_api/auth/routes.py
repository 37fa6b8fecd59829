"""`/api/v1/auth`: register, login, refresh, logout, me, password."""

import hashlib

from flask import current_app, g, request, url_for
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

# Throttling (flask-limiter, counters in RATELIMIT_STORAGE_URI). Failed
# attempts are counted after the response (`deduct_when`) and checked before
# the next one, so successes never use up the limit:
# * login: per (IP, email) and per IP. Per (IP, email) rather than per email,
#   so a stranger failing on someone's email from elsewhere cannot lock its
#   owner out; per IP so one address cannot try many emails.
# * wrong `current_password` on /password: per user and per IP.
# * registration: failed ones (409, 422) per IP with the login limit, and
#   every registration per IP with the generous REGISTER_RATE_LIMIT.
TOO_MANY_ATTEMPTS = "Too many failed attempts; retry after the time in Retry-After."
TOO_MANY_REGISTRATIONS = "Too many registrations from this address; retry later (Retry-After)."


def _ip():
    return request.remote_addr or "-"


def _digest(text):
    return hashlib.sha256(text.encode(errors="replace")).hexdigest()[:32]


def _ip_key():
    return "ip:" + _ip()


def _login_ip_email_key():
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else "-"
    return f"ip-email:{_ip()}:{_digest(email)}"


def _user_key():
    return f"user:{current_principal().user_id}"


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


def _bad_credentials(response):
    return response.status_code == 401


def _failed_registration(response):
    return response.status_code in (409, 422)


def _wrong_current_password(_response):
    return g.get("wrong_current_password", False)


def _attempts(key_func, scope, deduct_when):
    """A failed-attempts limit (LOGIN_RATE_LIMIT) on `key_func`, counted when `deduct_when`."""
    return limiter.limit(_login_limit, key_func=key_func, scope=scope, deduct_when=deduct_when,
                         error_message=TOO_MANY_ATTEMPTS)


@blp.route("/register", methods=["POST"])
@limiter.limit(_register_limit, key_func=_ip_key, scope="register-ip",
               error_message=TOO_MANY_REGISTRATIONS)
@_attempts(_ip_key, "register-failed-ip", _failed_registration)
@blp.doc(security=[])
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def register(data):
    """Register a customer account (and its client record)

    Per IP, more than 10 failed registrations (409, 422) a minute, or more
    than `REGISTER_RATE_LIMIT` registrations in all (default 60 a minute),
    answer 429 with `Retry-After`.
    """
    user = users.register_customer(data)
    return user, 201, {"Location": url_for("users.UserDetail", user_id=user.id)}


@blp.route("/login", methods=["POST"])
@_attempts(_ip_key, "login-ip", _bad_credentials)
@_attempts(_login_ip_email_key, "login-ip-email", _bad_credentials)
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def login(data):
    """Exchange email and password for an access and a refresh token

    More than 10 failed attempts a minute for one email from one IP, or for
    one IP whatever the emails, answer 429 with `Retry-After` (the correct
    password too, until the time has passed).
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
@_attempts(_ip_key, "password-ip", _wrong_current_password)
@_attempts(_user_key, "password-user", _wrong_current_password)
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def change_password(data):
    """Change own password; every token issued before (this one too) stops working

    More than 10 wrong `current_password` attempts a minute for one user, or
    from one IP, answer 429 with `Retry-After`.
    """
    principal = current_principal()
    _require_user(principal)
    try:
        service.change_password(principal.user, data["current_password"], data["new_password"])
    except service.WrongCurrentPassword:
        g.wrong_current_password = True
        raise
    return None


def _require_user(principal):
    if principal.user_id is None:
        from ..errors import Forbidden

        raise Forbidden("This endpoint is for users, not API keys.")
