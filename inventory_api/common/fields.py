"""marshmallow fields for money and quantities (decimal strings) and strict ints."""

import re
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields

INT32_MAX = 2**31 - 1
# Python's int() and Decimal() also read other scripts' digits ("١٢" is 12),
# underscores and surrounding spaces: the API takes ASCII digits only.
ASCII_INTEGER = re.compile(r"-?[0-9]+")
ASCII_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class StrictInt(fields.Integer):
    """An integer id or count: no floats, no strings, fits a 32-bit column."""

    def __init__(self, *, minimum=None, maximum=INT32_MAX, **kwargs):
        metadata = kwargs.pop("metadata", {})
        if minimum is not None:
            metadata.setdefault("minimum", minimum)
        metadata.setdefault("maximum", maximum)
        super().__init__(strict=True, metadata=metadata, **kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        result = super()._deserialize(value, attr, data, **kwargs)
        if self.minimum is not None and result < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        if self.maximum is not None and result > self.maximum:
            raise ValidationError(f"Must be at most {self.maximum}.")
        return result


class QueryInt(fields.Integer):
    """An integer given as text (query string): ASCII digits only, optional leading `-`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        if isinstance(value, str) and not ASCII_INTEGER.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Id(StrictInt):
    def __init__(self, **kwargs):
        super().__init__(minimum=1, **kwargs)


class FixedDecimal(fields.Field):
    """A decimal with a fixed number of places, as a string on the wire.

    Input accepts a decimal string with at most `places` decimals, or a JSON
    number (a float within 1e-9 of such a decimal is taken as that decimal,
    since `0.07` arrives as 0.07000000000000001). Output is always a string
    such as "12.50". OpenAPI documents it as `anyOf` a patterned string or a
    number that is a multiple of the unit; responses are always the string.
    """

    places = 2
    max_digits = 14
    FLOAT_TOLERANCE = Decimal("1e-9")

    def __init__(self, *, minimum=None, maximum=None, positive=False, allow_zero=True, **kwargs):
        self.minimum = Decimal(str(minimum)) if minimum is not None else None
        self.maximum = Decimal(str(maximum)) if maximum is not None else None
        self.positive = positive
        self.allow_zero = allow_zero
        self.quantum = Decimal(1).scaleb(-self.places)
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("anyOf", self._openapi_branches())
        metadata.setdefault("example", str(self.quantum))
        super().__init__(metadata=metadata, **kwargs)

    def _openapi_branches(self):
        digits = self.max_digits - self.places
        non_negative = self.positive or (self.minimum is not None and self.minimum >= 0)
        sign = "" if non_negative else "-?"
        pattern = rf"^{sign}[0-9]{{1,{digits}}}(\.[0-9]{{1,{self.places}}})?$"
        string = {"type": "string", "pattern": pattern}
        largest = Decimal(10) ** digits - self.quantum
        number = {"type": "number", "multipleOf": float(self.quantum), "maximum": float(largest)}
        number["minimum"] = float(self.minimum) if self.minimum is not None else (
            0 if non_negative else float(-largest))
        if self.maximum is not None:
            number["maximum"] = float(self.maximum)
        if self.positive:
            number["exclusiveMinimum"] = True
        return [string, number]

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return str(Decimal(str(value)).quantize(self.quantum))

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError("Not a valid decimal.")
        if isinstance(value, str):
            text = value.strip()
            if not ASCII_DECIMAL.fullmatch(text):
                raise ValidationError("Not a valid decimal string.")
        else:
            text = repr(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Not a valid decimal.") from None
        if not number.is_finite():
            raise ValidationError("Not a valid decimal.")
        if abs(number) >= Decimal(10) ** (self.max_digits - self.places):
            raise ValidationError("Too large.")
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        if self.positive and number <= 0:
            raise ValidationError("Must be greater than 0.")
        rounded = number.quantize(self.quantum)
        tolerance = self.FLOAT_TOLERANCE if isinstance(value, float) else 0
        if abs(number - rounded) > tolerance:
            raise ValidationError(f"At most {self.places} decimal places.")
        number = rounded
        if self.positive and number <= 0:
            raise ValidationError("Must be greater than 0.")
        if not self.allow_zero and number == 0:
            raise ValidationError("Must not be 0.")
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(f"Must be at most {self.maximum}.")
        return number


class MoneyField(FixedDecimal):
    places = 2


class QuantityField(FixedDecimal):
    places = 3


def register_fields(api):
    # no top-level type: the `anyOf` in each field's metadata says string or number
    api.register_field(MoneyField, None, None)
    api.register_field(QuantityField, None, None)
