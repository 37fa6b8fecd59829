"""Imports every domain's models so that the metadata (and Alembic) sees them all."""

from .auth.models import ApiKey, RevokedToken  # noqa: F401
from .clients.models import Client  # noqa: F401
from .stores.models import Store  # noqa: F401
from .users.models import User, user_stores  # noqa: F401
