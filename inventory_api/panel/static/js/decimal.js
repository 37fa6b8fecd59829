// Exact decimal arithmetic on the API's decimal strings ("12.50", "3.000"):
// values become BigInt counts of the smallest unit (cents, milli-units) and
// back, so the browser never adds or multiplies floats. Money has 2 places,
// quantities 3, as in the API.

export const MONEY = 2;
export const QTY = 3;

const DECIMAL = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/;

// "12.5" → 1250n at 2 places. Throws RangeError for text that is not a plain
// decimal or has more places than allowed (the user sees the API's rule).
export function toUnits(text, places) {
  const match = DECIMAL.exec(String(text ?? ""));
  if (!match || (!match[2] && !match[3])) throw new RangeError(`not a number: ${text}`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > places) throw new RangeError(`more than ${places} decimal places`);
  const units = BigInt((whole || "0") + fraction.padEnd(places, "0"));
  return sign === "-" ? -units : units;
}

// 1250n at 2 places → "12.50".
export function fromUnits(units, places) {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(places + 1, "0");
  const cut = digits.length - places;
  const text = places ? `${digits.slice(0, cut)}.${digits.slice(cut)}` : digits;
  return negative ? `-${text}` : text;
}

// Whether `text` parses at `places` (for form hints before the API answers).
export function isDecimal(text, places) {
  try {
    toUnits(text, places);
    return true;
  } catch {
    return false;
  }
}

// Divide by 10^shift, rounding half away from zero (the API's ROUND_HALF_UP).
function roundShift(units, shift) {
  const factor = 10n ** BigInt(shift);
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const rounded = (magnitude + factor / 2n) / factor;
  return negative ? -rounded : rounded;
}

// Money amount of quantity × price, rounded to cents: "2.500" × "1.99" → "4.98".
export function lineAmount(quantity, price) {
  return fromUnits(roundShift(toUnits(quantity, QTY) * toUnits(price, MONEY), QTY), MONEY);
}

// Σ of money strings → money string.
export function sumMoney(values) {
  return fromUnits(values.reduce((total, value) => total + toUnits(value, MONEY), 0n), MONEY);
}

// a − b on money strings.
export function subtractMoney(a, b) {
  return fromUnits(toUnits(a, MONEY) - toUnits(b, MONEY), MONEY);
}

// Compare two decimal strings at `places`: -1, 0 or 1.
export function compare(a, b, places) {
  const x = toUnits(a, places);
  const y = toUnits(b, places);
  return x < y ? -1 : x > y ? 1 : 0;
}
