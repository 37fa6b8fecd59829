"""`/api/v1/stores`: stores and warehouses.

Writes respect the caller's store scope (403): see `stores.service.check_scope`.
"""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.etag import check_if_match, with_etag
from ..common.pagination import SelectPage
from . import service
from .schemas import StoreCreateSchema, StoreQuerySchema, StoreSchema, StoreUpdateSchema

blp = Blueprint("stores", __name__, url_prefix="/api/v1/stores", description="Stores")


@blp.route("", strict_slashes=False)
class StoreList(MethodView):
    @require("stores:read")
    @blp.arguments(StoreQuerySchema, location="query")
    @blp.response(200, StoreSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List stores (q over name and code; active)"""
        return service.search_stores(args)

    @require("stores:write")
    @blp.arguments(StoreCreateSchema)
    @blp.response(201, StoreSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Create a store (name and code unique whatever their case; not for store-scoped users)"""
        store = service.create_store(data, principal=current_principal())
        return store, 201, {"Location": url_for("stores.StoreDetail", store_id=store.id)}


@blp.route("/<int:store_id>")
class StoreDetail(MethodView):
    @require("stores:read")
    @blp.response(200, StoreSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, store_id):
        """Read a store (with an ETag)"""
        return with_etag(service.get_store(store_id), StoreSchema)

    @require("stores:write")
    @blp.arguments(StoreUpdateSchema)
    @blp.response(200, StoreSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, store_id):
        """Change some of a store's fields (active=false archives it); only stores in your scope"""
        store = service.get_store(store_id)
        service.check_scope(current_principal(), store)
        check_if_match(store, StoreSchema)
        store = service.update_store(store, data, principal=current_principal())
        return with_etag(store, StoreSchema)

    @require("stores:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, store_id):
        """Delete a store with no stock, history or users (409 otherwise: archive it)"""
        store = service.get_store(store_id)
        service.check_scope(current_principal(), store)
        check_if_match(store, StoreSchema)
        service.delete_store(store, principal=current_principal())
