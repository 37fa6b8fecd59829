from marshmallow import fields

from ..common.fields import Id
from ..common.inputs import IdArg, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema


class CategorySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    description = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CategoryCreateSchema(Schema):
    name = Trimmed(required=True, max_length=120)
    description = Trimmed(max_length=5000, blank_as_none=True, multiline=True)
    parent_id = Id(allow_none=True)


class CategoryUpdateSchema(Schema):
    name = Trimmed(max_length=120)
    description = Trimmed(max_length=5000, blank_as_none=True, multiline=True)
    parent_id = Id(allow_none=True)


class CategoryQuerySchema(Schema):
    q = Trimmed(
        max_length=100,
        blank_as_none=True,
        metadata={"description": "Name contains (case-insensitive)."}
    )
    parent_id = IdArg(metadata={"description": "Direct children of this category."})
    root = fields.Boolean(metadata={"description": "true: only top-level categories."})
    sort = sort_field({"id", "name", "created_at"}, "name")
