"""Categories: a tree through `parent_id`; names unique whatever their case.

A delete is refused (409) while anything refers to the category: its
subcategories, products, or whatever else declares a foreign key to it
(common/references.py); the categories package lists none of them.
"""

from sqlalchemy import select

from ..common.lookup import get_or_404
from ..common.pagination import apply_sort, contains_any
from ..common.references import refuse_if_referenced
from ..common.unique import ensure_unique
from ..common.uow import atomic
from ..errors import ValidationFailed
from ..extensions import db
from .models import Category

MAX_DEPTH = 100


def get_category(category_id):
    """The category, or NotFound (404)."""
    return get_or_404(Category, category_id)


def search_categories(args):
    stmt = select(Category)
    if args.get("q"):
        stmt = stmt.where(contains_any([Category.name], args["q"]))
    if "parent_id" in args:
        stmt = stmt.where(Category.parent_id == args["parent_id"])
    if "root" in args:
        stmt = stmt.where(
            Category.parent_id.is_(None) if args["root"] else Category.parent_id.is_not(None)
        )
    columns = {"id": Category.id, "name": Category.name, "created_at": Category.created_at}
    return apply_sort(stmt, args["sort"], columns, Category.id)


def _check_name(name, exclude_id=None):
    ensure_unique(Category.name_key, name, exclude_id=exclude_id,
                  field="name", label="A category with this name")


def _check_parent(parent_id, category_id=None):
    """The parent must exist, and must not be the category itself or one of its descendants."""
    if parent_id is None:
        return
    if parent_id == category_id:
        raise ValidationFailed({"parent_id": ["A category cannot be its own parent."]})
    if db.session.get(Category, parent_id) is None:
        raise ValidationFailed({"parent_id": [f"Unknown category id {parent_id}."]})
    if category_id is None:
        return
    seen = set()
    current = parent_id
    while current is not None and current not in seen and len(seen) < MAX_DEPTH:
        if current == category_id:
            raise ValidationFailed(
                {"parent_id": ["This parent would make a cycle (it is below this category)."]}
            )
        seen.add(current)
        current = db.session.scalar(select(Category.parent_id).where(Category.id == current))


@atomic
def create_category(data):
    _check_name(data["name"])
    _check_parent(data.get("parent_id"))
    category = Category(
        name=data["name"], description=data.get("description"), parent_id=data.get("parent_id")
    )
    db.session.add(category)
    return category


@atomic
def update_category(category, data):
    if "name" in data:
        _check_name(data["name"], exclude_id=category.id)
    if "parent_id" in data:
        _check_parent(data["parent_id"], category.id)
    for name in ("name", "description", "parent_id"):
        if name in data:
            setattr(category, name, data[name])
    return category


@atomic
def delete_category(category):
    """Remove a category nothing refers to; 409 names what still refers to it."""
    refuse_if_referenced(category, "category", "move or delete them first")
    db.session.delete(category)
