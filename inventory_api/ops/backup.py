"""Whole-database backup and restore, for `flask backup` and `flask restore`.

Each engine is copied by its own tool, so the copy is consistent while the
API keeps writing and nothing is locked for long:

* SQLite: Python's online backup API copies every page in one step, inside
  one read transaction (WAL lets writers go on meanwhile). Restore uses the
  same API the other way, which replaces the whole target in one step.
* MySQL/MariaDB: `mariadb-dump` (or `mysqldump`) with `--single-transaction`:
  every table is read from one InnoDB snapshot, without table locks. The
  dump is plain SQL, restored by the `mariadb` (or `mysql`) client.
* PostgreSQL: `pg_dump` always reads one snapshot. We write its custom
  format (compressed; `pg_restore` can list or pick from it) without owners
  or grants, so it restores into a database owned by any role; `pg_restore`
  applies it in a single transaction.

Passwords reach the tools through `MYSQL_PWD` / `PGPASSWORD`, never the
command line (which any local user can read with `ps`). A backup is written
to a temporary file beside `--output` (mode 0600: it holds password hashes)
and renamed into place only once complete, so a failed run never leaves a
truncated file under the expected name.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect, literal, select, table, text

from ..extensions import db

MYSQL_DUMP_TOOLS = ("mariadb-dump", "mysqldump")
MYSQL_CLIENT_TOOLS = ("mariadb", "mysql")
MYSQL_DUMP_OPTIONS = ("--single-transaction", "--skip-lock-tables", "--no-tablespaces",
                      "--hex-blob", "--default-character-set=utf8mb4", "--triggers",
                      "--skip-routines", "--skip-events")
PG_OWNERSHIP_OPTIONS = ("--no-owner", "--no-acl")
# libpq settings a SQLAlchemy PostgreSQL URL may carry in its query string
PG_QUERY_ENV = {"host": "PGHOST", "sslmode": "PGSSLMODE"}

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
MYSQL_DUMP_MARKS = (b"-- MariaDB dump", b"-- MySQL dump")
STDERR_LINES = 5  # of a failing tool's stderr, quoted in our message


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


# --------------------------------------------------------------------------- backup


def backup(engine, output, *, force=False):
    """Write a consistent copy of `engine`'s database to `output`; return its size in bytes.

    Refuses (BackupError) an existing non-empty `output` unless `force`, and
    writes nothing under that name when the copy fails.
    """
    output = Path(output)
    _check_output(output, force)
    dump = {"sqlite": _sqlite_backup, "mysql": _mysql_backup,
            "postgresql": _pg_backup}[_dialect(engine)]
    try:
        handle, partial = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.",
                                           suffix=".partial")
    except OSError as error:
        raise BackupError(f"cannot write in {output.parent}: {error.strerror}.") from None
    os.close(handle)
    try:
        dump(engine.url, Path(partial))
        os.replace(partial, output)
    except OSError as error:
        Path(partial).unlink(missing_ok=True)
        raise BackupError(f"backup to {output} failed: {error.strerror or error}.") from None
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return output.stat().st_size


def _check_output(output, force):
    if output.is_dir():
        raise BackupError(f"{output} is a folder; name the backup file to write.")
    if not output.parent.is_dir():
        raise BackupError(f"folder {output.parent} does not exist.")
    if output.exists() and output.stat().st_size > 0 and not force:
        raise BackupError(f"{output} already exists and is not empty; "
                          "use --force to overwrite it.")


def _sqlite_backup(url, partial):
    source = _sqlite_open(_sqlite_path(url))
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        # a copy of a WAL database is one too: make the file stand alone
        target.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {url.database}: {error}.") from None
    finally:
        target.close()
        source.close()


def _mysql_backup(url, partial):
    tool = _find_tool(MYSQL_DUMP_TOOLS, "the MariaDB/MySQL client (Debian: mariadb-client)")
    with partial.open("wb") as out:
        _run([tool, *MYSQL_DUMP_OPTIONS, *_mysql_connection(url), "--", url.database],
             _mysql_env(url), stdout=out)


def _pg_backup(url, partial):
    tool = _find_tool(("pg_dump",), "the PostgreSQL client (Debian: postgresql-client)")
    _run([tool, "--format=custom", *PG_OWNERSHIP_OPTIONS, f"--file={partial}"], _pg_env(url))


# --------------------------------------------------------------------------- restore


def restore(engine, source, *, force=False):
    """Load the backup file `source` into `engine`'s database.

    The target must be empty: none of our tables (or Alembic's) and no table
    with rows. With `force`, everything in it is dropped first. The file is
    checked to be a backup of this engine before anything is dropped.
    Raises BackupError when refused or when the restore fails.
    """
    source = Path(source)
    dialect = _dialect(engine)
    _check_input(source, dialect)
    held = occupied_tables(engine)
    if held and not force:
        shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
        raise BackupError(f"the database is not empty (tables {shown}); restore into an "
                          "empty database, or use --force to drop everything in it first.")
    if dialect == "sqlite":  # the backup API replaces every page of the target anyway
        _sqlite_restore(engine.url, source)
        return
    if force:
        drop_everything(engine)
    if dialect == "mysql":
        _mysql_restore(engine.url, source)
    else:
        _pg_restore(engine.url, source)


def occupied_tables(engine):
    """Names of the tables that make the database not empty, sorted: each of
    ours (or `alembic_version`) present, and any other table that has a row."""
    ours = set(db.metadata.tables) | {"alembic_version"}
    names = sorted(inspect(engine).get_table_names())
    held = [name for name in names if name in ours]
    with engine.connect() as conn:
        held += [name for name in names if name not in ours and conn.execute(
            select(literal(1)).select_from(table(name)).limit(1)).first() is not None]
    return held


def drop_everything(engine):
    """Drop every table and view (PostgreSQL: also sequences and types) of the database."""
    with engine.begin() as conn:
        if engine.dialect.name == "mysql":
            _mysql_drop(conn)
        elif engine.dialect.name == "postgresql":
            _pg_drop(conn)


def _mysql_drop(conn):
    objects = conn.execute(text(
        "SELECT table_name, table_type FROM information_schema.tables"
        " WHERE table_schema = DATABASE()")).all()
    conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
    for name, kind in objects:
        quoted = "`" + name.replace("`", "``") + "`"
        statement = "DROP VIEW IF EXISTS" if kind == "VIEW" else "DROP TABLE IF EXISTS"
        conn.execute(text(f"{statement} {quoted}"))
    conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


PG_DROP = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW",
           "S": "SEQUENCE", "e": "TYPE", "d": "DOMAIN"}


def _pg_drop(conn):
    """Relations first (CASCADE takes foreign keys and owned sequences with
    them), then the enum and domain types a migration may have created."""
    relations = conn.execute(text(
        "SELECT c.relname, c.relkind FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        " ORDER BY c.relkind")).all()
    types = conn.execute(text(
        "SELECT t.typname, t.typtype FROM pg_type t"
        " JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')")).all()
    preparer = conn.dialect.identifier_preparer
    for name, kind in [*relations, *types]:
        conn.execute(text(f"DROP {PG_DROP[kind]} IF EXISTS {preparer.quote(name)} CASCADE"))


def _check_input(source, dialect):
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file.")
    with source.open("rb") as file:
        head = file.read(512)
    expected = {
        "sqlite": ("an SQLite database file", head.startswith(SQLITE_HEADER)),
        "mysql": ("a mariadb-dump/mysqldump SQL file", any(m in head for m in MYSQL_DUMP_MARKS)),
        "postgresql": ("a pg_dump custom-format file", head.startswith(PG_CUSTOM_HEADER)),
    }
    what, matches = expected[dialect]
    if not matches:
        raise BackupError(f"{source} is not {what}, which a {dialect} database restores from.")


def _sqlite_restore(url, source):
    backup_copy = _sqlite_open(source)
    try:
        problems = backup_copy.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{source} is damaged: {problems[0][0]}")
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            backup_copy.backup(target)
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore {source}: {error}.") from None
    finally:
        backup_copy.close()


def _mysql_restore(url, source):
    tool = _find_tool(MYSQL_CLIENT_TOOLS, "the MariaDB/MySQL client (Debian: mariadb-client)")
    with source.open("rb") as dump:
        _run([tool, "--default-character-set=utf8mb4", "--batch",
              *_mysql_connection(url), "--", url.database], _mysql_env(url), stdin=dump)


def _pg_restore(url, source):
    tool = _find_tool(("pg_restore",), "the PostgreSQL client (Debian: postgresql-client)")
    _run([tool, *PG_OWNERSHIP_OPTIONS, "--single-transaction", "--exit-on-error",
          f"--dbname=dbname={_libpq_quote(url.database)}", str(source)], _pg_env(url))


# --------------------------------------------------------------------------- connections


def _dialect(engine):
    name = engine.dialect.name
    if name not in ("sqlite", "mysql", "postgresql"):
        raise BackupError(f"no backup method for {name} databases.")
    return name


def _sqlite_path(url):
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database has no file to back up or restore.")
    return Path(url.database)


def _sqlite_open(path):
    """A read-only sqlite3 connection to `path` (never creates the file)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise BackupError(f"SQLite database {path} does not exist.")
    try:
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open {path}: {error}.") from None


def _mysql_connection(url):
    """Client options for the URL's server and user (the password goes in the environment).

    PyMySQL reaches `localhost` over TCP unless the URL names a `unix_socket`;
    the client tools would take the socket, so the protocol is stated.
    """
    options = [f"--user={url.username or 'root'}"]
    socket = url.query.get("unix_socket")
    if socket:
        return [*options, "--protocol=SOCKET", f"--socket={socket}"]
    return [*options, "--protocol=TCP", f"--host={url.host or 'localhost'}",
            f"--port={url.port or 3306}"]


def _mysql_env(url):
    env = dict(os.environ)
    env.pop("MYSQL_PWD", None)
    if url.password:
        env["MYSQL_PWD"] = url.password
    return env


def _pg_env(url):
    """libpq's environment for the URL: server, user, database and password.

    Other `PG*` variables stay: psycopg reads them too, so the tool connects
    the way the app does.
    """
    env = dict(os.environ)
    for part, name in ((url.host, "PGHOST"), (url.port, "PGPORT"), (url.username, "PGUSER"),
                       (url.database, "PGDATABASE"), (url.password, "PGPASSWORD")):
        if part:
            env[name] = str(part)
    for key, name in PG_QUERY_ENV.items():
        if url.query.get(key):
            env[name] = url.query[key]
    return env


def _libpq_quote(value):
    """A value for a libpq `keyword=value` connection string."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _find_tool(names, package):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise BackupError(f"{' or '.join(names)} not found on PATH; install {package}.")


def _run(args, env, stdin=None, stdout=subprocess.DEVNULL):
    """Run a client tool; BackupError quoting the end of its stderr when it fails."""
    finished = subprocess.run(args, env=env, stdin=stdin, stdout=stdout,
                              stderr=subprocess.PIPE, check=False)
    if finished.returncode != 0:
        lines = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = "; ".join(lines[-STDERR_LINES:]) or "no message"
        raise BackupError(f"{Path(args[0]).name} failed (exit {finished.returncode}): {detail}")
