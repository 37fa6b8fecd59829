"""gunicorn workers whose own refusals are JSON in our error shape, never HTML.

gunicorn answers requests it cannot parse (request line or headers too
large, malformed HTTP) before the app sees them, with an HTML page. These
workers write `{"code", "status", "message"}` instead: 414 for a request line
over `limit_request_line`, 431 for too many or too large header fields, 400
for other malformed requests, 500 when the failure is ours. Selected in
gunicorn.conf.py (`SyncWorker`, or `ThreadWorker` for gthread).
"""

import json
import ssl

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker as _ThreadWorker
from gunicorn.workers.sync import SyncWorker as _SyncWorker

from .errors import error_body

# (exception class, status, message) in the order they are tested
_REFUSALS = (
    ((errors.InvalidResponseHeader, errors.InvalidResponseHeaderName), 500,
     "Internal server error."),
    (errors.ConfigurationProblem, 500, "Internal server error."),
    (errors.LimitRequestLine, 414, "The request line (method, path and query) is too long."),
    (errors.LimitRequestHeaders, 431, "Too many header fields, or a header field is too large."),
    (errors.ExpectationFailed, 417, "Only 'Expect: 100-continue' is supported."),
    (errors.UnsupportedTransferCoding, 501, "Unsupported Transfer-Encoding."),
    (errors.ForbiddenProxyRequest, 403, "Request forbidden."),
    ((errors.ParseException, ssl.SSLError), 400, "The request is not valid HTTP."),
)


def refusal(exc):
    """The (status, message) to answer for an exception raised while handling a request."""
    for kinds, status, message in _REFUSALS:
        if isinstance(exc, kinds):
            return status, message
    return 500, "Internal server error."


def json_error_bytes(status, message):
    """A complete HTTP/1.1 response (closing the connection) with our JSON error body."""
    body = json.dumps(error_body(status, message)).encode("utf-8")
    reason = error_body(status)["status"]
    head = (f"HTTP/1.1 {status} {reason}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class JsonErrorsMixin:
    """Replaces `Worker.handle_error`: logs like gunicorn, answers in JSON."""

    def handle_error(self, req, client, addr, exc):
        status, message = refusal(exc)
        ip = (addr or ("",))[0]
        if status < 500:
            self.log.warning("Invalid request from ip=%s: %s", ip, exc)
        elif getattr(req, "uri", None):
            self.log.exception("Error handling request %s %s", getattr(req, "method", ""), req.uri)
        else:
            self.log.exception("Error handling request (no URI read)")
        try:
            util.write_nonblock(client, json_error_bytes(status, message))
        except Exception:  # the client may be gone already
            self.log.debug("Failed to send error message.")


class SyncWorker(JsonErrorsMixin, _SyncWorker):
    pass


class ThreadWorker(JsonErrorsMixin, _ThreadWorker):
    pass
