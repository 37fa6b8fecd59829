"""What still refers to a record, found from the foreign keys in `db.metadata`.

A domain that refers to another one (stock → products, users → stores, sales →
clients...) declares the foreign key and nothing else: the referenced domain
never imports it and never lists it. Every foreign key of every table known to
the metadata (models and plain tables such as `user_stores`) is a reference.

A referring column marked `info=HISTORY` says "my rows are the referenced
record's history": such a record is archived (`active = false`) instead of
deleted (`delete_or_archive`). Any other reference means "still referenced":
the delete is refused with 409 naming what refers to it
(`refuse_if_referenced`). A column marked `info=DERIVED` belongs to a read
model kept from other referring rows (a product's stock totals, a store's
ledger counter): it is never a reference of its own, since the rows it is
derived from already are. Counting costs one SELECT, whatever the number of
referring tables, and runs only on delete.
"""

from dataclasses import dataclass

from sqlalchemy import func, inspect, select

from ..errors import Conflict
from ..extensions import db

# Put on a referring column: `mapped_column(ForeignKey("products.id"), info=HISTORY)`.
HISTORY = {"history": True}
# Put on a read model's foreign key: not counted (the rows it sums up are).
DERIVED = {"derived": True}


@dataclass(frozen=True)
class Reference:
    """A foreign-key column that refers to some table, with its label for people."""

    column: object  # the referring Column
    target: object  # the referenced Column (usually the primary key)
    label: str  # plural, e.g. "stock levels", "products (preferred supplier)"
    history: bool


@dataclass(frozen=True)
class Found:
    """A reference with the number of rows that use it for one record."""

    reference: Reference
    count: int

    @property
    def text(self):
        """"2 movements", "1 movement", "1 product (preferred supplier)"."""
        label = self.reference.label
        if self.count == 1:
            head, sep, tail = label.partition(" (")
            label = singular(head) + sep + tail
        return f"{self.count} {label}"

    def details(self):
        """The 409 body's entry: `{"table", "column", "count", "history", "label"}`."""
        column = self.reference.column
        return {"table": column.table.name, "column": column.name, "count": self.count,
                "history": self.reference.history, "label": self.text}


def singular(words):
    """The singular of a plural English label's last word ("stock levels" → "stock level")."""
    head, _, last = words.rpartition(" ")
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}" if head else last


def _words(name):
    return name.replace("_", " ")


def _label(column, target_table):
    """How people call the rows of `column`'s table that refer to `target_table`."""
    if column.info.get("label"):
        return column.info["label"]
    table = column.table
    if table is target_table and column.name == "parent_id":
        return f"sub{_words(table.name)}"  # categories.parent_id → "subcategories"
    others = [fk for fk in table.foreign_keys if fk.parent is not column]
    if len(table.foreign_keys) == 2 and all(c.foreign_keys for c in table.columns):
        # A plain association table (user_stores): its rows stand for the other side.
        return _words(others[0].column.table.name)
    natural = f"{singular(target_table.name)}_id"
    if column.name == natural:
        return _words(table.name)
    stem = column.name[:-3] if column.name.endswith("_id") else column.name
    return f"{_words(table.name)} ({_words(stem)})"


def references_to(table):
    """Every `Reference` to `table` in the metadata, in a stable order (table, column)."""
    found = []
    for referring in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        for fk in sorted(referring.foreign_keys, key=lambda fk: fk.parent.name):
            if fk.references(table) and not fk.parent.info.get("derived"):
                found.append(Reference(
                    column=fk.parent, target=fk.column, label=_label(fk.parent, table),
                    history=bool(fk.parent.info.get("history")),
                ))
    return found


def count_references(record):
    """`[Found]` for every reference that has at least one row pointing at `record`.

    One SELECT of one scalar subquery per reference. Reads only.
    """
    mapper = inspect(record).mapper
    references = references_to(mapper.local_table)
    if not references:
        return []
    counts = []
    for ref in references:
        value = getattr(record, mapper.get_property_by_column(ref.target).key)
        counts.append(
            select(func.count()).select_from(ref.column.table)
            .where(ref.column == value).scalar_subquery()
        )
    row = db.session.execute(select(*counts)).one()
    return [Found(ref, count) for ref, count in zip(references, row, strict=True) if count]


def describe(found):
    """"2 movements, 1 lot and 1 stock level"."""
    parts = [item.text for item in found]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _conflict(what, found, advice):
    message = f"The {what} is still referenced by {describe(found)}"
    message += f"; {advice}." if advice else "."
    return Conflict(message, errors={"references": [item.details() for item in found]})


def refuse_if_referenced(record, what, advice=None):
    """Raise Conflict (409) naming every reference to `record`; return None when there is none.

    `what` names the record ("store"), `advice` ends the message
    ("archive it with active=false instead"). Reads only.
    """
    found = count_references(record)
    if found:
        raise _conflict(what, found, advice)


def delete_or_archive(record, what):
    """Delete `record`, or archive it when only history refers to it.

    Returns "deleted" (nothing refers to it: the row is deleted from the
    session) or "archived" (only `HISTORY` columns refer to it: `active` is set
    to False). Raises Conflict (409) when any other reference exists. Flushes
    nothing itself; the caller's unit of work does.
    """
    found = count_references(record)
    blocking = [item for item in found if not item.reference.history]
    if blocking:
        raise _conflict(what, blocking, None)
    if found:
        record.active = False
        return "archived"
    db.session.delete(record)
    return "deleted"
