"""`/api/v1/clients`: the business's clients (a customer may read its own record)."""

from flask import url_for
from flask.views import MethodView

from ..auth import current_principal, require
from ..common.blueprint import Blueprint
from ..common.etag import check_if_match, with_etag
from ..common.pagination import SelectPage
from . import insights, service
from .schemas import (
    ClientCreateSchema,
    ClientInsightsSchema,
    ClientQuerySchema,
    ClientSchema,
    ClientUpdateSchema,
)

blp = Blueprint("clients", __name__, url_prefix="/api/v1/clients", description="Clients")


@blp.route("", strict_slashes=False)
class ClientList(MethodView):
    @require("clients:read")
    @blp.arguments(ClientQuerySchema, location="query")
    @blp.response(200, ClientSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List clients (q over name, email, phone and tax id; frequent; has_debt)

        `frequent`, `has_debt` and the sorts `total_spent` / `last_purchase_at`
        need sales data: until sales exist, `frequent=true` and `has_debt=true`
        return no client and those sorts order by id.
        """
        return service.search_clients(args)

    @require("clients:write")
    @blp.arguments(ClientCreateSchema)
    @blp.response(201, ClientSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Create a client (email unique when present)"""
        client = service.create_client(data)
        return client, 201, {"Location": url_for("clients.ClientDetail", client_id=client.id)}


@blp.route("/<int:client_id>")
class ClientDetail(MethodView):
    @require("clients:read", "clients:read_own")
    @blp.response(200, ClientSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, client_id):
        """Read a client (with an ETag); a customer reads only its own record (others: 404)"""
        client = service.get_client(client_id, principal=current_principal())
        return with_etag(client, ClientSchema)

    @require("clients:write")
    @blp.arguments(ClientUpdateSchema)
    @blp.response(200, ClientSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, client_id):
        """Change some of a client's fields"""
        client = service.get_client(client_id)
        check_if_match(client, ClientSchema)
        client = service.update_client(client, data)
        return with_etag(client, ClientSchema)

    @require("clients:delete")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, client_id):
        """Delete a client nothing refers to (409 while a user account is linked to it)"""
        client = service.get_client(client_id)
        check_if_match(client, ClientSchema)
        service.delete_client(client)


@blp.route("/<int:client_id>/insights")
class ClientInsights(MethodView):
    @require("clients:insights")
    @blp.response(200, ClientInsightsSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, client_id):
        """What a client bought, how often, its top products and RFM segment

        Counts every sale except cancelled ones, net of returns. `rfm` shows
        the inputs of `segment`: business days since the latest purchase,
        purchases and amount spent in the last 365 days.
        """
        return insights.client_insights(client_id)
