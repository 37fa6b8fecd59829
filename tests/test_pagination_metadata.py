"""The `X-Pagination` header's object (common/blueprint.py) is flask-smorest's,
key for key and in the same order, for empty, partial, exact and past-the-end pages."""

import json

from flask_smorest import Blueprint as SmorestBlueprint

from inventory_api.common.blueprint import Blueprint


def test_pagination_metadata_matches_flask_smorest():
    cases = 0
    for count in (0, 1, 5, 19, 20, 21, 40, 41, 1000, 12345):
        for size in (1, 5, 20, 100):
            for page in (1, 2, 3, 5, 50, 1000, 99999):
                ours = json.dumps(Blueprint._make_pagination_metadata(page, size, count))
                theirs = json.dumps(SmorestBlueprint._make_pagination_metadata(page, size, count))
                assert ours == theirs, (page, size, count)
                cases += 1
    assert cases == 280
