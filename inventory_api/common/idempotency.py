"""`Idempotency-Key` for POSTs that change stock or money, and their unit of work.

`@unit_of_work` goes between `@require` and `@blp.arguments` on a view. It

* runs the view as one transaction, retried whole on a deadlock, lock-wait
  timeout or serialization failure (`uow.is_retryable`: MySQL 1213/1205,
  PostgreSQL 40P01/40001/55P03);
* with an `Idempotency-Key` header, stores (caller, key, request hash, status,
  body) in the *same* transaction as the effect. A retry with the same key and
  body replays the stored response (header `Idempotent-Replayed: true`); the
  same key with another body is 409, and so is a key whose first request is
  still running. A key is 1-255 characters after trimming, with no control
  characters (422). Only successful (2xx) responses are stored: a refused request
  wrote nothing, so retrying it simply runs it again.

Keys are kept per caller (user or API key) until `flask prune-idempotency-keys`
removes them (it refuses ages under the contract's 24 hours).
"""

import hashlib
import json
from copy import deepcopy
from functools import wraps

from flask import Response, g, request
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from .inputs import CONTROL, CONTROL_CHARACTERS
from .models import IdempotencyKey
from .uow import MAX_ATTEMPTS, backoff, is_retryable, mysql_error_code, sqlstate, transaction

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# documented: visible at both ends (HTTP strips the rest), no control characters
KEY_PATTERN = rf"^[^\s{CONTROL}](?:[^{CONTROL}]*[^\s{CONTROL}])?$"


def _owner():
    principal = g.principal
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    return f"key:{principal.api_key.id}"


def _request_hash():
    body = request.get_json(silent=True)
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record, request_hash):
    if record.request_hash != request_hash:
        raise Conflict(
            "This Idempotency-Key was already used with a different request.",
            errors={"idempotency_key": record.key},
        )
    if record.status_code == 0:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    headers = {"Idempotent-Replayed": "true"}
    if record.location:
        headers["Location"] = record.location
    return Response(record.response_body, status=record.status_code,
                    mimetype="application/json", headers=headers)


def _find(owner, key):
    return db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
    )


KEY_LOCK_WAIT_SECONDS = 2


def _insert_without_waiting_long(record):
    """Insert the key's row, waiting at most a moment for a twin request's lock.

    A twin still running holds the same (owner, key) row uncommitted: instead of
    queueing behind it, give up after KEY_LOCK_WAIT_SECONDS and answer 409
    (MySQL error 1205, PostgreSQL SQLSTATE 55P03; see `_still_running`).
    Writes the row (flushed, not committed).
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # SET LOCAL lasts until the transaction ends, so a failed insert (which
        # aborts the transaction) needs no reset: the rollback drops it. After a
        # good insert, go back to the configured value (DEFAULT: the server's,
        # role's or connection's setting) so the stock locks of the unit of work
        # wait as long as they normally do.
        connection = db.session.connection()
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{KEY_LOCK_WAIT_SECONDS}s'")
        db.session.add(record)
        db.session.flush()
        connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
        return
    if dialect != "mysql":
        db.session.add(record)
        db.session.flush()
        return
    # the setting lives on the connection, which goes back to the pool: set it
    # and put it back on that very connection, whatever the flush does
    connection = db.session.connection()
    connection.exec_driver_sql(f"SET SESSION innodb_lock_wait_timeout = {KEY_LOCK_WAIT_SECONDS}")
    db.session.add(record)
    try:
        db.session.flush()
    finally:
        connection.exec_driver_sql("SET SESSION innodb_lock_wait_timeout = DEFAULT")


def _still_running(error):
    """True when inserting the key gave up waiting for a twin's uncommitted row."""
    return mysql_error_code(error) == 1205 or sqlstate(error) == "55P03"


def _attempt(view, args, kwargs, key, owner, request_hash):
    record = None
    if key is not None:
        existing = _find(owner, key)
        if existing is not None:
            return _replay(existing, request_hash)
        record = IdempotencyKey(owner=owner, key=key, request_hash=request_hash,
                                status_code=0, response_body="")
        try:
            _insert_without_waiting_long(record)  # holds the key: a twin fails here
        except IntegrityError:
            db.session.rollback()
            return _replay(_find(owner, key), request_hash)
        except DBAPIError as error:
            if _still_running(error):
                db.session.rollback()
                raise Conflict("A request with this Idempotency-Key is still being processed.") \
                    from None
            raise
    # the outermost scope: the services inside only flush; this commits the
    # effect and the key's record together (or rolls both back)
    with transaction():
        response = view(*args, **kwargs)
        if record is not None and 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.response_body = response.get_data(as_text=True)
            record.location = response.headers.get("Location")
    return response


def unit_of_work(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is not None:
            key = key.strip()
            if not key or len(key) > MAX_KEY_LENGTH:
                raise ValidationFailed(
                    {HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} characters."]}, location="headers"
                )
            if CONTROL_CHARACTERS.search(key):  # PostgreSQL cannot even compare a NUL
                raise ValidationFailed(
                    {HEADER: ["Must not contain control characters."]}, location="headers")
        owner = _owner()
        request_hash = _request_hash()
        for attempt in range(MAX_ATTEMPTS):
            try:
                return _attempt(view, args, kwargs, key, owner, request_hash)
            except DBAPIError as error:
                db.session.rollback()
                if not is_retryable(error) or attempt == MAX_ATTEMPTS - 1:
                    raise
                backoff(attempt)
        raise AssertionError("unreachable")

    wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    manual.setdefault("parameters", []).append({
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
                   "pattern": KEY_PATTERN},
        "description": "Retry-safe key: the same key and body replay the first response.",
    })
    responses = wrapper._apidoc.setdefault("response", {}).setdefault("responses", {})
    responses.setdefault(409, []).append("CONFLICT")
    return wrapper
