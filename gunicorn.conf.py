"""gunicorn settings (`gunicorn -c gunicorn.conf.py wsgi:app`); environment overrides.

Two sync workers suit these 2-core machines (STACK.md: more only hurt).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Let the app, not gunicorn, answer over-long request lines: gunicorn's own
# rejection is an HTML page, which breaks our "always JSON errors" rule. Put
# request-size limits in the reverse proxy in front of the service.
limit_request_line = 0
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
