"""gunicorn settings (`gunicorn -c gunicorn.conf.py wsgi:app`); environment overrides.

Two sync workers suit these 2-core machines: measured on 2026-12-02 against
4 sync workers and 2 gthread workers of 8 threads (README.md, Performance),
they wrote fastest on MariaDB and PostgreSQL and read fastest on PostgreSQL;
gthread read faster on MariaDB only.
`GUNICORN_THREADS` > 1 (or `GUNICORN_WORKER_CLASS=gthread`) picks the threaded
worker (set threads here, not with `--threads`: gunicorn would then swap in
its own threaded worker). The `sync` and `gthread` workers are ours
(inventory_api/gunicorn_worker.py): gunicorn's own refusals (request line or
headers too large, malformed HTTP) answer in the API's JSON error shape
instead of an HTML page. Any other `GUNICORN_WORKER_CLASS` is passed to
gunicorn as is.
"""

import os

OUR_WORKERS = {
    "sync": "inventory_api.gunicorn_worker.SyncWorker",
    "gthread": "inventory_api.gunicorn_worker.ThreadWorker",
}

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
_worker = os.environ.get("GUNICORN_WORKER_CLASS") or "sync"
if _worker == "sync" and threads > 1:
    _worker = "gthread"  # as gunicorn itself does for sync with threads
worker_class = OUR_WORKERS.get(_worker, _worker)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))

# Bounded requests, refused before the app runs (414 / 431 in JSON): the
# request line (method, path, query) in bytes, the number of header fields
# and the size of one header field. The body limit is the app's
# MAX_CONTENT_LENGTH (413).
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
