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
may run again (deadlocks, lock-wait timeouts, serialization failures);
`@unit_of_work` retries them.
"""

import random
import time
from contextlib import contextmanager
from functools import wraps

from sqlalchemy.exc import DBAPIError

from ..extensions import db

RETRYABLE_MYSQL_ERRORS = (1213, 1205)  # deadlock, lock wait timeout
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
    args = getattr(getattr(error, "orig", None), "args", None) or ()
    return args[0] if args and isinstance(args[0], int) else None


def is_retryable(error):
    return isinstance(error, DBAPIError) and mysql_error_code(error) in RETRYABLE_MYSQL_ERRORS


def backoff(attempt):
    time.sleep(random.uniform(0.005, 0.03) * (2**attempt))
