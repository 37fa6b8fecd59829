"""One error shape for every failure.

Every error answers `{"code", "status", "message", "errors"?}` (docs/api.md §
Conventions). Domain code raises `AppError` subclasses or calls
`flask_smorest.abort`; database integrity problems become 409; anything
unexpected becomes a 500 with a generic message (the trace goes to the log
with the request id, never to the client).
"""

import http
import logging

from flask import g, jsonify
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class AppError(Exception):
    """A domain error with an HTTP status; raised by services."""

    status_code = 400
    default_message = None

    def __init__(self, message=None, errors=None, headers=None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message or http.HTTPStatus(self.status_code).phrase
        self.errors = errors
        self.headers = headers or {}


class NotFound(AppError):
    status_code = 404
    default_message = "Resource not found."


class Forbidden(AppError):
    status_code = 403
    default_message = "You do not have permission to do this."


class Conflict(AppError):
    status_code = 409


class PreconditionFailed(AppError):
    status_code = 412
    default_message = "The resource has changed since you read it (If-Match does not match)."


class ValidationFailed(AppError):
    """422 with flask-smorest's shape: `errors` maps location → field → messages."""

    status_code = 422

    def __init__(self, field_errors, location="json", message="Validation failed."):
        super().__init__(message, errors={location: field_errors})


def error_body(code, message=None, errors=None):
    body = {
        "code": code,
        "status": http.HTTPStatus(code).phrase,
        "message": message or http.HTTPStatus(code).description or http.HTTPStatus(code).phrase,
    }
    if errors:
        body["errors"] = errors
    return body


def error_response(code, message=None, errors=None, headers=None):
    response = jsonify(error_body(code, message, errors))
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if code == 401:
        response.headers.setdefault("WWW-Authenticate", "Bearer")
    return response


_DEFAULT_MESSAGES = {
    400: "The request body is not valid JSON.",
    404: "Resource not found.",
    405: "Method not allowed on this resource.",
    415: "Send the body as application/json.",
    422: "Validation failed.",
    429: "Too many requests; retry later.",
    500: "Internal server error.",
}


def http_error_response(error):
    """Render a werkzeug HTTPException (incl. webargs/smorest aborts)."""
    code = error.code or 500
    if code >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled exception", exc_info=original,
                      extra={"request_id": g.get("request_id")})
        return error_response(500, _DEFAULT_MESSAGES[500])
    data = getattr(error, "data", None) or {}
    message = data.get("message")
    errors = data.get("errors") or data.get("messages")
    if message is None:
        description = error.description
        default = type(error).description
        message = description if description and description != default else None
    message = message or _DEFAULT_MESSAGES.get(code) or error.name
    headers = {}
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            headers[name] = value
    headers.update(data.get("headers") or {})
    return error_response(code, message, errors, headers)


def register_error_handlers(app):
    @app.errorhandler(AppError)
    def handle_app_error(error):
        from .extensions import db

        db.session.rollback()  # nothing of a refused request is written
        return error_response(error.status_code, error.message, error.errors, error.headers)

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(error):
        from .extensions import db

        db.session.rollback()
        return error_response(
            409, "The request conflicts with existing data (duplicate or still referenced)."
        )

    @app.errorhandler(DBAPIError)
    def handle_dbapi_error(error):
        from .extensions import db

        db.session.rollback()
        if error.connection_invalidated:  # the server dropped a pooled connection
            log.warning("database connection lost", extra={"request_id": g.get("request_id")})
            return error_response(503, "The database connection was lost; retry the request.",
                                  headers={"Retry-After": "1"})
        code = (getattr(error.orig, "args", None) or [None])[0]
        if code == 4025:  # MariaDB CHECK constraint violated
            return error_response(409, "The request conflicts with a data constraint.")
        log.error("database error", exc_info=error, extra={"request_id": g.get("request_id")})
        return error_response(500, _DEFAULT_MESSAGES[500])

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        if isinstance(error, HTTPException):
            return http_error_response(error)
        log.error("unhandled exception", exc_info=error, extra={"request_id": g.get("request_id")})
        return http_error_response(InternalServerError(original_exception=error))
