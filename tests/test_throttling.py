"""Throttling of failed logins, wrong current passwords and registrations (429 + Retry-After),
and the default rate-limit storage that all worker processes of a machine share.
"""

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, assert_error

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


def from_ip(ip):
    return {"environ_base": {"REMOTE_ADDR": ip}}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_throttled(response):
    body = assert_error(response, 429)
    assert body["status"] == "Too Many Requests"
    assert "Retry-After" in body["message"]
    assert 0 < int(response.headers["Retry-After"]) <= 60
    return body


def fail_logins(client, email, times, ip="127.0.0.1"):
    for _ in range(times):
        response = client.post(LOGIN, json={"email": email, "password": "bad-bad-bad"}, **from_ip(ip))
        assert_error(response, 401)


# --- login ---------------------------------------------------------------


def test_ten_failures_for_an_email_from_one_ip_then_429_even_for_the_right_password(client, make_user):
    user = make_user("employee")
    fail_logins(client, user["email"], 10, ip="10.0.0.1")
    response = client.post(LOGIN, json={"email": user["email"], "password": PASSWORD}, **from_ip("10.0.0.1"))
    assert_throttled(response)


def test_a_stranger_cannot_lock_the_owner_out(client, make_user):
    user = make_user("employee")
    fail_logins(client, user["email"], 10, ip="10.0.0.66")
    assert_throttled(client.post(LOGIN, json={"email": user["email"], "password": "x-x-x-x-x"},
                                 **from_ip("10.0.0.66")))
    owner = client.post(LOGIN, json={"email": user["email"], "password": PASSWORD}, **from_ip("10.0.0.7"))
    assert owner.status_code == 200 and owner.json["user"]["id"] == user["id"]


def test_one_ip_cannot_try_many_emails(client):
    for i in range(10):
        fail_logins(client, f"u{i}@example.com", 1, ip="10.0.0.9")
    assert_throttled(client.post(LOGIN, json={"email": "other@example.com", "password": "x-x-x-x"},
                                 **from_ip("10.0.0.9")))
    elsewhere = client.post(LOGIN, json={"email": "other@example.com", "password": "x-x-x-x"},
                            **from_ip("10.0.0.10"))
    assert_error(elsewhere, 401)


def test_successful_logins_and_invalid_bodies_are_not_counted(client, make_user):
    user = make_user("employee")
    for _ in range(12):
        assert client.post(LOGIN, json={"email": user["email"], "password": PASSWORD}).status_code == 200
    for _ in range(12):
        assert_error(client.post(LOGIN, json={"email": user["email"]}), 422)
    fail_logins(client, user["email"], 10)


# --- password change -----------------------------------------------------


def _change(client, token, current, ip="127.0.0.1"):
    return client.post("/api/v1/auth/password", headers=bearer(token), **from_ip(ip),
                       json={"current_password": current, "new_password": "brand-new-pass-1"})


def test_wrong_current_passwords_are_throttled_per_user(client, make_user, login):
    user = make_user("employee")
    token = login(user["email"])["access_token"]
    for i in range(10):
        assert_error(_change(client, token, "wrong-password", ip=f"10.1.0.{i}"), 422)
    assert_throttled(_change(client, token, PASSWORD, ip="10.1.0.99"))
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200  # not changed


def test_wrong_current_passwords_are_throttled_per_ip(client, make_user, login):
    first, second = make_user("employee"), make_user("employee")
    first_token, second_token = login(first["email"])["access_token"], login(second["email"])["access_token"]
    for _ in range(5):
        assert_error(_change(client, first_token, "wrong-password", ip="10.2.0.1"), 422)
        assert_error(_change(client, second_token, "wrong-password", ip="10.2.0.1"), 422)
    assert_throttled(_change(client, second_token, PASSWORD, ip="10.2.0.1"))
    assert _change(client, second_token, PASSWORD, ip="10.2.0.2").status_code == 204


def test_a_short_new_password_is_not_a_failed_attempt(client, make_user, login):
    user = make_user("employee")
    token = login(user["email"])["access_token"]
    for _ in range(12):
        response = client.post("/api/v1/auth/password", headers=bearer(token),
                               json={"current_password": PASSWORD, "new_password": "short"})
        assert "new_password" in assert_error(response, 422)["errors"]["json"]
    assert _change(client, token, PASSWORD).status_code == 204


# --- registration --------------------------------------------------------


def _customer(n):
    return {"email": f"buyer{n}@example.com", "password": "buyer-pass-1", "name": f"Buyer {n}"}


def test_failed_registrations_are_throttled_per_ip(client):
    assert client.post(REGISTER, json=_customer(0), **from_ip("10.3.0.1")).status_code == 201
    for i in range(10):
        duplicate = i % 2 == 0
        body = _customer(0) if duplicate else dict(_customer(i), name="")
        assert_error(client.post(REGISTER, json=body, **from_ip("10.3.0.1")), 409 if duplicate else 422)
    assert_throttled(client.post(REGISTER, json=_customer(50), **from_ip("10.3.0.1")))
    assert client.post(REGISTER, json=_customer(51), **from_ip("10.3.0.2")).status_code == 201


def test_all_registrations_per_ip_have_their_own_generous_limit(app, client, monkeypatch):
    assert app.config["REGISTER_RATE_LIMIT"] == "60 per minute"
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "3 per minute")
    for i in range(3):
        assert client.post(REGISTER, json=_customer(i), **from_ip("10.4.0.1")).status_code == 201
    body = assert_error(client.post(REGISTER, json=_customer(9), **from_ip("10.4.0.1")), 429)
    assert "registrations" in body["message"]
    assert int(client.post(REGISTER, json=_customer(9), **from_ip("10.4.0.1")).headers["Retry-After"]) > 0
    assert client.post(REGISTER, json=_customer(10), **from_ip("10.4.0.2")).status_code == 201


def test_many_customers_may_register_from_one_address(client):
    """Acceptance tests register many customers from 127.0.0.1: 30 in a row pass."""
    for i in range(30):
        assert client.post(REGISTER, json=_customer(i)).status_code == 201


# --- the shared storage --------------------------------------------------


def test_the_default_storage_is_a_file_shared_by_the_workers():
    import config

    if os.environ.get("RATELIMIT_STORAGE_URI"):
        pytest.skip("RATELIMIT_STORAGE_URI is set in this environment")
    for name in ("development", "production"):
        uri = config.CONFIGS[name].RATELIMIT_STORAGE_URI
        assert uri == f"sqlitefile://{config.BASE_DIR / 'instance' / 'ratelimit.sqlite'}"
    assert config.CONFIGS["testing"].RATELIMIT_STORAGE_URI == "memory://"


def test_storage_counts_expires_and_clears(tmp_path, monkeypatch):
    import time

    from limits.storage import storage_from_string

    from inventory_api.common.ratelimit import SQLiteFileStorage, storage_uri

    storage = storage_from_string(storage_uri(tmp_path / "nested" / "rl.sqlite"))
    assert isinstance(storage, SQLiteFileStorage) and storage.check()
    assert storage.get("k") == 0
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5
    assert time.time() < storage.get_expiry("k") <= time.time() + 60
    storage.incr("other", 60)
    storage.clear("k")
    assert storage.get("k") == 0 and storage.get("other") == 1
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)  # the window has passed
    assert storage.get("other") == 0
    assert storage.incr("other", 60) == 1  # a new window
    assert storage.reset() == 1


# loads only the storage module (not the whole app) and counts in a loop
_COUNT_IN_A_PROCESS = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("ratelimit", "inventory_api/common/ratelimit.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
storage = module.SQLiteFileStorage(sys.argv[1])
for _ in range(int(sys.argv[2])):
    storage.incr("shared", 60)
"""


def test_concurrent_processes_never_lose_a_count(tmp_path):
    from inventory_api.common.ratelimit import SQLiteFileStorage, storage_uri

    uri = storage_uri(tmp_path / "rl.sqlite")
    processes = [subprocess.Popen([sys.executable, "-c", _COUNT_IN_A_PROCESS, uri, "100"], cwd=ROOT)
                 for _ in range(4)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0, 0]
    assert SQLiteFileStorage(uri).get("shared") == 400


_LOGINS_IN_A_PROCESS = textwrap.dedent("""
    import json, sys
    from inventory_api import create_app
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                      "RATELIMIT_STORAGE_URI": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3]})
    client = app.test_client()
    codes = [client.post("/api/v1/auth/login", json={"email": "ghost@example.com",
                                                     "password": "wrong-wrong"}).status_code
             for _ in range(6)]
    print(json.dumps(codes))
""")


def _redis_available():
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("storage", ["sqlitefile", "redis"])
def test_two_app_processes_share_one_login_counter(app, tmp_path, storage):
    """Like two gunicorn workers: 6 failures in one and 6 in the other make 10, then 429."""
    from inventory_api.common.ratelimit import storage_uri

    if storage == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        uri = "redis://127.0.0.1:6379/0"
    else:
        uri = storage_uri(tmp_path / "rl.sqlite")
    prefix = f"test-{uuid.uuid4().hex}"  # a fresh set of counters
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    results = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", _LOGINS_IN_A_PROCESS, database, uri, prefix],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert results == [[401] * 6, [401] * 4 + [429] * 2]
