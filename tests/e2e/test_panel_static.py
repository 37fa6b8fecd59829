"""The panel's files as the server sends them: paths, types, headers, offline list.

These use the suite's Flask test client (no browser), so they run on every database.
"""

import json
import re
import struct
from pathlib import Path

import pytest

from inventory_api.panel import CSP, STATIC


def fetch(client, path, method="GET"):
    """The response, read and closed (file responses hold their file open until closed)."""
    response = client.open(path, method=method)
    response.get_data()
    response.close()
    return response


OWN_FILES = [path for path in STATIC.rglob("*") if path.is_file() and "vendor" not in path.parts]


def test_app_without_slash_redirects_to_the_panel(client):
    response = fetch(client, "/app")
    assert response.status_code == 308
    assert response.headers["Location"] == "/app/"


def test_index_is_html_with_the_security_headers(client):
    response = fetch(client, "/app/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-cache"
    assert b'<div id="root">' in response.data


def test_the_policy_is_the_strict_one():
    assert CSP == ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                   "connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
                   "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                   "form-action 'self'")


@pytest.mark.parametrize(("path", "content_type", "cache"), [
    ("/app/js/app.js", "text/javascript; charset=utf-8", "no-cache"),
    ("/app/sw.js", "text/javascript; charset=utf-8", "no-cache"),
    ("/app/css/app.css", "text/css; charset=utf-8", "no-cache"),
    ("/app/manifest.webmanifest", "application/manifest+json", "no-cache"),
    ("/app/vendor/preact/preact.mjs", "text/javascript; charset=utf-8", "max-age=86400"),
    ("/app/vendor/chart.js/chart.umd.min.js", "text/javascript; charset=utf-8", "max-age=86400"),
    ("/app/vendor/pico/pico.min.css", "text/css; charset=utf-8", "max-age=86400"),
    ("/app/icons/favicon-32.png", "image/png", "max-age=86400"),
])
def test_files_have_their_type_and_cache_rule(client, path, content_type, cache):
    response = fetch(client, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert cache in response.headers["Cache-Control"]
    assert response.headers["Content-Security-Policy"] == CSP


def test_a_path_without_extension_gets_the_shell(client):
    response = fetch(client, "/app/products/12")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<div id="root">' in response.data


@pytest.mark.parametrize("path", ["/app/nothing.js", "/app/js/nothing.mjs",
                                  "/app/../config.py", "/app/%2e%2e/config.py",
                                  "/app/vendor/../../__init__.py"])
def test_unknown_or_escaping_files_are_404_in_the_error_shape(client, path):
    response = fetch(client, path)
    assert response.status_code == 404
    assert response.json["code"] == 404
    assert response.headers["Content-Security-Policy"] == CSP


def test_head_answers_like_get_without_a_body(client):
    response = fetch(client, "/app/js/api.js", "HEAD")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.data == b""


def test_manifest_names_icons_that_exist_at_their_sizes(client):
    manifest = json.loads(fetch(client, "/app/manifest.webmanifest").data)
    assert manifest["start_url"] == "/app/" and manifest["scope"] == "/app/"
    sizes = {}
    for icon in manifest["icons"]:
        response = fetch(client, icon["src"])
        assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", response.data[16:24])
        sizes[icon["sizes"]] = f"{width}x{height}"
    assert sizes == {"192x192": "192x192", "512x512": "512x512"}


def test_every_file_the_service_worker_precaches_is_served(client):
    source = (STATIC / "sw.js").read_text()
    shell = re.findall(r'^\s+"(/app/[^"]*)",$', source, re.MULTILINE)
    assert "/app/" in shell and "/app/js/app.js" in shell
    for path in shell:
        assert fetch(client, path).status_code == 200, path


def test_the_index_loads_only_files_of_the_panel_and_nothing_inline():
    index = (STATIC / "index.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>", index)
    assert scripts and all('src="/app/' in tag for tag in scripts)
    assert "style=" not in index and "<style" not in index
    for ref in re.findall(r'(?:src|href)="([^"]+)"', index):
        assert (STATIC / ref.removeprefix("/app/")).is_file(), ref


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda path: str(path.relative_to(STATIC)))
def test_our_files_fetch_nothing_from_another_origin(path):
    if path.suffix not in (".js", ".html", ".css", ".webmanifest"):
        return
    assert not re.search(r"https?://", path.read_text()), path


def test_vendored_modules_have_no_bare_imports():
    for path in (STATIC / "vendor").rglob("*.mjs"):
        imports = re.findall(r'from\s*"([^"]+)"', path.read_text())
        assert imports == [] or all(name.startswith(".") for name in imports), path


def test_every_vendored_package_ships_its_licence():
    for folder in (STATIC / "vendor").iterdir():
        if folder.is_dir():
            assert any(Path(folder, name).is_file() for name in ("LICENSE", "LICENSE.md")), folder
