"""Bounded requests through gunicorn with gunicorn.conf.py: every refusal is JSON.

Starts gunicorn (one worker, sync and gthread) on a free 127.0.0.1 port over
an empty SQLite database and talks to it over raw sockets: a request line,
headers or a body over the limits get 414 / 431 / 413 in the API's error
shape, never gunicorn's HTML page.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIB = 1024 * 1024


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(port, proc, log_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited: " + log_path.read_text(errors="replace"))
        try:
            status, _, _ = _exchange(port, b"GET /health HTTP/1.1\r\nHost: t\r\n"
                                           b"Connection: close\r\n\r\n", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready: " + log_path.read_text(errors="replace"))


@pytest.fixture(scope="module", params=["sync", "gthread"])
def server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"gunicorn-{request.param}")
    port = _free_port()
    env = dict(os.environ, APP_ENV="development", LOG_LEVEL="WARNING",
               DATABASE_URL=f"sqlite:///{folder / 'app.db'}", GUNICORN_WORKERS="1",
               GUNICORN_WORKER_CLASS=request.param,
               GUNICORN_THREADS="2" if request.param == "gthread" else "1",
               RATELIMIT_STORAGE_URI=f"sqlitefile://{folder / 'ratelimit.sqlite'}")
    env.pop("MAX_CONTENT_LENGTH", None)
    log_path = folder / "gunicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
             "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, proc, log_path)
        yield {"port": port, "log": log_path, "worker": request.param}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _send_all(sock, parts):
    try:
        for part in parts:
            sock.sendall(part)
    except OSError:  # the server may answer and close before reading everything
        pass


def _read_response(sock):
    """(status, headers with lower-case names, body) of one HTTP/1.1 response."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError(f"connection closed before a full response head: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "-1"))
    while length < 0 or len(body) < length:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length] if length >= 0 else body


def _exchange(port, *parts, timeout=10):
    """Send `parts` (from a thread, so a server that answers early is fine); read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sender = threading.Thread(target=_send_all, args=(sock, parts), daemon=True)
        sender.start()
        try:
            return _read_response(sock)
        finally:
            sender.join(timeout)


def _assert_json_error(answer, code):
    status, headers, body = answer
    assert status == code, (status, headers, body[:300])
    assert headers["content-type"].startswith("application/json"), headers
    payload = json.loads(body)
    assert payload["code"] == code
    assert isinstance(payload["status"], str) and payload["status"]
    assert isinstance(payload["message"], str) and payload["message"]
    assert b"<html" not in body.lower()
    return payload


def test_our_worker_class_is_used(server):
    expected = {"sync": "SyncWorker", "gthread": "ThreadWorker"}[server["worker"]]
    log = server["log"].read_text(errors="replace")
    assert f"Using worker: inventory_api.gunicorn_worker.{expected}" in log, log


def test_request_line_of_100_kb_is_414_json_and_quick(server):
    started = time.monotonic()
    answer = _exchange(server["port"], b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    assert time.monotonic() - started < 2
    _assert_json_error(answer, 414)


def test_request_line_within_the_limit_reaches_the_app(server):
    answer = _exchange(server["port"], b"GET /api/v1/" + b"a" * 8000 + b" HTTP/1.1\r\n"
                                       b"Host: t\r\nConnection: close\r\n\r\n")
    _assert_json_error(answer, 404)


def test_200_header_fields_are_431_json(server):
    fields = b"".join(b"X-Field-%d: v\r\n" % i for i in range(200))
    answer = _exchange(server["port"], b"GET /health HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n")
    _assert_json_error(answer, 431)


def test_64_kb_header_field_is_431_json(server):
    answer = _exchange(server["port"], b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: "
                       + b"a" * 65536 + b"\r\n\r\n")
    _assert_json_error(answer, 431)


def test_malformed_request_is_400_json(server):
    _assert_json_error(_exchange(server["port"], b"NOT HTTP AT ALL\r\n\r\n"), 400)


def _json_body(size):
    return b'{"email": "' + b"a" * size + b'", "password": "x"}'


def test_body_of_2_mib_is_413_json(server):
    body = _json_body(2 * MIB)
    head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    payload = _assert_json_error(_exchange(server["port"], head, body), 413)
    assert str(MIB) in payload["message"]


def test_chunked_body_of_2_mib_is_413_json(server):
    body = _json_body(2 * MIB)
    chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)]
    encoded = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks] + [b"0\r\n\r\n"]
    head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    _assert_json_error(_exchange(server["port"], head, *encoded), 413)


def test_small_chunked_body_is_read(server):
    body = b'[1, 2]'
    head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    answer = _exchange(server["port"], head, b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    # read, parsed and validated by the app (a list is not a login): 422, not a body error
    payload = _assert_json_error(answer, 422)
    assert "json" in payload["errors"]
