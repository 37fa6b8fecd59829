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

from flask import Flask, has_request_context, request

from config import get_config

from .errors import error_response, register_error_handlers
from .extensions import api, cors, db, jwt, limiter, migrate
from .logging_setup import configure_logging, register_request_id

BLUEPRINTS = (
    "inventory_api.ops.routes",
    "inventory_api.auth.routes",
    "inventory_api.users.routes",
    "inventory_api.auth.api_keys",
    "inventory_api.categories.routes",
    "inventory_api.products.routes",
    "inventory_api.suppliers.routes",
    "inventory_api.clients.routes",
    "inventory_api.stores.routes",
    "inventory_api.stock.routes",
    "inventory_api.stock.routes:transfers_blp",
    "inventory_api.stock.routes:counts_blp",
    "inventory_api.stock.routes:alerts_blp",
)


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    config = get_config((test_config or {}).get("APP_ENV"))
    if hasattr(config, "validate"):
        config.validate()
    app.config.from_object(config)
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("mysql"):
        # Locking reads (SELECT ... FOR UPDATE) guard every stock change; READ
        # COMMITTED avoids InnoDB gap locks, the main source of deadlocks when
        # concurrent requests create the same missing stock row.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "isolation_level": "READ COMMITTED",
        }
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

    configure_logging(app)
    register_request_id(app)
    _register_body_checks(app)

    db.init_app(app)
    _configure_engines(app)
    from .common.types import render_item

    migrate.init_app(app, db, render_as_batch=True, compare_type=True, render_item=render_item)
    jwt.init_app(app)
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

    import importlib

    for entry in BLUEPRINTS:
        module_name, _, attribute = entry.partition(":")
        api.register_blueprint(getattr(importlib.import_module(module_name), attribute or "blp"))

    from .ops.routes import register_swagger_assets

    register_swagger_assets(app)
    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _database_uri(uri):
    if uri.startswith("mysql") and "charset=" not in uri:
        uri += ("&" if "?" in uri else "?") + "charset=utf8mb4"
    return uri


def _configure_engines(app):
    """SQLite: foreign keys on, WAL, and BEGIN IMMEDIATE for anything but GET requests.

    A transaction that may write takes SQLite's write lock at its start, so a
    read-check-write is as safe as a row lock on MySQL. GET requests never
    write: they start a deferred transaction and, with WAL, read while a
    writer works instead of queueing behind it.
    """
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
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
            read_only = has_request_context() and request.method in ("GET", "HEAD")
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


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


def _register_body_checks(app):
    """415 for non-JSON bodies, 400 for JSON that no database could store."""

    @app.before_request
    def check_body():
        if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
            return None
        has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding")
        if not has_body:
            if _expects_json_body():
                return error_response(400, "This endpoint needs a JSON body.")
            return None
        if not request.is_json:
            return error_response(415, "Send the body as application/json.")
        data = request.get_json(silent=True)
        if data is None:
            return error_response(400, "The request body is not valid JSON.")
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return error_response(400, "The request body contains invalid Unicode text.")
        return None
