from marshmallow import ValidationError, fields, validate

from ..auth.permissions import ROLES
from ..common.fields import Id
from ..common.inputs import Email, Trimmed
from ..common.pagination import sort_field
from ..common.schema import Schema


def password_length(value):
    size = len(value.encode("utf-8"))
    if size < 8 or size > 72:
        raise ValidationError("Password must be 8 to 72 bytes long.")


def Password(**kwargs):  # noqa: N802 - field factory
    return fields.String(
        validate=password_length, metadata={"minLength": 8, "maxLength": 72}, **kwargs
    )


def Name(**kwargs):  # noqa: N802
    """A person's name: trimmed, 1-120 characters, no control characters."""
    return Trimmed(max_length=120, **kwargs)


def Phone(**kwargs):  # noqa: N802
    """An optional phone number: trimmed, at most 40 characters; blank or null clears it."""
    return Trimmed(max_length=40, blank_as_none=True, **kwargs)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    role = fields.String()
    active = fields.Boolean()
    store_ids = fields.List(fields.Integer())
    client_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UserCreateSchema(Schema):
    email = Email(required=True)
    password = Password(required=True)
    name = Name(required=True)
    phone = Phone()
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    active = fields.Boolean(load_default=True)
    store_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))


class UserUpdateSchema(Schema):
    email = Email()
    password = Password()
    name = Name()
    phone = Phone()
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    store_ids = fields.List(Id(), validate=validate.Length(max=100))


class UserQuerySchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    q = Trimmed(max_length=100, blank_as_none=True)
    sort = sort_field({"id", "email", "name", "created_at"}, "id")


class RegisterSchema(Schema):
    email = Email(required=True)
    password = Password(required=True)
    name = Name(required=True)
    phone = Phone()


class MeUpdateSchema(Schema):
    name = Name()
    phone = Phone()


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=200))
    new_password = Password(required=True)
