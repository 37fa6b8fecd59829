"""`/api/v1/products`: the catalog (staff see everything, customers active products only)."""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.etag import check_if_match, with_etag
from ..common.pagination import SelectPage
from . import service
from .schemas import (
    CustomerProductSchema,
    ProductCreateSchema,
    ProductOutSchema,
    ProductPutSchema,
    ProductQuerySchema,
    ProductSchema,
    ProductUpdateSchema,
)

blp = Blueprint("products", __name__, url_prefix="/api/v1/products", description="Products")


def _is_customer():
    return current_principal().is_customer


def _etag_schema():
    return CustomerProductSchema if _is_customer() else ProductSchema


def _location(product):
    return {"Location": url_for("products.ProductDetail", product_id=product.id)}


@blp.route("", strict_slashes=False)
class ProductList(MethodView):
    @require("products:read")
    @blp.arguments(ProductQuerySchema, location="query")
    @blp.response(200, ProductOutSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List products, filtered and sorted

        Active products only unless `active=false`. Customers always get active
        products, without cost, supplier or stock-threshold fields.
        """
        return service.search_products(args, customer=_is_customer())

    @require("products:write")
    @blp.arguments(ProductCreateSchema)
    @blp.response(201, ProductSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Create a product (SKU and barcode kept as written, unique whatever their case)"""
        product = service.create_product(data)
        return product, 201, _location(product)


@blp.route("/<int:product_id>")
class ProductDetail(MethodView):
    @require("products:read")
    @blp.response(200, ProductOutSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, product_id):
        """Read a product (with an ETag); customers see active products only"""
        product = service.read_product(product_id, customer=_is_customer())
        return with_etag(product, _etag_schema())

    @require("products:write")
    @blp.arguments(ProductUpdateSchema)
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, product_id):
        """Change some of a product's fields (`cost` only while it has no stock)"""
        product = service.get_product(product_id)
        check_if_match(product, ProductSchema)
        product = service.update_product(product, data)
        return with_etag(product, ProductSchema)

    @require("products:write")
    @blp.arguments(ProductPutSchema)
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def put(self, data, product_id):
        """Replace a product: fields left out go back to their defaults"""
        product = service.get_product(product_id)
        check_if_match(product, ProductSchema)
        product = service.replace_product(product, data)
        return with_etag(product, ProductSchema)

    @require("products:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, product_id):
        """Delete a product: archived (active=false) if it has history, else removed

        Movements, stock levels, lots and other stock records are history; any
        other record that refers to the product makes the delete a 409 naming it.
        """
        product = service.get_product(product_id)
        check_if_match(product, ProductSchema)
        service.delete_product(product)
