"""Where reports read: a replica when `REPORTS_DATABASE_URL` is set, else the primary.

A replica takes the heavy aggregate reads off the database that takes the
writes; it may lag the primary by a moment, which a report can afford and a
stock check cannot (nothing outside `reports/` reads through it). The engine
is made once per process; a request borrows one connection and gives it
back when its app context ends.
"""

from flask import current_app, g

from ..extensions import db

_ENGINE_KEY = "reports_engine"


def init_app(app):
    @app.teardown_appcontext
    def _give_back(_error):
        connection = g.pop("_reports_connection", None)
        if connection is not None:
            connection.close()


def _replica_engine():
    url = current_app.config.get("REPORTS_DATABASE_URL")
    if not url:
        return None
    engine = current_app.extensions.get(_ENGINE_KEY)
    if engine is None:
        from sqlalchemy import create_engine

        from .. import _database_uri

        engine = create_engine(_database_uri(url), pool_pre_ping=True)
        current_app.extensions[_ENGINE_KEY] = engine
    return engine


def _connection():
    engine = _replica_engine()
    if engine is None:
        return db.session
    if "_reports_connection" not in g:
        g._reports_connection = engine.connect()
    return g._reports_connection


def rows(statement):
    """Every row of a report statement (named tuples)."""
    return _connection().execute(statement).all()


def one(statement):
    """The single row of an aggregate statement."""
    return _connection().execute(statement).one()


def scalar(statement):
    return _connection().execute(statement).scalar()
