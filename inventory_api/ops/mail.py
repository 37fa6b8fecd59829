"""Plain-text e-mail through the SMTP server the `SMTP_*` settings name.

Only the CLI sends mail (`flask low-stock-report --email`), so the settings
are checked when a message is sent, not at start-up: a typo in SMTP_PORT
fails that command with a message instead of stopping the API.
"""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "plain": 25}


class MailError(Exception):
    """Mail that cannot be sent; the message says why."""


def parse_recipients(values):
    """Addresses from repeated and/or comma-separated values, in order, each once.

    MailError for one that is not `local@domain` (nothing is sent then).
    """
    addresses = []
    for value in values:
        for address in (part.strip() for part in value.split(",")):
            if not address:
                continue
            local, at, domain = address.rpartition("@")
            if not (local and at and domain) or any(c.isspace() or c in "<>" for c in address):
                raise MailError(f"{address!r} is not an e-mail address.")
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise MailError("no e-mail address given.")
    return addresses


def send_mail(config, recipients, subject, body):
    """Send `body` as a plain-text message to every address in `recipients`.

    MailError when the settings are incomplete, the server cannot be reached,
    or it refuses the sender, the login or any recipient (the message then
    says which; the others may have received it).
    """
    settings = _settings(config)
    message = EmailMessage()
    message["From"] = settings["sender"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=settings["sender"].rpartition("@")[2] or None)
    message.set_content(body)
    server = f"{settings['host']}:{settings['port']}"
    try:
        refused = _deliver(settings, message)
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(f"the SMTP server {server} refused every recipient: "
                        f"{_refusals(error.recipients)}.") from None
    except smtplib.SMTPResponseException as error:
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        raise MailError(f"the SMTP server {server} refused: {error.smtp_code} {reply}") from None
    except smtplib.SMTPException as error:
        raise MailError(f"the SMTP server {server} failed: {error}") from None
    except OSError as error:  # refused connection, timeout, TLS failure
        raise MailError(f"cannot reach the SMTP server {server}: {error}") from None
    if refused:
        raise MailError(f"the SMTP server {server} refused {_refusals(refused)}; "
                        "the other recipients were sent the message.")


def _deliver(settings, message):
    """Connect, secure, log in and send; return the recipients refused (address → reply)."""
    context = ssl.create_default_context()
    if settings["security"] == "ssl":
        connection = smtplib.SMTP_SSL(settings["host"], settings["port"],
                                      timeout=settings["timeout"], context=context)
    else:
        connection = smtplib.SMTP(settings["host"], settings["port"],
                                  timeout=settings["timeout"])
    with connection:
        if settings["security"] == "starttls":
            connection.starttls(context=context)
        if settings["username"]:
            connection.login(settings["username"], settings["password"] or "")
        return connection.send_message(message)


def _settings(config):
    """The SMTP_* settings checked and typed; MailError naming the one that is wrong."""
    host = config.get("SMTP_HOST")
    if not host:
        raise MailError("SMTP_HOST is not set; configure the SMTP_* settings to send e-mail.")
    sender = config.get("SMTP_FROM")
    if not sender or "@" not in sender:
        raise MailError("SMTP_FROM must be set to the sender's e-mail address.")
    if config.get("SMTP_SSL") and config.get("SMTP_STARTTLS"):
        raise MailError("set SMTP_SSL or SMTP_STARTTLS, not both.")
    security = ("ssl" if config.get("SMTP_SSL")
                else "starttls" if config.get("SMTP_STARTTLS") else "plain")
    username = config.get("SMTP_USERNAME")
    if username and security == "plain":
        raise MailError("SMTP_USERNAME is set but neither SMTP_STARTTLS nor SMTP_SSL: "
                        "refusing to send the password unencrypted.")
    return {
        "host": host, "sender": sender, "security": security, "username": username,
        "password": config.get("SMTP_PASSWORD"),
        "port": _number(config, "SMTP_PORT", int, DEFAULT_PORTS[security], 1, 65535),
        "timeout": _number(config, "SMTP_TIMEOUT", float, 30, 0.1, 3600),
    }


def _number(config, name, kind, default, low, high):
    value = config.get(name)
    if value in (None, ""):
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise MailError(f"{name} must be a number from {low} to {high}, not {value!r}.")
    return number


def _refusals(recipients):
    return ", ".join(f"{address} ({code} {reply.decode('utf-8', 'replace')})"
                     for address, (code, reply) in recipients.items())
