"""Optional optimistic concurrency: `ETag` on reads, `If-Match` checked when sent.

flask-smorest's `@blp.etag` makes `If-Match` mandatory (428); our contract
makes it optional, so the header is checked only when present.
"""

import hashlib
import json

from flask import request

from ..errors import PreconditionFailed


def compute_etag(data):
    raw = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha1(raw).hexdigest()


_schemas = {}


def _instance(schema):
    """A schema instance: `schema` itself, or one shared instance of a schema class
    (building a marshmallow schema costs more than dumping one object with it)."""
    if not isinstance(schema, type):
        return schema
    if schema not in _schemas:
        _schemas[schema] = schema()
    return _schemas[schema]


def etag_of(obj, schema):
    """The ETag of `obj` as `schema` (a class or an instance) dumps it."""
    return compute_etag(_instance(schema).dump(obj))


def check_if_match(obj, schema):
    """Raise 412 when the request has an `If-Match` that does not match `obj`."""
    if_match = request.if_match
    if not if_match or if_match.star_tag:
        return
    if not if_match.contains(etag_of(obj, schema)):
        raise PreconditionFailed()


def with_etag(obj, schema, status=200, headers=None):
    """A view return value `(obj, status, headers)` with the object's ETag."""
    headers = dict(headers or {})
    headers["ETag"] = f'"{etag_of(obj, schema)}"'
    return obj, status, headers
