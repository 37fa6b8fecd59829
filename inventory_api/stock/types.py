"""The movement types: one table that says what each kind of stock change may do.

`post_movements` checks every change against its type before it touches
anything (`check_change`). A violation is a programming error of the calling
service (a positive `sale`, a `purchase_receipt` without a cost, a
`transfer_in` outside a transfer), so it raises `InvalidMovement`, a
`ValueError`, never a 4xx: request bodies are validated before they get here.
"""

from dataclasses import dataclass
from enum import Enum


class Sign(Enum):
    """Which way a type moves stock."""

    IN = "in"          # quantity > 0
    OUT = "out"        # quantity < 0
    EITHER = "either"  # signed, non-zero (adjustments)


class UnitCost(Enum):
    """Whether a change of the type carries a unit cost (inflows update the average)."""

    REQUIRED = "required"
    ALLOWED = "allowed"
    NEVER = "never"  # the movement records the product's cost at the time


class LotUse(Enum):
    """How a change of the type may name a lot of a lot-tracked product."""

    ANY = "any"            # by code or id; an inflow naming a new code creates the lot
    EXISTING = "existing"  # only a lot that exists: returns and transfers bring stock
    #                        back into a lot it left, they never create one


MANUAL = None  # the `posted_by` entry of a movement entered by a person (no document)

REFERENCE_TYPES = ("sale", "order", "purchase_order", "transfer", "count")


@dataclass(frozen=True)
class MovementType:
    """One movement type and its rules.

    `posted_by` lists the reference types (documents) that may post it;
    `MANUAL` (None) in it means a person may post it without a document.
    """

    name: str
    sign: Sign
    unit_cost: UnitCost
    lot: LotUse
    needs_reason: bool
    posted_by: tuple

    @property
    def is_manual(self):
        return MANUAL in self.posted_by

    @property
    def may_be_inflow(self):
        return self.sign in (Sign.IN, Sign.EITHER)


_TYPES = (
    #            name                sign         unit cost          lot              reason
    MovementType("receipt",          Sign.IN,     UnitCost.ALLOWED,  LotUse.ANY,      False,
                 (MANUAL,)),
    MovementType("issue",            Sign.OUT,    UnitCost.NEVER,    LotUse.ANY,      False,
                 (MANUAL,)),
    MovementType("adjustment",       Sign.EITHER, UnitCost.NEVER,    LotUse.ANY,      True,
                 (MANUAL, "count")),
    MovementType("purchase_receipt", Sign.IN,     UnitCost.REQUIRED, LotUse.ANY,      False,
                 ("purchase_order",)),
    MovementType("purchase_return",  Sign.OUT,    UnitCost.NEVER,    LotUse.EXISTING, False,
                 ("purchase_order",)),
    MovementType("sale",             Sign.OUT,    UnitCost.NEVER,    LotUse.EXISTING, False,
                 ("sale",)),
    MovementType("sale_return",      Sign.IN,     UnitCost.ALLOWED,  LotUse.EXISTING, False,
                 ("sale",)),
    MovementType("order",            Sign.OUT,    UnitCost.NEVER,    LotUse.EXISTING, False,
                 ("order",)),
    MovementType("order_return",     Sign.IN,     UnitCost.ALLOWED,  LotUse.EXISTING, False,
                 ("order",)),
    MovementType("transfer_out",     Sign.OUT,    UnitCost.NEVER,    LotUse.EXISTING, False,
                 ("transfer",)),
    MovementType("transfer_in",      Sign.IN,     UnitCost.NEVER,    LotUse.EXISTING, False,
                 ("transfer",)),
)

MOVEMENT_TYPES = {t.name: t for t in _TYPES}
MANUAL_TYPES = tuple(t.name for t in _TYPES if t.is_manual)


class InvalidMovement(ValueError):
    """A change that its movement type does not allow (a bug in the calling service)."""


def movement_type(name):
    """The `MovementType` called `name`; InvalidMovement for an unknown name."""
    try:
        return MOVEMENT_TYPES[name]
    except KeyError:
        raise InvalidMovement(f"Unknown movement type {name!r}.") from None


def check_change(change, *, reference_type, reference_id, reason):
    """Raise InvalidMovement unless `change` (a `service.Change`) obeys its type's rules.

    Checks the sign of the quantity, the unit cost, the lot and origin fields,
    the reason and the document (reference_type) that posts it. Writes nothing.
    """
    kind = movement_type(change.type)
    where = f"{kind.name} of product {change.product_id}"
    if kind.sign is Sign.IN and change.quantity < 0:
        raise InvalidMovement(f"A {where} must have a positive quantity.")
    if kind.sign is Sign.OUT and change.quantity > 0:
        raise InvalidMovement(f"A {where} must have a negative quantity.")
    if kind.unit_cost is UnitCost.REQUIRED and change.unit_cost is None:
        raise InvalidMovement(f"A {where} needs a unit cost.")
    if kind.unit_cost is UnitCost.NEVER and change.unit_cost is not None:
        raise InvalidMovement(f"A {where} takes no unit cost.")
    if change.unit_cost is not None and change.unit_cost < 0:
        raise InvalidMovement(f"A {where} has a negative unit cost.")
    if (change.supplier_id is not None or change.purchase_order_id is not None) \
            and not (kind.may_be_inflow and change.quantity > 0 and kind.lot is LotUse.ANY):
        raise InvalidMovement(f"A {where} cannot carry a supplier or purchase order.")
    if kind.needs_reason and not reason:
        raise InvalidMovement(f"A {where} needs a reason.")
    if reference_type not in kind.posted_by:
        posted_by = ", ".join("manual entry" if r is MANUAL else r for r in kind.posted_by)
        raise InvalidMovement(
            f"A {where} is posted by {posted_by}, not by {reference_type or 'manual entry'}.")
    if (reference_type is None) != (reference_id is None):
        raise InvalidMovement("reference_type and reference_id go together.")
