"""Query-arg fields: query strings are text, so ids there are parsed, not strict."""

from marshmallow import fields, validate

from .fields import INT32_MAX


def IdArg(**kwargs):  # noqa: N802 - field factory
    """A positive id given in the query string (`?category_id=7`)."""
    return fields.Integer(validate=validate.Range(min=1, max=INT32_MAX), **kwargs)
