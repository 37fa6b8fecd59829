"""What still refers to a record: used by deletes that must not orphan data."""

from sqlalchemy import func, select

from ..extensions import db


def count_references(value, references):
    """`{label: count}` for each `(label, column)` in `references` whose column holds `value`."""
    found = {}
    for label, column in references:
        count = db.session.scalar(
            select(func.count()).select_from(column.table).where(column == value)
        )
        if count:
            found[label] = count
    return found


def describe(found):
    """"3 product(s) preferring it and 1 lot(s) received from it"."""
    parts = [f"{count} {label}" for label, count in found.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
