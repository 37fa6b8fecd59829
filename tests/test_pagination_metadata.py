"""common/blueprint.py: the `X-Pagination` header's object is flask-smorest's, key
for key and in the same order, for empty, partial, exact and past-the-end pages;
a schema class is loaded with one instance, its numbers still checked for ASCII."""

import json
from decimal import Decimal

from flask_smorest import Blueprint as SmorestBlueprint

from inventory_api.common.blueprint import Blueprint


def test_pagination_metadata_matches_flask_smorest():
    cases = 0
    for count in (0, 1, 5, 19, 20, 21, 40, 41, 1000, 12345):
        for size in (1, 5, 20, 100):
            for page in (1, 2, 3, 5, 50, 1000, 99999):
                ours = json.dumps(Blueprint._make_pagination_metadata(page, size, count))
                theirs = json.dumps(SmorestBlueprint._make_pagination_metadata(page, size, count))
                assert ours == theirs, (page, size, count)
                cases += 1
    assert cases == 280


def test_a_schema_class_is_loaded_with_one_instance_and_its_numbers_still_checked(app):
    from marshmallow import Schema, fields
    from werkzeug.exceptions import UnprocessableEntity

    class Query(Schema):
        page = fields.Integer()
        price = fields.Decimal(as_string=True)

    parser = Blueprint.ARGUMENTS_PARSER
    with app.test_request_context("/?page=2&price=1.50"):
        first = parser._get_schema(Query, None)
        assert parser.parse(Query, location="query") == {"page": 2, "price": Decimal("1.50")}
    assert parser._get_schema(Query, None) is first
    for query in ("page=%D9%A1%D9%A2", "page=1_000", "price=%207"):
        with app.test_request_context(f"/?{query}"):
            try:
                parser.parse(Query, location="query")
            except UnprocessableEntity as refused:
                assert refused.data["messages"]["query"] in ({"page": ["Not a valid integer."]},
                                                     {"price": ["Not a valid number."]})
            else:
                raise AssertionError(f"{query} was accepted")
