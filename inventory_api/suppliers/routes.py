"""`/api/v1/suppliers`: who we buy from."""

from flask import url_for
from flask.views import MethodView

from ..auth import require
from ..common.blueprint import Blueprint
from ..common.etag import check_if_match, with_etag
from ..common.pagination import SelectPage
from . import service
from .schemas import (
    SupplierCreateSchema,
    SupplierQuerySchema,
    SupplierSchema,
    SupplierUpdateSchema,
)

blp = Blueprint("suppliers", __name__, url_prefix="/api/v1/suppliers", description="Suppliers")


@blp.route("", strict_slashes=False)
class SupplierList(MethodView):
    @require("suppliers:read")
    @blp.arguments(SupplierQuerySchema, location="query")
    @blp.response(200, SupplierSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List suppliers (q over name, tax id and email; active)"""
        return service.search_suppliers(args)

    @require("suppliers:write")
    @blp.arguments(SupplierCreateSchema)
    @blp.response(201, SupplierSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Create a supplier (tax id unique when present)"""
        supplier = service.create_supplier(data)
        location = url_for("suppliers.SupplierDetail", supplier_id=supplier.id)
        return supplier, 201, {"Location": location}


@blp.route("/<int:supplier_id>")
class SupplierDetail(MethodView):
    @require("suppliers:read")
    @blp.response(200, SupplierSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, supplier_id):
        """Read a supplier (with an ETag)"""
        return with_etag(service.get_supplier(supplier_id), SupplierSchema)

    @require("suppliers:write")
    @blp.arguments(SupplierUpdateSchema)
    @blp.response(200, SupplierSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, supplier_id):
        """Change some of a supplier's fields (active=false archives it)"""
        supplier = service.get_supplier(supplier_id)
        check_if_match(supplier, SupplierSchema)
        supplier = service.update_supplier(supplier, data)
        return with_etag(supplier, SupplierSchema)

    @require("suppliers:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, supplier_id):
        """Delete a supplier nothing refers to (409 otherwise: archive it instead)"""
        supplier = service.get_supplier(supplier_id)
        check_if_match(supplier, SupplierSchema)
        service.delete_supplier(supplier)
