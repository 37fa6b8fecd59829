"""Extensions, created unbound here and bound to the app in `create_app`."""

import time

from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config as jwt_config
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Api(_Api):
    """flask-smorest's Api with our error payload (see `errors.py`)."""

    def _register_pagination_header(self):
        # The header carries JSON; documented as a string so that clients and
        # validators don't try to parse it as an OpenAPI "simple" object.
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata as a JSON object: total, total_pages, "
                "page, first_page, last_page and, when they exist, previous_page, next_page.",
                "schema": {"type": "string"},
            },
            lazy=True,
        )

    def handle_http_exception(self, error):
        from .errors import http_error_response

        return http_error_response(error)


class VerifiedTokensJWTManager(JWTManager):
    """flask-jwt-extended's manager, verifying each distinct token once per process.

    Decoding a bearer token (its claims' shape, then the signature and the
    time claims, in three PyJWT calls) was 5-7 % of an authenticated read.
    A token whose signature checked out under a key decodes to the same
    claims every time, so its claims are kept, keyed by the token and the
    key and algorithms it was verified with, and reused while the token has
    not expired (checked on every use, with the configured leeway). An
    expired token, or one not seen before, takes the library's full path,
    its errors and 401 answers included. Revocation is not cached: every
    request still asks the database (auth/tokens.py). At most
    `MAX_TOKENS` tokens are kept; the cache starts over when full.
    """

    MAX_TOKENS = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verified = {}

    def _decode_jwt_from_config(self, encoded_token, csrf_value=None, allow_expired=False):
        if csrf_value or allow_expired:  # not used by this API: the library's path
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        audience = jwt_config.decode_audience
        key = (encoded_token, jwt_config.decode_key, tuple(jwt_config.decode_algorithms),
               tuple(audience) if isinstance(audience, list | set | tuple) else audience,
               jwt_config.decode_issuer)
        claims = self._verified.get(key)
        # valid while now < exp + leeway, PyJWT's own bound (it refuses exp <= now - leeway)
        if claims is not None and time.time() < claims["exp"] + _seconds(jwt_config.leeway):
            return dict(claims)
        claims = super()._decode_jwt_from_config(encoded_token)
        if isinstance(claims.get("exp"), int):
            if len(self._verified) >= self.MAX_TOKENS:
                self._verified.clear()
            self._verified[key] = dict(claims)
        return claims


def _seconds(leeway):
    return leeway.total_seconds() if hasattr(leeway, "total_seconds") else leeway


# Objects stay loaded after the unit of work commits: the response is
# serialized from what was just written, without a query per attribute.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
jwt = VerifiedTokensJWTManager()
api = Api()
limiter = Limiter(key_func=get_remote_address)
cors = CORS()
