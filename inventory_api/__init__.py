"""Inventory API: stock, sales, orders, debts and purchasing over REST.

* Every resource lives under `/api/v1`; the OpenAPI document is at
  `/openapi.json` and the interactive page at `/docs`.
* Authenticate with `Authorization: Bearer <access token>` (from
  `POST /api/v1/auth/login`) or `X-API-Key: <key>`.
* Errors are always `{"code", "status", "message", "errors"?}`.
* Lists take `page` and `page_size` (≤ 100) and return pagination metadata in
  the `X-Pagination` header.
"""

import json
import os
from urllib.parse import urlsplit

from flask import Flask, has_request_context, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import Map, RequestRedirect

from config import get_config

from .common import pool
from .common.jsonio import FastJSONProvider
from .errors import error_response, register_error_handlers
from .extensions import api, cors, db, jwt, limiter, migrate
from .logging_setup import configure_logging, register_request_id

DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024  # bytes; MAX_CONTENT_LENGTH overrides
MAX_JSON_DEPTH = 64  # nesting levels of arrays/objects; our bodies use fewer than 5


class _UrlMap(Map):
    """URL rules that never merge doubled slashes: `/api/v1//products` is a 404."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("merge_slashes", False)
        super().__init__(*args, **kwargs)


class InventoryApp(Flask):
    """Flask that answers in JSON (or with no body) where Flask would send HTML.

    OPTIONS answers 204 with `Allow` (flask-cors adds its headers to it); a
    routing redirect is JSON with a relative `Location`, never a URL built
    from the request's `Host` header.
    """

    url_map_class = _UrlMap
    json_provider_class = FastJSONProvider

    def make_default_options_response(self):
        response = super().make_default_options_response()
        response.status_code = 204
        del response.headers["Content-Type"]
        return response

    def handle_http_exception(self, e):
        if isinstance(e, RequestRedirect):
            target = urlsplit(e.new_url)._replace(scheme="", netloc="").geturl()
            return error_response(e.code, "This resource lives at another path.",
                                  headers={"Location": target})
        return super().handle_http_exception(e)


def create_app(test_config=None):
    app = InventoryApp(__name__, instance_relative_config=True)
    config = get_config((test_config or {}).get("APP_ENV"))
    if hasattr(config, "validate"):
        config.validate()
    app.config.from_object(config)
    if test_config:
        app.config.update(test_config)
    _check_time_zone(app.config.get("BUSINESS_TIMEZONE") or "UTC")
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite picks its own pool (one file or one in-memory connection)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            key: value for key, value in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items()
            if key not in ("pool_size", "max_overflow")}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        # Locking reads (SELECT ... FOR UPDATE) guard every stock change; READ
        # COMMITTED avoids InnoDB gap locks, the main source of deadlocks when
        # concurrent requests create the same missing stock row.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "isolation_level": "READ COMMITTED",
        }
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["DB_POOL_PING_IDLE"] = (app.config.get("DB_POOL_PING_IDLE_SECONDS", 1)
                                           if options.get("pool_pre_ping") else None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = pool.engine_options(options)
    app.config.setdefault("API_SPEC_OPTIONS", {})
    app.config["API_SPEC_OPTIONS"] = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            }
        },
        "info": {"description": __doc__},
    }
    app.json.sort_keys = False
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int(
            os.environ.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_CONTENT_LENGTH)

    configure_logging(app)
    register_request_id(app)
    _register_body_checks(app)

    db.init_app(app)
    _configure_engines(app)
    from .common.types import render_item

    migrate.init_app(app, db, render_as_batch=True, compare_type=True, render_item=render_item)
    jwt.init_app(app)
    from .common import ratelimit  # noqa: F401  (registers the sqlitefile:// storage)

    limiter.init_app(app)
    cors.init_app(app, origins=app.config["CORS_ORIGINS"] or [], expose_headers=[
        "X-Pagination", "X-Request-ID", "ETag", "Location", "Retry-After"])
    api.init_app(app)

    from .common.fields import register_fields

    register_fields(api)

    from . import models  # noqa: F401  (every model registered on the metadata)
    from .auth.tokens import register_jwt_handlers

    register_jwt_handlers()

    from .common.converters import register_converters

    register_converters(app, api)

    _register_blueprints()

    from .reports import source as reports_source

    reports_source.init_app(app)

    from . import panel

    panel.register(app)

    from .ops.routes import register_swagger_assets

    register_swagger_assets(app)
    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _register_blueprints():
    """Register every domain's blueprints on the API (imported here, once models exist)."""
    from .auth.api_keys import blp as api_keys_blp
    from .auth.routes import blp as auth_blp
    from .categories.routes import blp as categories_blp
    from .clients.routes import blp as clients_blp
    from .debts.routes import blp as debts_blp
    from .ops.routes import blp as ops_blp
    from .orders.routes import blp as orders_blp
    from .products.routes import blp as products_blp
    from .purchasing.evaluation_routes import evaluation_blp, suggestions_blp
    from .purchasing.routes import blp as purchasing_blp
    from .reports.routes import blp as reports_blp
    from .sales.routes import blp as sales_blp
    from .stock.routes import alerts_blp, counts_blp, transfers_blp
    from .stock.routes import blp as stock_blp
    from .stores.routes import blp as stores_blp
    from .suppliers.routes import blp as suppliers_blp
    from .users.routes import blp as users_blp

    api.register_blueprint(ops_blp)
    api.register_blueprint(auth_blp)
    api.register_blueprint(users_blp)
    api.register_blueprint(api_keys_blp)
    api.register_blueprint(categories_blp)
    api.register_blueprint(products_blp)
    api.register_blueprint(suppliers_blp)
    api.register_blueprint(clients_blp)
    api.register_blueprint(stores_blp)
    api.register_blueprint(stock_blp)
    api.register_blueprint(transfers_blp)
    api.register_blueprint(counts_blp)
    api.register_blueprint(alerts_blp)
    api.register_blueprint(orders_blp)
    api.register_blueprint(debts_blp)
    api.register_blueprint(sales_blp)
    api.register_blueprint(suggestions_blp)  # before purchasing's /purchase-orders/<id>
    api.register_blueprint(purchasing_blp)
    api.register_blueprint(evaluation_blp)
    api.register_blueprint(reports_blp)


def _check_time_zone(name):
    """Refuse to start with a BUSINESS_TIMEZONE that names no zone (every day would be wrong)."""
    from .common.dates import zone_named

    try:
        zone_named(name)
    except ValueError as error:
        raise RuntimeError(f"BUSINESS_TIMEZONE: {error}") from None


def _database_uri(uri):
    """The database URL with our driver defaults.

    MySQL/MariaDB: charset utf8mb4 unless given. PostgreSQL: psycopg 3 for a
    bare `postgresql://` and for the `postgres://` spelling some hosts hand
    out (SQLAlchemy refuses the latter).
    """
    if uri.startswith("mysql") and "charset=" not in uri:
        uri += ("&" if "?" in uri else "?") + "charset=utf8mb4"
    for bare in ("postgres://", "postgresql://"):
        if uri.startswith(bare):
            uri = "postgresql+psycopg://" + uri[len(bare):]
    return uri


def _configure_engines(app):
    """A server's pool: common/pool.py. SQLite: foreign keys on, WAL, and BEGIN
    IMMEDIATE for anything but GET requests.

    A transaction that may write takes SQLite's write lock at its start, so a
    read-check-write is as safe as a row lock on MySQL. GET requests never
    write: they start a deferred transaction and, with WAL, read while a
    writer works instead of queueing behind it.
    """
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pool.configure(engine, app.config["DB_POOL_PING_IDLE"], read_only=_read_only_request)
            if engine.dialect.driver == "pymysql":
                from .common import mysql_driver

                mysql_driver.install(engine)
            return

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def _read_only_request():
    """A GET or HEAD request: it never writes through the request's session."""
    return has_request_context() and request.method in ("GET", "HEAD")


def _expects_json_body():
    """Whether the matched view declares a JSON body (`@blp.arguments`, location json)."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return False
    view_class = getattr(view, "view_class", None)
    func = getattr(view_class, request.method.lower(), None) if view_class else view
    arguments = getattr(func, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(arg.get("location", "json") == "json" for arg in arguments)


def _too_deep(data, limit=MAX_JSON_DEPTH):
    """Whether arrays/objects in `data` nest deeper than `limit` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _register_body_checks(app):
    """413 for bodies over MAX_CONTENT_LENGTH, 415 for non-JSON bodies, 400 for JSON
    that is malformed, nested too deeply or holds text no database could store.

    A JSON `null` is valid JSON: it goes on to the view's schema (422).
    """

    @app.before_request
    def check_body():
        if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
            return None
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and limit and request.content_length > limit:
            return error_response(413, f"The request body is larger than {limit} bytes.")
        has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding")
        if not has_body:
            if _expects_json_body():
                return error_response(400, "This endpoint needs a JSON body.")
            return None
        if not request.is_json:
            return error_response(415, "Send the body as application/json.")
        if request.content_length is None and limit and \
                request.environ.get("wsgi.input_terminated"):
            # A streamed (chunked) body: werkzeug stops reading quietly at the
            # limit, so look for one byte more.
            request.get_data()
            if request.input_stream.read(1):
                return error_response(413, f"The request body is larger than {limit} bytes.")
        try:
            data = request.get_json()
        except BadRequest:
            return error_response(400, "The request body is not valid JSON.")
        except RecursionError:
            return error_response(400, "The request body is nested too deeply.")
        if _too_deep(data):
            return error_response(400, "The request body is nested too deeply.")
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return error_response(400, "The request body contains invalid Unicode text.")
        return None
