"""Liveness and readiness probes, and the offline Swagger UI assets."""

from pathlib import Path

import flask_swagger_ui
from flask import send_from_directory
from marshmallow import fields
from sqlalchemy import text

from ..common.blueprint import Blueprint
from ..common.schema import Schema
from ..errors import error_response
from ..extensions import db

blp = Blueprint("operations", __name__, description="Health checks")

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"


class HealthSchema(Schema):
    status = fields.String()


@blp.route("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
def health():
    """Liveness: the process answers (does not touch the database)"""
    return {"status": "ok"}


@blp.route("/health/ready")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def ready():
    """Readiness: the database answers"""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        db.session.rollback()
        return error_response(503, "The database is unreachable.")
    return {"status": "ok"}


def register_swagger_assets(app):
    """Serve Swagger UI's files from the installed package: no CDN needed."""

    @app.route("/docs/assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(SWAGGER_DIST, filename, max_age=86400)
