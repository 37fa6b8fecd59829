"""JSON responses go through orjson and mean what Flask's own provider would write."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider


def test_responses_parse_to_what_the_default_provider_writes(app):
    value = {"price": Decimal("10.50"), 0: {"product_id": ["Unknown product 7."]},
             "name": "Café ñandú", "when": datetime(2026, 12, 2, 1, 2, 3, tzinfo=UTC),
             "day": date(2026, 12, 2), "list": [1, None, True, 2.5]}
    with app.app_context():
        ours = app.json.response(value)
        default = DefaultJSONProvider(app)
        default.sort_keys = False  # as the app configures it (keys of mixed types)
        theirs = default.response(value)
        assert json.loads(ours.get_data()) == json.loads(theirs.get_data())
        assert ours.mimetype == "application/json"
        assert "Café ñandú".encode() in ours.get_data()  # UTF-8, not \\u escapes
        assert json.loads(app.json.dumps(value)) == json.loads(theirs.get_data())
