"""`/api/v1/users`: user administration (admin only)."""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.etag import check_if_match, with_etag
from ..common.pagination import SelectPage
from . import service
from .schemas import UserCreateSchema, UserQuerySchema, UserSchema, UserUpdateSchema

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="User administration")


@blp.route("", strict_slashes=False)
class UserList(MethodView):
    @require("users:read")
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List users (filter by role, active, q over email and name)"""
        return service.search_users(args)

    @require("users:write")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Create a user with a role (and optional store_ids)"""
        user = service.create_user(data)
        return user, 201, {"Location": url_for("users.UserDetail", user_id=user.id)}


@blp.route("/<int:user_id>")
class UserDetail(MethodView):
    @require("users:read")
    @blp.response(200, UserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id):
        """Read a user (with an ETag)"""
        return with_etag(service.get_user(user_id), UserSchema)

    @require("users:write")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, user_id):
        """Change a user's role, name, active flag, password or store_ids"""
        user = service.get_user(user_id)
        check_if_match(user, UserSchema)
        user = service.update_user(user, data, acting_user=current_principal().user)
        return with_etag(user, UserSchema)

    @require("users:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, user_id):
        """Deactivate a user (users are never hard-deleted)"""
        user = service.get_user(user_id)
        check_if_match(user, UserSchema)
        service.deactivate_user(user, acting_user=current_principal().user)
