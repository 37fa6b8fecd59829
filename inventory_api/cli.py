"""Flask CLI admin commands (`flask --app wsgi <command> --help`).

Each is usable from scripts: no prompt when the options are given, exit 0 on
success, non-zero with a message on stderr otherwise.
"""

import sys
from datetime import UTC

import click
from sqlalchemy import select

from .auth.permissions import ROLES
from .common.uow import transaction
from .extensions import db


def _fail(message):
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def register_cli(app):
    @app.cli.command("create-admin")
    @click.option("--email", prompt=sys.stdin.isatty(), help="Admin email.")
    @click.option("--password", prompt=sys.stdin.isatty(), hide_input=True,
                  confirmation_prompt=True, help="Password (8-72 bytes).")
    @click.option("--name", default="Administrator", show_default=True)
    def create_admin(email, password, name):
        """Create an admin user, or reset an existing admin's password."""
        from .users.models import User
        from .users.schemas import UserCreateSchema
        from .users.service import create_user, normalize_email, set_password

        if not email or not password:
            _fail("--email and --password are required when not run in a terminal.")
        errors = UserCreateSchema().validate(
            {"email": email, "password": password, "name": name, "role": "admin"}
        )
        if errors:
            _fail("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        existing = db.session.scalar(select(User).where(User.email == normalize_email(email)))
        if existing is not None:
            if existing.role != "admin":
                _fail(f"{email} exists with role {existing.role}; refusing to change it.")
            with transaction():
                set_password(existing, password)  # also revokes its old tokens
                existing.active = True
            click.echo(f"Password reset for admin {existing.email} (id {existing.id}).")
            return
        user = create_user({"email": email, "password": password, "name": name, "role": "admin"})
        click.echo(f"Created admin {user.email} (id {user.id}).")

    @app.cli.command("create-api-key")
    @click.option("--name", required=True, help="What the key is for.")
    @click.option("--role", required=True, type=click.Choice([r for r in ROLES if r != "customer"]))
    def create_api_key(name, role):
        """Print a new API key once (only its hash is stored)."""
        from .auth.service import issue_api_key

        if not name.strip() or len(name) > 100:
            _fail("--name must be 1 to 100 characters.")
        key, secret = issue_api_key(name.strip(), role)
        click.echo(secret)
        click.echo(f"API key {key.id} ({role}) created; store it now, it is not shown again.",
                   err=True)

    @app.cli.command("seed-demo")
    @click.option("--size", type=click.Choice(["small", "large"]), default="small",
                  show_default=True,
                  help="small: a believable shop; large: adds a bulk catalog and ledger.")
    @click.option("--products", type=click.IntRange(min=1), default=None,
                  help="large only: products in the catalog in all  [default: 10000]")
    @click.option("--movements", type=click.IntRange(min=0), default=None,
                  help="large only: ledger rows the stock history grows to (the year's "
                       "sales, orders and purchases add about 10,000 more at the default "
                       "4,000 sales)  [default: 200000]")
    @click.option("--sales", type=click.IntRange(min=0), default=None,
                  help="large only: sales over the year (orders and purchase rounds in "
                       "proportion)  [default: 4000]")
    @click.option("--batch", type=click.IntRange(min=10), default=None,
                  help="large only: most movements per transaction  [default: 10000]")
    @click.option("--if-empty", is_flag=True,
                  help="Exit 0 without seeding when the database already has data.")
    def seed_demo_command(size, products, movements, batch, sales, if_empty):
        """Load a deterministic demo data set into an empty database.

        `--size large --products 100000 --movements 1000000` builds the
        benchmark data set (bench/README.md); each phase prints its rate on
        stderr.
        """
        import time

        from .seed import (
            LARGE_BATCH,
            LARGE_MOVEMENTS,
            LARGE_PRODUCTS,
            LARGE_SALES,
            SeedRefused,
            check_options,
            seed_demo,
        )

        given = [f"--{name}" for name, value in
                 (("products", products), ("movements", movements), ("batch", batch),
                  ("sales", sales))
                 if value is not None]
        if given and size != "large":
            _fail(f"{', '.join(given)}: only with --size large.")
        options = {"large_movements": LARGE_MOVEMENTS if movements is None else movements,
                   "large_products": LARGE_PRODUCTS if products is None else products,
                   "large_batch": LARGE_BATCH if batch is None else batch}
        try:
            check_options(size, **options)
        except ValueError as error:
            _fail(f"{error}.")
        started = time.monotonic()
        try:
            counts = seed_demo(size, **options,
                               large_sales=LARGE_SALES if sales is None else sales,
                               progress=lambda line: click.echo(f"seed-demo: {line}", err=True))
        except SeedRefused as error:
            if if_empty:
                click.echo(f"Skipped seeding: {error}")
                return
            _fail(str(error))
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        click.echo(f"Seeded {size} demo data: {summary} "
                   f"({time.monotonic() - started:.1f} s).")

    @app.cli.command("check-ledger")
    def check_ledger():
        """Check every stock level against its movements; exit 1 on any drift.

        For each (product, store, lot) row: on_hand must equal the sum of its
        movements and the balance_after of its last movement, and its
        movement_count their number. The read models: each product's stored
        totals (`product_stock`) must equal the sums of its stock levels,
        each store's ledger counter the number of its movements.
        """
        from .stock.queries import ledger_drift, totals_drift

        drift = ledger_drift()
        totals = totals_drift()
        if not drift and not totals:
            click.echo("Ledger OK: every stock level matches its movements, and every "
                       "stored total what it counts.")
            return
        for row in drift:
            click.echo(
                f"DRIFT level {row['stock_level_id']} (product {row['product_id']}, store "
                f"{row['store_id']}, lot {row['lot_id']}): on_hand {row['on_hand']}, ledger sum "
                f"{row['ledger_sum']}, last balance_after {row['last_balance_after']}",
                err=True,
            )
        for row in totals:
            click.echo(f"DRIFT {row['message']}", err=True)
        problems = []
        if drift:
            problems.append(f"{len(drift)} stock level(s) drifted from the ledger")
        if totals:
            problems.append(f"{len(totals)} stored total(s) drifted from what they count")
        _fail("; ".join(problems) + ".")

    @app.cli.command("backup")
    @click.option("--output", required=True, type=click.Path(dir_okay=False),
                  help="The backup file to write.")
    @click.option("--force", is_flag=True, help="Overwrite the file when it is not empty.")
    def backup_command(output, force):
        """Write a consistent copy of the database to a file while the API runs.

        SQLite: a database file (online backup API); MySQL/MariaDB: an SQL
        dump (mariadb-dump or mysqldump); PostgreSQL: a pg_dump custom-format
        archive. The file is readable by its owner only.
        """
        from .ops.backup import BackupError, backup

        try:
            size = backup(db.engine, output, force=force)
        except BackupError as error:
            _fail(str(error))
        click.echo(f"Backed up the {db.engine.dialect.name} database to {output} "
                   f"({size:,} bytes).")

    @app.cli.command("restore")
    @click.option("--input", "source", required=True, type=click.Path(dir_okay=False),
                  help="A file `flask backup` wrote from the same kind of database.")
    @click.option("--force", is_flag=True,
                  help="Drop everything in the database first when it is not empty.")
    def restore_command(source, force):
        """Load a backup into an empty database (with --force: empty it first).

        Stop the API (and anything else writing) before a --force restore.
        """
        from .ops.backup import BackupError, restore

        try:
            restore(db.engine, source, force=force)
        except BackupError as error:
            _fail(str(error))
        click.echo(f"Restored {source} into the {db.engine.dialect.name} database; "
                   "`flask db upgrade` brings an older backup up to this version.")

    @app.cli.command("low-stock-report")
    @click.option("--email", "emails", multiple=True, metavar="TO",
                  help="E-mail the report to TO instead of printing it (repeat the option "
                       "or separate addresses with commas); uses the SMTP_* settings.")
    @click.option("--store-id", type=click.IntRange(min=1), help="Only this store's rows.")
    def low_stock_report(emails, store_id):
        """Print the products at or under their minimum per store (GET /alerts/low-stock)."""
        from .ops import low_stock_report as report
        from .ops.mail import MailError, parse_recipients, send_mail
        from .stores.models import Store

        if store_id is not None and db.session.get(Store, store_id) is None:
            _fail(f"store {store_id} not found.")
        recipients = []
        if emails:
            try:
                recipients = parse_recipients(emails)
            except MailError as error:
                _fail(str(error))
        rows = report.low_stock_rows(store_id)
        table = report.render_table(rows)
        if not recipients:
            click.echo(table, nl=False)
            return
        try:
            send_mail(app.config, recipients, report.subject(rows), table)
        except MailError as error:
            _fail(str(error))
        click.echo(f"Sent the low-stock report ({len(rows)} row(s)) to {', '.join(recipients)}.")

    @app.cli.command("prune-idempotency-keys")
    @click.option("--older-than-hours", type=click.IntRange(min=24), default=72, show_default=True,
                  help="Keep keys younger than this (the contract promises at least 24 h).")
    def prune_idempotency_keys(older_than_hours):
        """Delete stored Idempotency-Key responses older than the given age."""
        from datetime import datetime, timedelta

        from sqlalchemy import delete

        from .common.models import IdempotencyKey

        cutoff = datetime.now(UTC) - timedelta(hours=older_than_hours)
        with transaction():
            result = db.session.execute(
                delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
        click.echo(f"Deleted {result.rowcount} idempotency key(s) older than "
                   f"{older_than_hours} h.")

    @app.cli.command("expire-orders")
    @click.option("--older-than-hours", type=click.IntRange(min=0), default=None,
                  help="Cancel pending orders older than this "
                       "(default: the ORDER_EXPIRY_HOURS setting, 72).")
    def expire_orders(older_than_hours):
        """Cancel pending orders older than N hours and release their reservations.

        Each order is its own transaction; an order confirmed or cancelled
        meanwhile is left alone, so running it again does nothing new.
        """
        from .orders import service as orders

        if older_than_hours is None:
            try:
                older_than_hours = orders.expiry_hours()
            except ValueError as error:
                _fail(str(error))
        expired = []
        for order_id in orders.expirable_order_ids(older_than_hours):
            with transaction():
                if orders.expire_order(order_id):
                    expired.append(order_id)
        if expired:
            click.echo(f"Expired {len(expired)} pending order(s) older than "
                       f"{older_than_hours} h: {', '.join(map(str, expired))}.")
        else:
            click.echo(f"No pending orders older than {older_than_hours} h.")

    @app.cli.command("er-diagram")
    @click.option("--output", type=click.Path(dir_okay=False, writable=True),
                  help="Write the Markdown to this file (docs/erd.md) instead of stdout.")
    @click.option("--check", is_flag=True,
                  help="Write nothing; exit 1 when --output's file differs from the models.")
    def er_diagram(output, check):
        """Print (or write) the Mermaid entity-relationship diagram of every table."""
        from pathlib import Path

        from .erd import COMMAND, er_diagram_markdown

        text = er_diagram_markdown()
        if output is None:
            if check:
                _fail("--check needs --output FILE.")
            click.echo(text, nl=False)
            return
        path = Path(output)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                _fail(f"{output} is out of date; run {COMMAND}.")
            click.echo(f"{output} is up to date.")
            return
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror}.")
        click.echo(f"Wrote {output}.")
