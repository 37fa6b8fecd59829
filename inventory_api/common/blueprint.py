"""The flask-smorest `Blueprint` every domain uses, with the contract's list defaults.

flask-smorest pages 10 items by default; the contract says 20 (max 100).
Numbers in query args and bodies are read from ASCII digits only, also in
`page`/`page_size` and in any plain marshmallow `Integer`/`Decimal` field a
domain schema declares (`AsciiNumbersParser`).
"""

from collections.abc import Mapping

from flask_smorest import Blueprint as _Blueprint
from marshmallow import Schema, ValidationError, fields
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._instances = {}  # schema class -> its one instance

    def _get_schema(self, argmap, req):
        """webargs' schema for `argmap`, a schema class made an instance once: given a
        class (flask-smorest's pagination arguments are one), webargs builds an
        instance per request, and marshmallow deep-copies every declared field.
        Loading with one instance is safe: a marshmallow 4 schema keeps no state
        between loads."""
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._instances.get(argmap)
            if schema is None:
                schema = self._instances[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)

    def pre_load(self, location_data, *, schema, req, location):
        if isinstance(location_data, Mapping):
            errors = {}
            for key, pattern, message in _number_fields(schema):
                raw = location_data.get(key)
                if isinstance(raw, str) and not pattern.fullmatch(raw):
                    errors[key] = [message]
            if errors:
                raise ValidationError(errors)
        return super().pre_load(location_data, schema=schema, req=req, location=location)


def _number_fields(schema):
    """(key, pattern, "invalid" message) of each Integer and Decimal field of `schema`,
    found once per schema instance."""
    found = schema.__dict__.get("_ascii_number_fields")
    if found is None:
        found = []
        for name, field in schema.fields.items():
            if isinstance(field, fields.Integer):
                pattern = ASCII_INTEGER
            elif isinstance(field, fields.Decimal):
                pattern = ASCII_DECIMAL
            else:
                continue
            found.append((field.data_key or name, pattern, field.error_messages["invalid"]))
        schema._ascii_number_fields = found = tuple(found)
    return found


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
