"""Browser tests of the web panel: a real gunicorn on a SQLite file, Debian's Chromium.

The panel is one more client of the API, which the rest of the suite tests
on all three databases, so these run only when the suite's database is
SQLite (TEST_DATABASE_URL unset or sqlite) and /usr/bin/chromium exists.

One server per session: a SQLite file in a temporary folder, migrated,
with an admin, the small demo data set and one user per role made through
the API. Every page a test opens fails the test when a request leaves the
app's origin, the console logs an error (CSP violations included) or the
page throws.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
AXE = HERE / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "panel-tests-password"
ROLES = ("admin", "manager", "employee", "customer")
SERVER_START_SECONDS = 30
WIDTHS = {"phone": 375, "desktop": 1280}


def _why_skip():
    if not (os.environ.get("TEST_DATABASE_URL") or "sqlite").startswith("sqlite"):
        return "browser tests run with the SQLite suite only (the API is tested on every database)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_skip()
    if not reason:
        return
    for item in items:
        if HERE in Path(item.fspath).parents and "panel_server" in item.fixturenames:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env, *args):
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)


def api(base, method, path, body=None, token=None):
    """Call the API of the test server: (status, parsed JSON body or None)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def count(base, path, token):
    """How many records the list at `path` holds (its X-Pagination total)."""
    req = urllib.request.Request(f"{base}/api/v1{path}?page_size=1",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.headers["X-Pagination"])["total"]


def _wait_until_up(base, process):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {SERVER_START_SECONDS} s")


def _make_users(base):
    """One user per role (the admin exists); returns {role: {email, password, id}}."""
    status, body = api(base, "POST", "/auth/login",
                       {"email": "admin@panel.test", "password": PASSWORD})
    assert status == 200, body
    token = body["access_token"]
    users = {"admin": {"email": "admin@panel.test", "password": PASSWORD, "id": body["user"]["id"]}}
    for role in ("manager", "employee"):
        email = f"{role}@panel.test"
        status, made = api(base, "POST", "/users", {"email": email, "password": PASSWORD,
                                                    "name": f"Panel {role.title()}", "role": role},
                           token)
        assert status == 201, made
        users[role] = {"email": email, "password": PASSWORD, "id": made["id"]}
    status, made = api(base, "POST", "/auth/register", {
        "email": "customer@panel.test", "password": PASSWORD, "name": "Panel Customer"})
    assert status == 201, made
    users["customer"] = {"email": "customer@panel.test", "password": PASSWORD, "id": made["id"]}
    users["admin_token"] = token
    return users


@pytest.fixture(scope="session")
def panel_server(tmp_path_factory):
    """A running gunicorn on a fresh SQLite file: {"base": url, "users": {...}, "token": admin's}."""
    folder = tmp_path_factory.mktemp("panel-server")
    port = _free_port()
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{folder}/panel.db",
           "RATELIMIT_STORAGE_URI": f"sqlitefile://{folder}/ratelimit.sqlite",
           "BCRYPT_ROUNDS": "4", "LOG_LEVEL": "WARNING", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": "2", "PYTHONWARNINGS": "ignore"}
    env.pop("TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "create-admin", "--email", "admin@panel.test", "--password", PASSWORD)
    _flask(env, "seed-demo", "--size", "small")
    log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115  (closed at teardown)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        users = _make_users(base)
        yield {"base": base, "users": users, "token": users.pop("admin_token")}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots():
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or HERE / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Panel:
    """One browser page on the panel, with the checks every test wants."""

    def __init__(self, page, server, width, screenshots):
        self.page = page
        self.server = server
        self.base = server["base"]
        self.width = width
        self.screenshots = screenshots
        self.problems = []
        self.expected_statuses = set()
        page.on("request", self._check_request)
        page.on("console", self._check_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _check_request(self, request):
        url = request.url
        if not (url.startswith(self.base + "/") or url.startswith(("data:", "blob:"))):
            self.problems.append(f"request left the origin: {url}")

    def _check_console(self, message):
        """Console errors are problems, except Chromium's note of an HTTP error status the
        test provokes on purpose (`expect_status`): the panel shows those itself."""
        if message.type != "error":
            return
        status = re.search(r"responded with a status of (\d+)", message.text)
        if status and int(status.group(1)) in self.expected_statuses:
            return
        self.problems.append(f"console error: {message.text}")

    def expect_status(self, *statuses):
        """Statuses this test provokes (a wrong password's 401): not console errors then."""
        self.expected_statuses.update(statuses)

    def open(self, route=""):
        self.page.goto(f"{self.base}/app/#/{route}")

    def sign_in(self, role):
        user = self.server["users"][role]
        self.open()
        self.page.get_by_label("Email").fill(user["email"])
        self.page.get_by_label("Password").fill(user["password"])
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("navigation", name="Main").wait_for()

    def nav_links(self):
        """The texts of the main navigation's links (open the menu on a phone first)."""
        menu = self.page.get_by_role("button", name="Menu")
        if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
            menu.click()
        nav = self.page.get_by_role("navigation", name="Main")
        return [text.strip() for text in nav.locator("a").all_text_contents()]

    def nav_menus(self):
        """The names of the main navigation's menus (Sell, Stock, Buy for staff)."""
        self.nav_links()
        nav = self.page.get_by_role("navigation", name="Main")
        return [text.strip() for text in nav.locator("summary").all_text_contents()]

    def go(self, title):
        """Follow the main navigation's link `title`: through the menu button on a
        phone, and through the menu (Sell, Stock, Buy) that holds it."""
        self.nav_links()
        nav = self.page.get_by_role("navigation", name="Main")
        link = nav.get_by_role("link", name=title, exact=True)
        if not link.is_visible():
            menu = nav.locator("details").filter(
                has=self.page.get_by_role("link", name=title, exact=True, include_hidden=True))
            menu.locator("summary").click()
        link.click()
        self.page.get_by_role("heading", level=1).wait_for()

    def axe(self):
        """axe-core's serious and critical violations on the page as it is now."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text())
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [f"{v['id']} ({v['impact']}): {v['help']} — "
                + "; ".join(node["target"][0] for node in v["nodes"][:3])
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    def assert_accessible(self):
        assert self.axe() == []

    def shot(self, name):
        """Save a full-page screenshot; the page must fit its width (no sideways scrolling)."""
        assert self.page.evaluate("document.documentElement.scrollWidth") <= self.width, name
        self.page.screenshot(path=str(self.screenshots / f"{name}-{self.width}.png"), full_page=True)


def _panel(browser, server, screenshots, width):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  service_workers="allow")
    page = context.new_page()
    page.set_default_timeout(10_000)
    panel = Panel(page, server, width, screenshots)
    return context, panel


@pytest.fixture
def panel(browser, panel_server, screenshots):
    """A fresh browser context (no storage, no service worker) at desktop width."""
    context, panel = _panel(browser, panel_server, screenshots, WIDTHS["desktop"])
    yield panel
    context.close()
    assert panel.problems == []


@pytest.fixture(params=sorted(WIDTHS.values()), ids=lambda width: f"{width}px")
def sized_panel(request, browser, panel_server, screenshots):
    """The same as `panel`, once at 375 px (phone) and once at 1280 px (desktop)."""
    context, panel = _panel(browser, panel_server, screenshots, request.param)
    yield panel
    context.close()
    assert panel.problems == []
