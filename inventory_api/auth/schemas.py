from marshmallow import fields, validate

from ..common.inputs import Trimmed
from ..common.schema import Schema
from ..users.schemas import UserSchema


class LoginSchema(Schema):
    email = Trimmed(required=True, max_length=254)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserSchema)


class AccessTokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class ApiKeyCreateSchema(Schema):
    name = Trimmed(required=True, max_length=100)
    role = fields.String(
        required=True,
        validate=validate.OneOf(("admin", "manager", "employee")),
        metadata={"description": "API keys act as staff; customer keys are not issued."},
    )


class ApiKeySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    prefix = fields.String(metadata={"description": "First characters of the key."})
    active = fields.Boolean()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(
        attribute="secret", metadata={"description": "The secret; shown only in this response."}
    )
