"""Input fields shared by the catalog schemas: trimmed strings, strict booleans, query ids."""

from marshmallow import ValidationError, fields, validate

from .fields import INT32_MAX


class Trimmed(fields.String):
    """Strip surrounding whitespace, then enforce `min_length`/`max_length`.

    With `blank_as_none=True` (for optional fields) a blank string loads as
    `None`, so "clearing" a field with "" works the same as sending null.
    """

    def __init__(self, *, min_length=1, max_length=None, blank_as_none=False,
                 document_length=True, **kwargs):
        metadata = kwargs.pop("metadata", {})
        if max_length is not None and document_length:
            metadata.setdefault("maxLength", max_length)
        if not blank_as_none:  # documented so that generated clients send something non-blank
            metadata.setdefault("minLength", min_length)
            metadata.setdefault("pattern", r"\S")
        if blank_as_none:
            kwargs.setdefault("allow_none", True)
        super().__init__(metadata=metadata, **kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.blank_as_none = blank_as_none

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and self.blank_as_none:
            return None
        if len(text) < self.min_length:
            raise ValidationError("Must not be blank.")
        if self.max_length is not None and len(text) > self.max_length:
            raise ValidationError(f"At most {self.max_length} characters.")
        return text


def Email(**kwargs):  # noqa: N802 - field factory
    """An email address (at most 254 characters, the SMTP limit)."""
    return fields.Email(validate=validate.Length(max=254), **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON body boolean: only `true` or `false` (not 0/1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def IdArg(**kwargs):  # noqa: N802 - field factory
    """A positive id given in the query string (`?category_id=7`): parsed, not strict."""
    return fields.Integer(validate=validate.Range(min=1, max=INT32_MAX), **kwargs)
