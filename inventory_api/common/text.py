"""A string field that trims whitespace before validating its length."""

from marshmallow import ValidationError, fields


class Trimmed(fields.String):
    """Strip surrounding whitespace, then enforce `min_length`/`max_length`.

    With `blank_as_none=True` (for optional fields) a blank string loads as
    `None`, so "clearing" a field with "" works the same as sending null.
    """

    def __init__(self, *, min_length=1, max_length=None, blank_as_none=False, **kwargs):
        metadata = kwargs.pop("metadata", {})
        if max_length is not None:
            metadata.setdefault("maxLength", max_length)
        if blank_as_none:
            kwargs.setdefault("allow_none", True)
        super().__init__(metadata=metadata, **kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.blank_as_none = blank_as_none

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        if not text and self.blank_as_none:
            return None
        if len(text) < self.min_length:
            raise ValidationError("Must not be blank.")
        if self.max_length is not None and len(text) > self.max_length:
            raise ValidationError(f"At most {self.max_length} characters.")
        return text
