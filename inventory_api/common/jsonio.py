"""JSON responses through orjson, which writes a page of rows several times faster
than the standard library. The output is the JSON Flask's default provider
writes, compact, except that text stays UTF-8 instead of `\\u` escapes."""

import dataclasses
import decimal
import uuid
from datetime import date

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.http import http_date

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value):
    """What Flask's provider does with the types JSON lacks."""
    if isinstance(value, date):  # datetime too: an HTTP date, as Flask writes it
        return http_date(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class FastJSONProvider(DefaultJSONProvider):
    sort_keys = False

    def _options(self):
        return OPTIONS | (orjson.OPT_SORT_KEYS if self.sort_keys else 0)

    def dumps(self, obj, **kwargs):
        if kwargs:  # an explicit json.dumps option (indent, ...): the standard library
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=_default, option=self._options()).decode()

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(
            orjson.dumps(obj, default=_default, option=self._options()),
            mimetype=self.mimetype)


__all__ = ["FastJSONProvider"]
