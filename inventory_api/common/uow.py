"""The unit of work: one transaction per request or command, committed at its edge.

Every public service function that writes is decorated with `@atomic`. The
*outermost* `atomic` scope is the transaction boundary: it commits when the
work returns and rolls back when it raises. Any `atomic` scope opened inside
another one, i.e. a service called by another service, or by a view under
`@unit_of_work` (common/idempotency.py), only flushes: its writes become part
of the outer transaction and are committed, or discarded, with it.

So a sale that creates a client and posts movements commits once, together
with its `Idempotency-Key` record, and a failure anywhere leaves nothing
written. Helpers called by services never commit; they add and flush.

`is_retryable` names the database errors after which the whole unit of work
may run again: on MySQL/MariaDB deadlock (1213) and lock-wait timeout (1205),
on PostgreSQL deadlock (SQLSTATE 40P01), serialization failure (40001) and
lock-wait timeout (55P03).
`@unit_of_work` rolls back and retries them.
"""

import random
import time
from contextlib import contextmanager
from functools import wraps

from sqlalchemy.exc import DBAPIError

from ..extensions import db

RETRYABLE_MYSQL_ERRORS = (1213, 1205)  # deadlock, lock wait timeout
# PostgreSQL: deadlock, serialization failure, lock wait over `lock_timeout` (only
# when a server/role sets one: the default waits; common/idempotency.py sets its own)
RETRYABLE_SQLSTATES = ("40P01", "40001", "55P03")
MAX_ATTEMPTS = 5

_DEPTH = "uow_depth"


def in_unit_of_work():
    """True while an `atomic` scope is open on the current session."""
    return db.session.info.get(_DEPTH, 0) > 0


@contextmanager
def transaction():
    """An `atomic` scope as a context manager (`with transaction(): ...`).

    Outermost: commits on success, rolls back on error. Nested: flushes only.
    """
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
        else:
            db.session.flush()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        info[_DEPTH] = depth


def atomic(func):
    """Run a service function as (part of) one unit of work; see the module docstring."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with transaction():
            return func(*args, **kwargs)

    return wrapper


def mysql_error_code(error):
    """The MySQL/MariaDB error number of a wrapped driver error, else None."""
    args = getattr(getattr(error, "orig", None), "args", None) or ()
    return args[0] if args and isinstance(args[0], int) else None


def sqlstate(error):
    """The PostgreSQL SQLSTATE (e.g. "40P01") of a wrapped psycopg error, else None."""
    return getattr(getattr(error, "orig", None), "sqlstate", None)


def is_retryable(error):
    """True for a database error after which the whole unit of work may run again."""
    if not isinstance(error, DBAPIError):
        return False
    return (mysql_error_code(error) in RETRYABLE_MYSQL_ERRORS
            or sqlstate(error) in RETRYABLE_SQLSTATES)


def backoff(attempt):
    time.sleep(random.uniform(0.005, 0.03) * (2**attempt))
