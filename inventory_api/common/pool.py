"""The connection pool of a database server: no round trip a request does not need.

SQLAlchemy's defaults cost two round trips per request on top of its
statements: `pool_pre_ping` pings every connection as it is checked out, and
"reset on return" sends a ROLLBACK as it goes back, even right after a
COMMIT (PyMySQL sends it whatever the state; psycopg skips it when idle).
Here instead:

* A connection is pinged at checkout only when it has sat in the pool for at
  least `DB_POOL_PING_IDLE_SECONDS` (default 1; 0 pings every checkout, as
  `pool_pre_ping` does). A connection the server dropped (a restart,
  `wait_timeout`) has been idle for longer than that in practice; one dropped
  within that second fails its request with 503, and the first such error
  replaces every connection of the pool (SQLAlchemy invalidates it).
* On return, the ROLLBACK is skipped only when the last thing done on the
  connection was SQLAlchemy's COMMIT or ROLLBACK (no statement since) and the
  driver agrees that no transaction is open (PyMySQL's server status flag from
  that answer, psycopg's transaction status). Anything else, a raw DBAPI use
  included, is rolled back as before.
* On PostgreSQL a read-only request (`read_only()` true when its connection
  begins: GET and HEAD) runs its statements in autocommit: psycopg sends no
  `BEGIN` before the first and SQLAlchemy's closing ROLLBACK finds no
  transaction to end, two round trips of a request's four saved. Nothing
  changes for what it reads: under READ COMMITTED each statement sees what
  was committed when it started, in a transaction or not. (A statement that
  writes would commit on its own: read-only requests must not write, or
  only through a transaction of their own, as `last_used_at` of an API key
  does.) The connection leaves autocommit when it goes back to the pool.
  PyMySQL would need a `SET autocommit` round trip each way, so MariaDB
  keeps its one ROLLBACK.
* psycopg prepares a statement on the server once it has run it 5 times, and
  PostgreSQL may then plan it once for any parameters. A statement whose
  best plan depends on its values (a `LIMIT $1` next to a count over the
  same rows: 1 ms planned with them, 40 ms planned without at 20,000
  products) carries the execution option `PLAN_EACH_TIME` and is never
  prepared.
"""

import time

from sqlalchemy import event, exc

CHECKED_IN_AT = "inventory_checked_in_at"
ENDED = "inventory_transaction_ended"
SERVER_STATUS_IN_TRANS = 1  # MySQL protocol status flag
PLAN_EACH_TIME = "inventory_plan_each_time"  # execution option: never a prepared statement
AUTOCOMMIT_READ = "inventory_autocommit_read"  # connection info: a read-only request's


def engine_options(options):
    """A server engine's options: pre-ping and the reset on return are done here."""
    return {**{k: v for k, v in options.items() if k != "pool_pre_ping"},
            "pool_reset_on_return": None}


def configure(engine, ping_idle_seconds, read_only=lambda: False):
    """Listeners on a server engine; `ping_idle_seconds` None turns the ping off;
    `read_only()` tells whether the current request only reads."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info[CHECKED_IN_AT] = time.monotonic()

    if ping_idle_seconds is not None:

        @event.listens_for(engine, "checkout")
        def _checked_out(dbapi_connection, record, _proxy):
            since = record.info.get(CHECKED_IN_AT)
            if since is None or time.monotonic() - since < ping_idle_seconds:
                return  # new, or in use a moment ago
            try:
                dialect.do_ping(dbapi_connection)
            except dialect.loaded_dbapi.Error as error:
                if dialect.is_disconnect(error, dbapi_connection, None):
                    # the pool discards this connection and checks out another
                    raise exc.DisconnectionError("pooled connection dropped") from error
                raise

    if dialect.driver == "psycopg":

        @event.listens_for(engine, "do_execute")
        def _unprepared(cursor, statement, parameters, context):
            if context.execution_options.get(PLAN_EACH_TIME):
                cursor.execute(statement, parameters, prepare=False)
                return True  # executed here
            return None

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ending(connection):
        if not connection.invalidated:  # an invalidated one is discarded, not reset
            connection.connection.info[ENDED] = True

    autocommit_reads = dialect.driver == "psycopg"

    @event.listens_for(engine, "begin")
    def _beginning(connection):
        if connection.invalidated:
            return
        info = connection.connection.info
        info.pop(ENDED, None)
        if autocommit_reads and read_only():
            connection.connection.dbapi_connection.autocommit = True  # client-side only
            info[AUTOCOMMIT_READ] = True

    @event.listens_for(engine, "reset")
    def _reset(dbapi_connection, record, state):
        if record is not None and record.info.pop(AUTOCOMMIT_READ, False):
            dbapi_connection.autocommit = False  # idle in autocommit: nothing to end
            record.info.pop(ENDED, None)
            return
        ended = record is not None and record.info.pop(ENDED, False)
        if state.transaction_was_reset or not state.asyncio_safe:
            return
        if ended and not in_transaction(dbapi_connection):
            return
        dbapi_connection.rollback()


def in_transaction(dbapi_connection):
    """Whether the driver reports an open transaction (True when it cannot tell)."""
    status = getattr(dbapi_connection, "server_status", None)  # PyMySQL
    if isinstance(status, int):
        return bool(status & SERVER_STATUS_IN_TRANS)
    info = getattr(dbapi_connection, "info", None)  # psycopg 3
    transaction_status = getattr(info, "transaction_status", None)
    if transaction_status is not None:
        return transaction_status.name != "IDLE"
    return True
