"""The flask-smorest `Blueprint` every domain uses, with the contract's list defaults.

flask-smorest pages 10 items by default; the contract says 20 (max 100).
Numbers in query args and bodies are read from ASCII digits only, also in
`page`/`page_size` and in any plain marshmallow `Integer`/`Decimal` field a
domain schema declares (`AsciiNumbersParser`).
"""

from collections.abc import Mapping

from flask_smorest import Blueprint as _Blueprint
from marshmallow import ValidationError, fields
from webargs.flaskparser import FlaskParser

from .fields import ASCII_DECIMAL, ASCII_INTEGER


class AsciiNumbersParser(FlaskParser):
    """webargs' Flask parser, refusing numbers not written in plain ASCII digits.

    marshmallow's `Integer` and `Decimal` call `int()`/`Decimal()`, which read
    "١٢" as 12, "1_000" as 1000 and " 7 " as 7. Before a schema loads, every
    such field whose raw value is text must match `-?[0-9]+` (decimals: an
    optional `.` and more digits); otherwise 422 with the field's own
    "invalid" message.
    """

    def pre_load(self, location_data, *, schema, req, location):
        if isinstance(location_data, Mapping):
            errors = {}
            for name, field in schema.fields.items():
                if isinstance(field, fields.Integer):
                    pattern = ASCII_INTEGER
                elif isinstance(field, fields.Decimal):
                    pattern = ASCII_DECIMAL
                else:
                    continue
                key = field.data_key or name
                raw = location_data.get(key)
                if isinstance(raw, str) and not pattern.fullmatch(raw):
                    errors[key] = [field.error_messages["invalid"]]
            if errors:
                raise ValidationError(errors)
        return super().pre_load(location_data, schema=schema, req=req, location=location)


class Blueprint(_Blueprint):
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}
    ARGUMENTS_PARSER = AsciiNumbersParser()
    PAGINATION_ARGUMENTS_PARSER = AsciiNumbersParser()

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """The `X-Pagination` object, as flask-smorest builds it (the keys in the
        order of its `PaginationMetadataSchema`, pages only when they exist),
        without building that schema for every page: every value is already an int."""
        if item_count == 0:
            return {"total": 0, "total_pages": 0}
        last_page = (item_count - 1) // page_size + 1
        metadata = {"total": item_count, "total_pages": last_page, "first_page": 1,
                    "last_page": last_page}
        if page <= last_page:
            metadata["page"] = page
            if page > 1:
                metadata["previous_page"] = page - 1
            if page < last_page:
                metadata["next_page"] = page + 1
        return metadata

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's, with a schema class made an instance here, once: given
        the class, webargs builds an instance per request (marshmallow deep-copies
        every declared field: 3 % of a product list's time). Loading with one
        instance is safe: a marshmallow 4 schema keeps no state between loads."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)
