"""Categories: a tree through `parent_id`; names unique whatever their case."""

from sqlalchemy import func, select

from ..common.pagination import apply_sort, contains_any
from ..common.uow import atomic
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..products.models import Product
from .models import Category

MAX_DEPTH = 100


def get_category(category_id):
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound("Category not found.")
    return category


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
    stmt = select(Category.id).where(func.lower(Category.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Category.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict("A category with this name already exists.", errors={"name": name})


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
    products = db.session.scalar(
        select(func.count()).select_from(Product).where(Product.category_id == category.id)
    )
    children = db.session.scalar(
        select(func.count()).select_from(Category).where(Category.parent_id == category.id)
    )
    if products or children:
        parts = []
        if products:
            parts.append(f"{products} product(s)")
        if children:
            parts.append(f"{children} subcategory(ies)")
        raise Conflict(
            f"The category is still referenced by {' and '.join(parts)}; "
            "move or delete them first.",
            errors={"products": products, "subcategories": children},
        )
    db.session.delete(category)
