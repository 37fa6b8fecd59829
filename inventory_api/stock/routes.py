"""Stock over HTTP: the ledger, levels, store inventory, lots, transfers, counts, alerts.

Every stock-changing POST runs under `@unit_of_work` (one transaction,
deadlock retries, optional `Idempotency-Key`) and calls `stock.documents`,
which calls the movements service. No route touches a quantity.
"""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.idempotency import unit_of_work
from ..common.pagination import SelectPage
from ..errors import Forbidden
from . import documents, queries
from .schemas import (
    CountCreateSchema,
    CountQuerySchema,
    CountSchema,
    EventQuerySchema,
    EventSchema,
    InventoryQuerySchema,
    InventoryRowSchema,
    LotQuerySchema,
    LotRowSchema,
    LotTraceSchema,
    LowStockQuerySchema,
    LowStockRowSchema,
    MinStockResultSchema,
    MinStockSchema,
    MovementCreateSchema,
    MovementQuerySchema,
    MovementSchema,
    MovementsCreatedSchema,
    ProductMovementQuerySchema,
    ProductStockSchema,
    TransferCreateSchema,
    TransferDetailSchema,
    TransferQuerySchema,
    TransferSchema,
)

blp = Blueprint("stock", __name__, url_prefix="/api/v1",
                description="Stock: the movements ledger, levels, store inventory and lots")
transfers_blp = Blueprint("transfers", __name__, url_prefix="/api/v1/transfers",
                          description="Transfers between stores")
counts_blp = Blueprint("stock-counts", __name__, url_prefix="/api/v1/stock-counts",
                       description="Stock counts")
alerts_blp = Blueprint("alerts", __name__, url_prefix="/api/v1/alerts",
                       description="Low-stock alerts")


# --------------------------------------------------------------------------- ledger


@blp.route("/movements", strict_slashes=False)
class MovementList(MethodView):
    @require("stock:read")
    @blp.arguments(MovementQuerySchema, location="query")
    @blp.response(200, MovementSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """The ledger, newest first (filters; `before_id` for keyset paging)"""
        return queries.movements_listing(args, current_principal())

    @require("stock:move", "stock:adjust")
    @unit_of_work
    @blp.arguments(MovementCreateSchema)
    @blp.response(201, MovementsCreatedSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Record a receipt, an issue or an adjustment

        Receipts and issues need `stock:move` (employee+), adjustments
        `stock:adjust` (manager+). An issue of a lot-tracked product without
        a lot takes the lots that expire first (FEFO), possibly several.
        """
        principal = current_principal()
        if data["type"] == "adjustment" and not principal.can("stock:adjust"):
            raise Forbidden("Adjustments need a manager.")
        if data["type"] != "adjustment" and not principal.can("stock:move"):
            raise Forbidden()
        movements = documents.post_manual_movement(data, principal)
        location = url_for("stock.MovementDetail", movement_id=movements[0].id)
        return {"movements": movements}, 201, {"Location": location}


@blp.route("/movements/<int:movement_id>")
class MovementDetail(MethodView):
    @require("stock:read")
    @blp.response(200, MovementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, movement_id):
        """One ledger entry"""
        return queries.get_movement(movement_id, current_principal())


@blp.route("/products/<int:product_id>/stock")
class ProductStock(MethodView):
    @require("stock:read")
    @blp.response(200, ProductStockSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, product_id):
        """A product's stock per store (and per lot)"""
        return queries.product_stock(product_id, current_principal())


@blp.route("/products/<int:product_id>/movements")
class ProductMovements(MethodView):
    @require("stock:read")
    @blp.arguments(ProductMovementQuerySchema, location="query")
    @blp.response(200, MovementSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(SelectPage)
    def get(self, args, product_id):
        """A product's ledger, newest first"""
        queries.get_product(product_id)
        return queries.movements_listing(args, current_principal(), product_id=product_id)


# --------------------------------------------------------------------------- store inventory


@blp.route("/stores/<int:store_id>/inventory")
class StoreInventory(MethodView):
    @require("stock:read")
    @blp.arguments(InventoryQuerySchema, location="query")
    @blp.response(200, InventoryRowSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(SelectPage)
    def get(self, args, store_id):
        """One row per product held in the store"""
        return queries.inventory_select(store_id, args, current_principal())


@blp.route("/stores/<int:store_id>/inventory/<int:product_id>")
class StoreMinimum(MethodView):
    @require("stock:min_stock")
    @blp.arguments(MinStockSchema)
    @blp.response(200, MinStockResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data, store_id, product_id):
        """Set this store's `min_stock` for the product (null removes the override)"""
        minimum = documents.set_min_stock(store_id, product_id, data["min_stock"],
                                          current_principal())
        return {"store_id": store_id, "product_id": product_id, "min_stock": minimum}


# --------------------------------------------------------------------------- lots


@blp.route("/lots", strict_slashes=False)
class LotList(MethodView):
    @require("stock:read")
    @blp.arguments(LotQuerySchema, location="query")
    @blp.response(200, LotRowSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Lots with stock, per store, earliest expiry first"""
        return queries.lots_select(args, current_principal())


@blp.route("/lots/<int:lot_id>/trace")
class LotTrace(MethodView):
    @require("lots:trace")
    @blp.response(200, LotTraceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, lot_id):
        """Where a lot came from and every movement since"""
        return queries.lot_trace(lot_id, current_principal())


# --------------------------------------------------------------------------- transfers


@transfers_blp.route("", strict_slashes=False)
class TransferList(MethodView):
    @require("stock:read")
    @transfers_blp.arguments(TransferQuerySchema, location="query")
    @transfers_blp.response(200, TransferSchema(many=True))
    @transfers_blp.paginate(SelectPage)
    def get(self, args):
        """Transfers, newest first"""
        return queries.transfers_select(args, current_principal())

    @require("stock:transfer")
    @unit_of_work
    @transfers_blp.arguments(TransferCreateSchema)
    @transfers_blp.response(201, TransferDetailSchema)
    @transfers_blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Move stock between two stores: all lines or none (409 lists every short line)"""
        transfer = documents.create_transfer(data, current_principal())
        location = url_for("transfers.TransferDetail", transfer_id=transfer.id)
        return transfer, 201, {"Location": location}


@transfers_blp.route("/<int:transfer_id>")
class TransferDetail(MethodView):
    @require("stock:read")
    @transfers_blp.response(200, TransferDetailSchema)
    @transfers_blp.alt_response(404, response="NOT_FOUND")
    def get(self, transfer_id):
        """A transfer with its lines and movements"""
        return queries.get_transfer(transfer_id, current_principal())


# --------------------------------------------------------------------------- counts


@counts_blp.route("", strict_slashes=False)
class CountList(MethodView):
    @require("stock:read")
    @counts_blp.arguments(CountQuerySchema, location="query")
    @counts_blp.response(200, CountSchema(many=True))
    @counts_blp.paginate(SelectPage)
    def get(self, args):
        """Stock counts, newest first"""
        return queries.counts_select(args, current_principal())

    @require("stock:count")
    @unit_of_work
    @counts_blp.arguments(CountCreateSchema)
    @counts_blp.response(201, CountSchema)
    @counts_blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Record a count; an `adjustment` per difference (reference_type `count`)"""
        count = documents.create_stock_count(data, current_principal())
        location = url_for("stock-counts.CountDetail", count_id=count.id)
        return count, 201, {"Location": location}


@counts_blp.route("/<int:count_id>")
class CountDetail(MethodView):
    @require("stock:read")
    @counts_blp.response(200, CountSchema)
    @counts_blp.alt_response(404, response="NOT_FOUND")
    def get(self, count_id):
        """A stock count with its lines and differences"""
        return queries.get_count(count_id, current_principal())


# --------------------------------------------------------------------------- alerts


@alerts_blp.route("/low-stock")
class LowStock(MethodView):
    @require("stock:read")
    @alerts_blp.arguments(LowStockQuerySchema, location="query")
    @alerts_blp.response(200, LowStockRowSchema(many=True))
    @alerts_blp.paginate(SelectPage)
    def get(self, args):
        """Products at or below their minimum, per store"""
        return queries.low_stock_select(args, current_principal())


@alerts_blp.route("/events")
class LowStockEvents(MethodView):
    @require("stock:read")
    @alerts_blp.arguments(EventQuerySchema, location="query")
    @alerts_blp.response(200, EventSchema(many=True))
    @alerts_blp.paginate(SelectPage)
    def get(self, args):
        """Moments stock crossed down to its minimum, newest first (`open` filter)"""
        return queries.events_select(args, current_principal())
