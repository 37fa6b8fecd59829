"""`/api/v1/api-keys`: integration keys (admin only)."""

from flask import url_for
from flask.views import MethodView

from ..common.blueprint import Blueprint
from ..common.pagination import SelectPage
from . import service
from .decorators import current_principal, require
from .schemas import ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeySchema

blp = Blueprint(
    "api-keys", __name__, url_prefix="/api/v1/api-keys", description="API keys for integrations"
)


@blp.route("", strict_slashes=False)
class ApiKeyList(MethodView):
    @require("api_keys:read")
    @blp.response(200, ApiKeySchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """List API keys (secrets are never shown again)"""
        return service.list_api_keys()

    @require("api_keys:write")
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data):
        """Issue an API key; the secret is in `key`, returned only this once"""
        key, secret = service.issue_api_key(data["name"], data["role"], current_principal().user)
        key.secret = secret  # transient: dumped once as `key`, never stored
        return key, 201, {"Location": url_for("api-keys.ApiKeyDetail", key_id=key.id)}


@blp.route("/<int:key_id>")
class ApiKeyDetail(MethodView):
    @require("api_keys:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, key_id):
        """Revoke an API key"""
        service.revoke_api_key(key_id)
