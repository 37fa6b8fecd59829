"""Authentication (JWT bearer tokens and API keys) and permissions.

`@require("perm")` on a view authenticates the caller, checks the role's
permission table, and puts a `Principal` in `g.principal`.
"""

from .decorators import current_principal, require

__all__ = ["current_principal", "require"]
