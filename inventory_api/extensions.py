"""Extensions, created unbound here and bound to the app in `create_app`."""

from flask_cors import CORS
from flask_jwt_extended import JWTManager
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


# Objects stay loaded after the unit of work commits: the response is
# serialized from what was just written, without a query per attribute.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
jwt = JWTManager()
api = Api()
limiter = Limiter(key_func=get_remote_address)
cors = CORS()
