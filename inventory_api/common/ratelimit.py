"""Rate-limit counters in a SQLite file, shared by every worker process of one machine.

flask-limiter keeps its counters in a `limits` storage named by
`RATELIMIT_STORAGE_URI`. `memory://` is private to each gunicorn worker (two
workers let twice the limit through) and Redis needs a server; this storage,
registered under the scheme `sqlitefile://` (`sqlitefile:///abs/path.sqlite`),
keeps the counters in one small SQLite file that all processes on the machine
open. It is the default outside tests (a file in the instance folder); set
`RATELIMIT_STORAGE_URI=redis://...` when several machines share the limits.

It supports the fixed-window strategy, flask-limiter's default (`incr`, `get`,
`get_expiry`, `clear`, `reset`, `check`). An increment is one `BEGIN
IMMEDIATE` transaction, so concurrent processes and threads never lose a
count; expired counters are deleted by the next increment.
"""

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEME = "sqlitefile"
OPEN_WAIT_SECONDS = 10  # how long a new connection retries a locked file

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters ("
    " key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_counters_expires_at ON counters (expires_at)",
)


def storage_uri(path):
    """The `RATELIMIT_STORAGE_URI` of a counters file at `path`."""
    return f"{SCHEME}://{Path(path).resolve()}"


class SQLiteFileStorage(Storage):
    """A `limits` storage in a SQLite file; one connection per thread and process."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        if not self.path:
            raise ValueError(f"{uri!r} names no file; use {SCHEME}:///path/to/file.sqlite")
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self):
        """This thread's connection; a new one after a fork (a connection can't cross it)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            local.connection, local.pid = self._open(), os.getpid()
        return local.connection

    def _open(self, wait=OPEN_WAIT_SECONDS):
        """A connection in WAL mode with the table. Switching a new file to WAL can
        fail at once with "database is locked" while another process opens it
        (SQLite's busy timeout does not cover that step), so it is retried for
        up to `wait` seconds."""
        deadline = time.monotonic() + wait
        while True:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                for statement in _SCHEMA:
                    connection.execute(statement)
                return connection
            except sqlite3.OperationalError as error:
                connection.close()
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def incr(self, key, expiry, amount=1):
        """Add `amount` to the counter (a new one expires in `expiry` s); returns the new value."""
        connection = self._connection()
        now = time.time()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            connection.execute(
                "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            (value,) = connection.execute(
                "SELECT value FROM counters WHERE key = ?", (key,)
            ).fetchone()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return value

    def _row(self, key):
        return self._connection().execute(
            "SELECT value, expires_at FROM counters WHERE key = ? AND expires_at > ?",
            (key, time.time()),
        ).fetchone()

    def get(self, key):
        """The counter's current value (0 when absent or expired)."""
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key):
        """When the counter expires (epoch seconds; now when absent)."""
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self):
        self._connection().execute("SELECT 1").fetchone()
        return True

    def reset(self):
        """Delete every counter; returns how many there were."""
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key):
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
