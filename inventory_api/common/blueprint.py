"""The flask-smorest `Blueprint` every domain uses, with the contract's list defaults.

flask-smorest pages 10 items by default; the contract says 20 (max 100).
"""

from flask_smorest import Blueprint as _Blueprint


class Blueprint(_Blueprint):
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}
