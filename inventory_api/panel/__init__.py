"""The web panel at /app/ (static files; one more client of /api/v1)."""


def register(app):
    """Serve the panel (placeholder until its files land)."""
