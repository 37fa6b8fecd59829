"""The base marshmallow `Schema` of every schema here, with a leaner dump.

marshmallow serializes each field of each row through several layers of
calls (`Field.serialize`, `get_value`, the accessor, then the field's
`_serialize`). For a page of rows that overhead is most of the cost of a
list response. This base class runs the same fields' `_serialize` on the
same values, looked up the same way, from a plan made once per schema
instance: the output is the same, the OpenAPI document does not change
(the fields and their metadata are untouched), and `pre_dump`/`post_dump`
hooks run as usual (`dump` itself is marshmallow's).

A schema the plan does not cover falls back to marshmallow for the whole
dump: one whose `get_attribute` is overridden, or with a field whose
`serialize`/`get_value` is overridden or whose attribute is a dotted path.
`FAST = False` turns the plan off everywhere (the tests compare both).
"""

import marshmallow
from marshmallow import fields, missing
from marshmallow.utils import get_value

FAST = True
_NO_PLAN = object()


def _plan_of(schema):
    """[(key, attribute, reads_attribute, from_dict, default, serialize)] or None."""
    if type(schema).get_attribute is not marshmallow.Schema.get_attribute:
        return None
    plan = []
    for name, field in schema.dump_fields.items():
        kind = type(field)
        if kind.serialize is not fields.Field.serialize or (
                kind.get_value is not fields.Field.get_value):
            return None
        attribute = field.attribute if field.attribute is not None else name
        if not isinstance(attribute, str) or "." in attribute:
            return None
        key = field.data_key if field.data_key is not None else name
        plan.append((key, name, attribute, field._CHECK_ATTRIBUTE,
                     not hasattr(dict, attribute), field.dump_default, field._serialize))
    return plan


class Schema(marshmallow.Schema):
    """marshmallow's Schema; dumps through a precomputed plan (module docstring)."""

    def _serialize(self, obj, *, many=False):
        plan = self.__dict__.get("_fast_plan", _NO_PLAN)
        if plan is _NO_PLAN:
            plan = self._fast_plan = _plan_of(self)
        if plan is None or not FAST:
            return super()._serialize(obj, many=many)
        if many and obj is not None:
            return [self._dump_one(plan, item) for item in obj]
        return self._dump_one(plan, obj)

    def _dump_one(self, plan, obj):
        ret = self.dict_class()
        plain_dict = type(obj) is dict
        for key, name, attribute, reads, from_dict, default, serialize in plan:
            if reads:
                if plain_dict and from_dict:
                    value = obj.get(attribute, missing)
                else:
                    value = get_value(obj, attribute, missing)
                if value is missing:
                    value = default() if callable(default) else default
                    if value is missing:
                        continue
            else:
                value = None
            ret[key] = serialize(value, name, obj)
        return ret
