"""`flask low-stock-report`: the low-stock rows as a text table, printed or
e-mailed through an SMTP server the test starts on 127.0.0.1."""

import socket
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from inventory_api.common.dates import today
from inventory_api.extensions import db
from inventory_api.ops.low_stock_report import subject
from inventory_api.stock.models import StockMinimum
from inventory_api.stock.service import Change, post_movements

TABLE = (
    "Store  SKU  Name    Available  Min stock  Shortage  Suggested order\n"
    "-----  ---  ------  ---------  ---------  --------  ---------------\n"
    "North  W-1  Widget          2          5         3               20\n"
    "South  G-1  Gadget        1.5          4       2.5              2.5\n"
)


@pytest.fixture
def low(app, shop):
    """Widget short in North (2 of 5; reorders 20), Gadget in South (1.5 of a
    store minimum of 4; no reorder quantity); Widget in South is above its minimum."""
    with app.app_context():
        db.session.add(StockMinimum(product_id=shop["gadget"], store_id=shop["south"],
                                    min_stock=Decimal("4")))
        post_movements([
            Change(type="receipt", product_id=shop["widget"], store_id=shop["north"],
                   quantity=Decimal("2")),
            Change(type="receipt", product_id=shop["widget"], store_id=shop["south"],
                   quantity=Decimal("8")),
            Change(type="receipt", product_id=shop["gadget"], store_id=shop["south"],
                   quantity=Decimal("1.5")),
        ])
        db.session.commit()
    return shop


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message; refuses recipients at `nobody@`."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        wire = envelope.content.replace(b"\r\n", b"\n")  # SMTP's line ends, as Python's
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "message": message_from_bytes(wire, policy=policy.default)})
        return "250 Message accepted"


@pytest.fixture
def smtp(app, monkeypatch):
    """A local SMTP server, and the app's SMTP_* settings pointing at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
                        "SMTP_FROM": "stock@example.com", "SMTP_TIMEOUT": "10"}.items():
        monkeypatch.setitem(app.config, name, value)
    yield inbox
    controller.stop()


def business_today(app):
    with app.app_context():
        return today().isoformat()


def report(runner, *args):
    return runner.invoke(args=["low-stock-report", *args])


def test_prints_the_low_stock_rows_of_the_api_as_a_table(runner, client, auth, low):
    result = report(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLE
    api = client.get("/api/v1/alerts/low-stock", headers=auth("admin"))
    assert [(row["sku"], row["store_id"]) for row in api.json] == [
        ("W-1", low["north"]), ("G-1", low["south"])]


def test_one_store_only(runner, low):
    result = report(runner, "--store-id", str(low["south"]))
    assert result.exit_code == 0, result.output
    heading, rule, _north, south = TABLE.splitlines(keepends=True)
    assert result.stdout == heading + rule + south


def test_an_unknown_store_is_an_error(runner, low):
    result = report(runner, "--store-id", "987654321")
    assert result.exit_code == 1
    assert "store 987654321 not found" in result.stderr


def test_nothing_short_says_so(runner, shop):
    result = report(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout == "No product is at or under its minimum.\n"


def test_emails_the_table_to_every_recipient_once(app, runner, low, smtp):
    result = report(runner, "--email", "buyer@example.com, boss@example.com",
                    "--email", "buyer@example.com")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("Sent the low-stock report (2 row(s)) to buyer@example.com, "
                             "boss@example.com.\n")
    [sent] = smtp.messages
    assert sent["from"] == "stock@example.com"
    assert sent["to"] == ["buyer@example.com", "boss@example.com"]
    message = sent["message"]
    assert message["Subject"] == (f"Low stock: 2 products at or under their minimum "
                                  f"({business_today(app)})")
    assert message["To"] == "buyer@example.com, boss@example.com"
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == TABLE


def test_emails_the_all_clear_too(app, runner, shop, smtp):
    result = report(runner, "--email", "buyer@example.com")
    assert result.exit_code == 0, result.output
    [sent] = smtp.messages
    assert sent["message"]["Subject"] == (
        f"Low stock: 0 products at or under their minimum ({business_today(app)})")
    assert sent["message"].get_content() == "No product is at or under its minimum.\n"


def test_without_smtp_host_nothing_is_sent(runner, low, smtp, monkeypatch, app):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    result = report(runner, "--email", "buyer@example.com")
    assert result.exit_code == 1
    assert "SMTP_HOST is not set" in result.stderr
    assert smtp.messages == []


def test_a_refused_recipient_fails_the_command(runner, low, smtp):
    every = report(runner, "--email", "nobody@example.com")
    assert every.exit_code == 1
    assert "refused every recipient: nobody@example.com (550 5.1.1 No such mailbox)" in (
        every.stderr)
    assert smtp.messages == []

    some = report(runner, "--email", "buyer@example.com,nobody@example.com")
    assert some.exit_code == 1
    assert "refused nobody@example.com (550" in some.stderr
    assert "the other recipients were sent the message" in some.stderr
    assert [sent["to"] for sent in smtp.messages] == [["buyer@example.com"]]


def test_an_unreachable_server_fails_the_command(runner, low, app, monkeypatch):
    port = free_port()  # nothing listens there
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
                        "SMTP_FROM": "stock@example.com", "SMTP_TIMEOUT": "5"}.items():
        monkeypatch.setitem(app.config, name, value)
    result = report(runner, "--email", "buyer@example.com")
    assert result.exit_code == 1
    assert f"cannot reach the SMTP server 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("SMTP_FROM", None, "SMTP_FROM must be set"),
    ("SMTP_PORT", "smtp", "SMTP_PORT must be a number from 1 to 65535, not 'smtp'"),
    ("SMTP_TIMEOUT", "0", "SMTP_TIMEOUT must be a number"),
    ("SMTP_USERNAME", "stock", "refusing to send the password unencrypted"),
    ("SMTP_SSL", True, "set SMTP_SSL or SMTP_STARTTLS, not both"),
])
def test_settings_that_cannot_work_are_named(runner, low, smtp, app, monkeypatch,
                                             setting, value, message):
    monkeypatch.setitem(app.config, setting, value)
    if setting == "SMTP_SSL":
        monkeypatch.setitem(app.config, "SMTP_STARTTLS", True)
    result = report(runner, "--email", "buyer@example.com")
    assert result.exit_code == 1
    assert message in result.stderr
    assert smtp.messages == []


@pytest.mark.parametrize("value", ["not-an-address", "a b@example.com", "@example.com", ","])
def test_bad_addresses_are_refused_before_sending(runner, low, smtp, value):
    result = report(runner, "--email", value)
    assert result.exit_code == 1
    assert ("is not an e-mail address" in result.stderr
            or "no e-mail address given" in result.stderr)
    assert smtp.messages == []


def test_subject_counts_rows_and_names_the_day():
    assert subject([{}], date(2026, 12, 2)) == (
        "Low stock: 1 product at or under its minimum (2026-12-02)")
    assert subject([{}, {}, {}], date(2026, 12, 2)) == (
        "Low stock: 3 products at or under their minimum (2026-12-02)")
