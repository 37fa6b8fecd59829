"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

from inventory_api import create_app

app = create_app()
