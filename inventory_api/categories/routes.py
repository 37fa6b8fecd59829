"""`/api/v1/categories`: the category tree."""

from flask import url_for
from flask.views import MethodView

from ..auth import require
from ..common.blueprint import Blueprint
from ..common.etag import check_if_match, with_etag
from ..common.pagination import SelectPage
from . import service
from .schemas import (
    CategoryCreateSchema,
    CategoryQuerySchema,
    CategorySchema,
    CategoryUpdateSchema,
)

blp = Blueprint(
    "categories", __name__, url_prefix="/api/v1/categories", description="Product categories"
)


@blp.route("", strict_slashes=False)
class CategoryList(MethodView):
    @require("categories:read")
    @blp.arguments(CategoryQuerySchema, location="query")
    @blp.response(200, CategorySchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List categories (filter by name, parent; sort by name, id or created_at)"""
        return service.search_categories(args)

    @require("categories:write")
    @blp.arguments(CategoryCreateSchema)
    @blp.response(201, CategorySchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Create a category, optionally below a parent"""
        category = service.create_category(data)
        location = url_for("categories.CategoryDetail", category_id=category.id)
        return category, 201, {"Location": location}


@blp.route("/<int:category_id>")
class CategoryDetail(MethodView):
    @require("categories:read")
    @blp.response(200, CategorySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, category_id):
        """Read a category (with an ETag)"""
        return with_etag(service.get_category(category_id), CategorySchema)

    @require("categories:write")
    @blp.arguments(CategoryUpdateSchema)
    @blp.response(200, CategorySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, category_id):
        """Change a category's name, description or parent (no cycles)"""
        category = service.get_category(category_id)
        check_if_match(category, CategorySchema)
        category = service.update_category(category, data)
        return with_etag(category, CategorySchema)

    @require("categories:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, category_id):
        """Delete a category that no product or subcategory refers to"""
        category = service.get_category(category_id)
        check_if_match(category, CategorySchema)
        service.delete_category(category)
