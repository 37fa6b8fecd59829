"""The web panel at /app/ (static files; one more client of /api/v1).

The panel is a folder of static files (`static/`): ES modules, CSS, icons,
a web manifest and a service worker, with its libraries vendored
(`static/vendor/README.md`). It routes on the URL's hash (`/app/#/products`),
so the server only ever serves files; a path under /app/ with no file
extension that names no file still answers the shell, so a mistyped or old
link opens the panel rather than an error.

Every /app/ response carries a strict Content-Security-Policy (no inline
script or style, no eval, nothing from another origin) and the usual
hardening headers. The shell's own files are revalidated on every load
(`no-cache`: the service worker keeps the offline copy); the vendored
libraries, which change only with a release, may be cached for a day.
"""

from pathlib import Path

from flask import Blueprint, redirect, request, send_from_directory

from ..errors import error_response

STATIC = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Python's mimetypes table varies by platform (application/javascript, no
# .webmanifest or .mjs at all): the types the browser checks are fixed here.
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".md": "text/plain; charset=utf-8",
}
VENDOR_MAX_AGE = 86400  # seconds

bp = Blueprint("panel", __name__)


def register(app):
    """Serve the panel at /app/ and put its security headers on every /app/ response."""
    app.register_blueprint(bp)


@bp.route("/app")
def panel_without_slash():
    """`/app` → `/app/`, so the shell's relative scope (service worker, manifest) is right."""
    return redirect("/app/", code=308)


@bp.route("/app/")
def panel_index():
    return _send("index.html")


@bp.route("/app/<path:filename>")
def panel_file(filename):
    """A file of the panel; an extension-less path that names no file gets the shell."""
    target = STATIC / filename
    if target.is_file() and _inside_static(target):
        return _send(filename)
    if "." not in Path(filename).name:
        return _send("index.html")
    return error_response(404, "The panel has no such file.")


@bp.after_app_request
def _panel_headers(response):
    if request.path == "/app" or request.path.startswith("/app/"):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def _inside_static(target):
    """Whether `target` resolves inside static/ (no `..` or symlink escapes)."""
    try:
        target.resolve().relative_to(STATIC.resolve())
    except ValueError:
        return False
    return True


def _send(filename):
    vendored = filename.startswith("vendor/") or filename.startswith("icons/")
    response = send_from_directory(STATIC, filename,
                                   max_age=VENDOR_MAX_AGE if vendored else None)
    mime = MIME_TYPES.get(Path(filename).suffix.lower())
    if mime:
        response.headers["Content-Type"] = mime
    if not vendored:
        response.headers["Cache-Control"] = "no-cache"
    return response
