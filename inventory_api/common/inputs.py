"""Input fields shared by the schemas: trimmed text, emails, strict booleans, query ids."""

import re

from marshmallow import ValidationError, fields, validate

from .fields import INT32_MAX, QueryInt

# U+0000-U+001F and DEL; free text (`multiline=True`) may hold tab and line breaks
CONTROL = r"\x00-\x1f\x7f"
FREE_TEXT_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROL_CHARACTERS = re.compile(f"[{CONTROL}]")
FREE_TEXT_CONTROL_CHARACTERS = re.compile(f"[{FREE_TEXT_CONTROL}]")


def text_pattern(control, blank_allowed):
    """The OpenAPI `pattern` of a text input, exactly what `Trimmed` accepts: any
    surrounding whitespace, then text without `control` characters that starts
    and ends with a visible character (or, if `blank_allowed`, nothing)."""
    core = rf"[^\s{control}](?:[^{control}]*[^\s{control}])?"
    if blank_allowed:
        core = f"(?:{core})?"
    return rf"^\s*{core}\s*$"


class Trimmed(fields.String):
    """Strip surrounding whitespace, then enforce `min_length`/`max_length`.

    Every text input of the API goes through this field. Control characters
    in the trimmed text are refused (422); `multiline=True` (notes,
    descriptions) allows tab and line breaks in it. Whitespace around the
    text (a trailing newline, say) is stripped like spaces, so nothing stored
    holds a control character. The OpenAPI `pattern` states exactly this
    (unless a field documents its own). With `blank_as_none=True` (for
    optional fields) a blank string loads as `None`, so "clearing" a field
    with "" works the same as sending null. `max_length` counts the text as
    sent when it is documented (`maxLength`), else the trimmed text (a field
    whose own pattern bounds it).
    """

    def __init__(self, *, min_length=1, max_length=None, blank_as_none=False,
                 document_length=True, multiline=False, **kwargs):
        metadata = kwargs.pop("metadata", {})
        control = FREE_TEXT_CONTROL if multiline else CONTROL
        if max_length is not None and document_length:
            metadata.setdefault("maxLength", max_length)
        # documented so that generated clients send no control characters and,
        # where blank is refused, something non-blank
        metadata.setdefault("pattern", text_pattern(control, blank_allowed=blank_as_none))
        if not blank_as_none:
            metadata.setdefault("minLength", min_length)
        if blank_as_none:
            kwargs.setdefault("allow_none", True)
        super().__init__(metadata=metadata, **kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.document_length = document_length
        self.blank_as_none = blank_as_none
        self.forbidden = FREE_TEXT_CONTROL_CHARACTERS if multiline else CONTROL_CHARACTERS

    def _deserialize(self, value, attr, data, **kwargs):
        sent = super()._deserialize(value, attr, data, **kwargs)
        if self.document_length and self.max_length is not None and len(sent) > self.max_length:
            # `maxLength` in the OpenAPI document counts the text as sent
            raise ValidationError(f"At most {self.max_length} characters.")
        text = sent.strip()
        if self.forbidden.search(text):
            raise ValidationError("Must not contain control characters.")
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
    """A positive id given in the query string (`?category_id=7`): ASCII digits only."""
    return QueryInt(validate=validate.Range(min=1, max=INT32_MAX), **kwargs)
