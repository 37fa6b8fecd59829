"""marshmallow fields for money and quantities (decimal strings) and strict ints."""

import re
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields

INT32_MAX = 2**31 - 1


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


class Id(StrictInt):
    def __init__(self, **kwargs):
        super().__init__(minimum=1, **kwargs)


class FixedDecimal(fields.Field):
    """A decimal with a fixed number of places, as a string on the wire.

    Input accepts a JSON number or a decimal string with at most `places`
    decimals; output is always a string such as "12.50". Documented in OpenAPI
    as `type: string` with a pattern.
    """

    places = 2
    max_digits = 14

    def __init__(self, *, minimum=None, maximum=None, positive=False, allow_zero=True, **kwargs):
        digits = self.max_digits - self.places
        sign = "" if minimum is not None and minimum >= 0 or positive else "-?"
        pattern = rf"^{sign}\d{{1,{digits}}}(\.\d{{1,{self.places}}})?$"
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", pattern)
        metadata.setdefault("example", "0." + "0" * (self.places - 1) + "1" if self.places else "1")
        super().__init__(metadata=metadata, **kwargs)
        self.minimum = Decimal(str(minimum)) if minimum is not None else None
        self.maximum = Decimal(str(maximum)) if maximum is not None else None
        self.positive = positive
        self.allow_zero = allow_zero

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        quantum = Decimal(1).scaleb(-self.places)
        return str(Decimal(str(value)).quantize(quantum))

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError("Not a valid decimal.")
        text = str(value).strip() if isinstance(value, str) else repr(value)
        if isinstance(value, str) and not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValidationError("Not a valid decimal string.")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Not a valid decimal.") from None
        if not number.is_finite():
            raise ValidationError("Not a valid decimal.")
        if number.as_tuple().exponent < -self.places and number != number.quantize(
            Decimal(1).scaleb(-self.places)
        ):
            raise ValidationError(f"At most {self.places} decimal places.")
        number = number.quantize(Decimal(1).scaleb(-self.places))
        if abs(number) >= Decimal(10) ** (self.max_digits - self.places):
            raise ValidationError("Too large.")
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
    api.register_field(MoneyField, "string", None)
    api.register_field(QuantityField, "string", None)
