"""Unit of work: commit, deferred commit under an idempotent request, deadlock retries.

Services end their unit of work with `commit()`. Under `@unit_of_work`
(common/idempotency.py) the commit is deferred to the decorator, which first
stores the idempotency record in the same transaction.
"""

import random
import time

from flask import g, has_request_context
from sqlalchemy.exc import DBAPIError

from ..extensions import db

RETRYABLE_MYSQL_ERRORS = (1213, 1205)  # deadlock, lock wait timeout
MAX_ATTEMPTS = 5


def commit():
    if has_request_context() and g.get("defer_commit"):
        db.session.flush()
    else:
        db.session.commit()


def mysql_error_code(error):
    args = getattr(getattr(error, "orig", None), "args", None) or ()
    return args[0] if args and isinstance(args[0], int) else None


def is_retryable(error):
    return isinstance(error, DBAPIError) and mysql_error_code(error) in RETRYABLE_MYSQL_ERRORS


def backoff(attempt):
    time.sleep(random.uniform(0.005, 0.03) * (2**attempt))


def run_with_retries(work):
    """Run `work()` (which commits), retrying it whole after a deadlock or lock timeout."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return work()
        except DBAPIError as error:
            db.session.rollback()
            if not is_retryable(error) or attempt == MAX_ATTEMPTS - 1:
                raise
            backoff(attempt)
