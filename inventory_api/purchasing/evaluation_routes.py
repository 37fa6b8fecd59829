"""Supplier evaluation and reorder suggestions over HTTP.

`/suppliers/{id}/performance` and `/suppliers/{id}/ratings` (blueprint
`supplier_evaluation`), `/purchase-orders/suggestions` and
`/purchase-orders/from-suggestions` (blueprint `purchase_suggestions`). All
manager+; customers and employees get 403. Writes run under `@unit_of_work`.
"""

from flask.views import MethodView
from marshmallow import fields

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.fields import Id, MoneyField, QuantityField, StrictInt
from ..common.idempotency import unit_of_work
from ..common.inputs import IdArg, Trimmed
from ..common.schema import Schema
from . import evaluation, suggestions
from .schemas import POSchema

evaluation_blp = Blueprint("supplier_evaluation", __name__, url_prefix="/api/v1",
                           description="Supplier performance and manual ratings")
suggestions_blp = Blueprint("purchase_suggestions", __name__, url_prefix="/api/v1",
                            description="Reorder suggestions and the drafts made from them")

# --------------------------------------------------------------------------- schemas


class PerformanceSchema(Schema):
    supplier_id = fields.Integer()
    orders_count = fields.Integer(metadata={
        "description": "Orders placed (submitted), cancelled ones included."})
    received_count = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={
        "description": "0–1: due orders received in full on or before `expected_date`."})
    fill_rate = fields.Float(allow_none=True, metadata={
        "description": "0–1: received ÷ ordered quantity over due orders."})
    avg_lead_time_days = fields.Float(allow_none=True)
    total_spent = MoneyField(metadata={"description": "Σ received quantity × unit cost."})
    last_order_at = fields.DateTime(allow_none=True)
    rating = fields.Float(allow_none=True, metadata={"description": "Mean score, 1–5."})


class RatingCreateSchema(Schema):
    score = StrictInt(required=True, minimum=1, maximum=5)
    comment = Trimmed(max_length=2000, blank_as_none=True, multiline=True)
    purchase_order_id = Id(allow_none=True, metadata={
        "description": "A placed (submitted) purchase order of this supplier."})


class RatingSchema(Schema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    purchase_order_id = fields.Integer(allow_none=True)
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    created_by = fields.Integer(attribute="created_by_id", allow_none=True)
    created_by_api_key_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class SuggestionQuerySchema(Schema):
    store_id = IdArg()
    supplier_id = IdArg(metadata={"description": "The products' preferred supplier."})


class FromSuggestionsSchema(Schema):
    store_id = Id()
    supplier_id = Id()


class SuggestionLineSchema(Schema):
    product_id = fields.Integer()
    store_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    available = QuantityField()
    min_stock = QuantityField()
    reorder_quantity = QuantityField()
    on_order = QuantityField(metadata={"description": "Outstanding on open purchase orders."})
    suggested_quantity = QuantityField()
    unit_cost = MoneyField(metadata={"description": "The product's current cost."})
    preferred_supplier_id = fields.Integer(allow_none=True)


class SuggestionGroupSchema(Schema):
    supplier_id = fields.Integer(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(SuggestionLineSchema))


# --------------------------------------------------------------------------- routes


@evaluation_blp.route("/suppliers/<int:supplier_id>/performance")
class SupplierPerformance(MethodView):
    @require("suppliers:performance")
    @evaluation_blp.response(200, PerformanceSchema)
    @evaluation_blp.alt_response(404, response="NOT_FOUND")
    def get(self, supplier_id):
        """Delivery performance of a supplier, from its purchase orders and ratings

        Only submitted orders count (not drafts, nor cancelled drafts).
        On-time and fill rates count *due* orders only: received, closed short
        (cancelled after a partial receipt) or still open after their
        `expected_date`.
        """
        return evaluation.supplier_performance(supplier_id)


@evaluation_blp.route("/suppliers/<int:supplier_id>/ratings")
class SupplierRatings(MethodView):
    @require("suppliers:performance")
    @unit_of_work
    @evaluation_blp.arguments(RatingCreateSchema)
    @evaluation_blp.response(201, RatingSchema)
    @evaluation_blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, supplier_id):
        """Rate a supplier 1–5, optionally about one of its purchase orders"""
        return evaluation.rate_supplier(supplier_id, data, current_principal())


@suggestions_blp.route("/purchase-orders/suggestions")
class Suggestions(MethodView):
    @require("purchasing:write")
    @suggestions_blp.arguments(SuggestionQuerySchema, location="query")
    @suggestions_blp.response(200, SuggestionGroupSchema(many=True))
    def get(self, args):
        """Products at or under their minimum per store, grouped by preferred supplier

        `suggested_quantity = min_stock + reorder_quantity − available −
        on_order`; pairs at 0 are left out. Products without a preferred
        supplier come last, in a group with `supplier_id: null`.
        """
        return suggestions.reorder_suggestions(args, current_principal())


@suggestions_blp.route("/purchase-orders/from-suggestions")
class FromSuggestions(MethodView):
    @require("purchasing:write")
    @unit_of_work
    @suggestions_blp.arguments(FromSuggestionsSchema)
    @suggestions_blp.response(201, POSchema(many=True))
    def post(self, data):
        """Create one draft purchase order per (preferred supplier, store) of the suggestions

        Products without a preferred supplier (or with an inactive one) are
        skipped. Returns the drafts (possibly none).
        """
        return suggestions.create_from_suggestions(data, current_principal())
