"""URL converters: `<int:id>` only matches ids a table can hold (1 .. 2**31-1).

A larger number in a path is a 404 like any unknown id, instead of an
overflow in the database driver; so is a number written with other than
ASCII digits (werkzeug's digit pattern also matches `١٢`).
"""

from werkzeug.routing import IntegerConverter

from .fields import INT32_MAX


class IdConverter(IntegerConverter):
    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


def register_converters(app, api):
    app.url_map.converters["int"] = IdConverter
    api.register_converter(
        IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
    )
