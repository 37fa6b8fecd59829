"""`/api/v1/reports`: one blueprint; each report family adds its routes to it.

Every report needs `reports:read` (manager and admin); the family modules
imported at the end of this file declare the routes.
"""

from ..common.blueprint import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Reports (manager+): JSON, CSV and, where offered, PDF")

from . import holdings_routes, selling_routes  # noqa: E402, F401  (declare the routes)
