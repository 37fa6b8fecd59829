from marshmallow import fields, validate

from ..common.inputs import StrictBoolean, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema

CODE_PATTERN = r"^\s*[A-Za-z0-9][A-Za-z0-9_-]{0,19}\s*$"


def Code(**kwargs):  # noqa: N802 - field factory
    return Trimmed(
        max_length=20, document_length=False,  # the pattern bounds it
        validate=validate.Regexp(CODE_PATTERN, error="Letters, digits, _ and - (1-20)."),
        metadata={"description": "Kept as written (trimmed); unique whatever its case.",
                  "pattern": CODE_PATTERN},
        **kwargs,
    )


class StoreSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    code = fields.String()
    address = fields.String(allow_none=True)
    active = StrictBoolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class StoreUpdateSchema(Schema):
    name = Trimmed(max_length=120, metadata={"description": "Unique whatever its case."})
    code = Code()
    address = Trimmed(max_length=255, blank_as_none=True, multiline=True)
    active = StrictBoolean()


class StoreCreateSchema(StoreUpdateSchema):
    name = Trimmed(required=True, max_length=120,
                   metadata={"description": "Unique whatever its case."})
    code = Code(required=True)


class StoreQuerySchema(Schema):
    q = Trimmed(
        max_length=100,
        blank_as_none=True,
        metadata={"description": "Name or code contains."}
    )
    active = fields.Boolean()
    sort = sort_field({"id", "name", "code", "created_at"}, "name")
