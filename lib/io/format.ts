/**
 * NumPy-compatible array printing (the body of MXNet's `NDArray.__repr__`).
 *
 * MXNet 1.x prints `str(self.asnumpy())` with NumPy's default print options
 * (precision=8, threshold=1000, edgeitems=3, linewidth=75, floatmode='maxprec', sign='-').
 * This module reproduces that output byte for byte without the native addon:
 *
 * - float digits come from an exact Dragon4 (Steele & White / Burger & Dybvig) digit generator
 *   with NumPy's conventions: shortest round-trip digits in the value's own dtype, IEEE
 *   round-half-even acceptance of the interval bounds, cut-off and correct rounding of the exact
 *   binary value after 8 fraction digits, and "at least the integer digits" in positional mode;
 * - positional / scientific choice, common widths and padding follow NumPy's `FloatingFormat`;
 * - layout (nesting, blank lines, wrapping at 75 columns, `...` summarisation) follows NumPy's
 *   non-legacy `_formatArray`.
 *
 * MXNet 1.x requires NumPy < 2.0, so scientific notation starts at 1e8 for every float dtype
 * (NumPy >= 2.2 lowered that cut-off to 1e6 for float32; MXNet never saw that).
 * See docs/printing.md.
 */

export type DTypeName = 'float32' | 'float64' | 'int32' | 'uint8';

// Globals read once: inside a vm context (jest's test environment) every global lookup goes
// through the context's interceptors and keeps the hot loops from being optimised.
const { abs, ceil, clz32, floor, fround, max, min } = Math;
const { isFinite: isFiniteNumber, isInteger, isNaN: isNaNNumber } = Number;
const toNumber = Number;
const toText = String;
const toBigInt = BigInt;
const fromCharCode = String.fromCharCode;
const INFINITY = Number.POSITIVE_INFINITY;
const Float32ArrayCtor = Float32Array;

const PRECISION = 8;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 75;
const EXP_CUTOFF_MAX = 1e8;

// ---------------------------------------------------------------------------------------------
// Decomposition of a finite float into mantissa * 2^exponent, as the IEEE bits say.

interface FloatParts {
  negative: boolean;
  /** integer significand, at most 2^53 */
  mantissa: number;
  exponent: number;
  /** index of the highest set bit of `mantissa` */
  mantissaBit: number;
  /** the gap to the next float below is half the gap above (exact powers of two) */
  unequalMargins: boolean;
}

const bitsView = new DataView(new ArrayBuffer(8));
const parts: FloatParts = {
  negative: false,
  mantissa: 0,
  exponent: 0,
  mantissaBit: 0,
  unequalMargins: false,
};

function highestBit32(x: number): number {
  return 31 - clz32(x);
}

/** Fills `parts` for a finite value of the given float dtype. */
function decompose(x: number, isFloat32: boolean): void {
  if (isFloat32) {
    bitsView.setFloat32(0, x);
    const bits = bitsView.getUint32(0);
    const biased = (bits >>> 23) & 0xff;
    const fraction = bits & 0x7fffff;
    parts.negative = bits >>> 31 !== 0;
    if (biased !== 0) {
      parts.mantissa = 0x800000 + fraction;
      parts.exponent = biased - 150;
      parts.mantissaBit = 23;
      parts.unequalMargins = biased !== 1 && fraction === 0;
    } else {
      parts.mantissa = fraction;
      parts.exponent = -149;
      parts.mantissaBit = fraction === 0 ? 0 : highestBit32(fraction);
      parts.unequalMargins = false;
    }
    return;
  }
  bitsView.setFloat64(0, x);
  const hi = bitsView.getUint32(0);
  const lo = bitsView.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fracHi = hi & 0xfffff;
  parts.negative = hi >>> 31 !== 0;
  if (biased !== 0) {
    parts.mantissa = (0x100000 + fracHi) * 0x100000000 + lo;
    parts.exponent = biased - 1075;
    parts.mantissaBit = 52;
    parts.unequalMargins = biased !== 1 && fracHi === 0 && lo === 0;
  } else {
    parts.mantissa = fracHi * 0x100000000 + lo;
    parts.exponent = -1074;
    parts.mantissaBit = fracHi !== 0 ? 32 + highestBit32(fracHi) : lo === 0 ? 0 : highestBit32(lo);
    parts.unequalMargins = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Dragon4 digit generation (unique mode). Digits land in `digitBuf`; the decimal exponent of the
// first digit in `printExponent`.

const LOG10_2 = 0.30102999566398119521373889472449;
/** NumPy's scratch buffer size: the last digit ever generated is 10^(firstExponent - 16384). */
const BUFFER_SIZE = 16384;
/** Every integer below this is exact in a double (2^53). */
const EXACT_LIMIT = 9007199254740992;

const digitBuf = new Uint8Array(BUFFER_SIZE);
let printExponent = 0;

const POW2: number[] = [1];
for (let i = 1; i <= 53; i++) POW2.push(POW2[i - 1]! * 2);
const POW5: number[] = [1];
for (let i = 1; i <= 22; i++) POW5.push(POW5[i - 1]! * 5);
const POW10: number[] = [1];
for (let i = 1; i <= 22; i++) POW10.push(POW10[i - 1]! * 10);
const POW10_BIG: bigint[] = [1n];
function pow10Big(k: number): bigint {
  while (POW10_BIG.length <= k) POW10_BIG.push(POW10_BIG[POW10_BIG.length - 1]! * 10n);
  return POW10_BIG[k]!;
}

/**
 * How far digit generation may or must go:
 * - `fractional`: the cut-offs count digits after the decimal point (positional), otherwise
 *   significant digits (scientific);
 * - `cutoffMax`: stop after this many digits and round the exact value (-1: no limit);
 * - `cutoffMin`: keep going to at least this many digits even if fewer are unique (-1: none).
 */
interface Cutoffs {
  fractional: boolean;
  cutoffMax: number;
  cutoffMin: number;
}

/** Position (10^k) of the last digit Dragon4 may generate; `digitExponent` is floor(log10 v) + 1. */
function cutoffMaxExponent(digitExponent: number, c: Cutoffs): number {
  const buffer = digitExponent - BUFFER_SIZE;
  if (c.cutoffMax < 0) return buffer;
  return max(buffer, c.fractional ? -c.cutoffMax : digitExponent - c.cutoffMax);
}

/** Position (10^k) down to which Dragon4 must generate digits even when fewer are unique. */
function cutoffMinExponent(digitExponent: number, c: Cutoffs): number {
  if (c.cutoffMin < 0) return digitExponent;
  return min(digitExponent, c.fractional ? -c.cutoffMin : digitExponent - c.cutoffMin);
}

/**
 * Estimate of floor(log10(v)) + 1 that is exact or one too small (Burger & Dybvig), pulled up
 * into the legal range when a fractional cut-off would discard every digit anyway.
 */
function estimateDigitExponent(p: FloatParts, c: Cutoffs): number {
  let k = ceil((p.mantissaBit + p.exponent) * LOG10_2 - 0.69);
  if (c.cutoffMax >= 0 && c.fractional && k <= -c.cutoffMax) k = -c.cutoffMax + 1;
  return k;
}

/**
 * Applies the final rounding decision and returns the digit count. `low` / `high` say whether
 * the remaining value is within the margin of the lower / upper neighbour; when both or neither,
 * the exact remainder decides (ties to the even digit).
 */
function finishDigits(count: number, digit: number, low: boolean, high: boolean, cmpHalf: number): number {
  let roundDown = low;
  if (low === high) roundDown = cmpHalf < 0 || (cmpHalf === 0 && (digit & 1) === 0);
  if (roundDown) {
    digitBuf[count] = digit;
    return count + 1;
  }
  if (digit !== 9) {
    digitBuf[count] = digit + 1;
    return count + 1;
  }
  // carry: drop trailing nines and bump the first digit that is not a nine
  while (count > 0) {
    count--;
    if (digitBuf[count] !== 9) {
      digitBuf[count]! += 1;
      return count + 1;
    }
  }
  digitBuf[0] = 1;
  printExponent += 1;
  return 1;
}

/**
 * Dragon4 with doubles holding the big integers. Returns -1 when some quantity would not be an
 * exact integer in a double, so that the caller takes another route.
 */
function dragon4Number(p: FloatParts, c: Cutoffs): number {
  const unequal = p.unequalMargins;
  const e = p.exponent;
  let value: number;
  let scale: number;
  let marginLow: number;
  if (e > 0) {
    if (e + p.mantissaBit + 3 >= 53) return -1;
    const shift = POW2[e]!;
    value = p.mantissa * shift * (unequal ? 4 : 2);
    scale = unequal ? 4 : 2;
    marginLow = shift;
  } else {
    if (-e + 3 >= 53) return -1;
    value = p.mantissa * (unequal ? 4 : 2);
    scale = POW2[-e + (unequal ? 2 : 1)]!;
    marginLow = 1;
  }
  let digitExponent = estimateDigitExponent(p, c);
  if (digitExponent > 0) {
    if (digitExponent > 22) return -1;
    scale *= POW10[digitExponent]!;
  } else if (digitExponent < 0) {
    if (-digitExponent > 22) return -1;
    const pow = POW10[-digitExponent]!;
    value *= pow;
    marginLow *= pow;
  }
  if (value >= EXACT_LIMIT || scale * 10 >= EXACT_LIMIT || marginLow >= EXACT_LIMIT) return -1;
  if (value >= scale) {
    digitExponent += 1;
  } else {
    value *= 10;
    marginLow *= 10;
  }
  const cutoffMaxExp = cutoffMaxExponent(digitExponent, c);
  const cutoffMinExp = cutoffMinExponent(digitExponent, c);
  printExponent = digitExponent - 1;
  const isEven = p.mantissa % 2 === 0;

  // value < 10 * scale < 2^53 throughout; the margins may grow past 2^53, but then they dwarf
  // every other quantity, so the comparisons below stay right.
  let count = 0;
  let digit: number;
  let low: boolean;
  let high: boolean;
  for (;;) {
    digitExponent -= 1;
    digit = floor(value / scale);
    value -= digit * scale;
    if (value < 0) {
      digit -= 1;
      value += scale;
    } else if (value >= scale) {
      digit += 1;
      value -= scale;
    }
    const marginHigh = unequal ? marginLow * 2 : marginLow;
    low = isEven ? value <= marginLow : value < marginLow;
    high = isEven ? value + marginHigh >= scale : value + marginHigh > scale;
    if (((low || high) && digitExponent <= cutoffMinExp) || digitExponent === cutoffMaxExp) break;
    digitBuf[count++] = digit;
    value *= 10;
    marginLow *= 10;
  }
  const twice = value * 2;
  return finishDigits(count, digit, low, high, twice < scale ? -1 : twice > scale ? 1 : 0);
}

/** Dragon4 with exact BigInt arithmetic, for the values the double version cannot hold. */
function dragon4Big(p: FloatParts, c: Cutoffs): number {
  const unequal = p.unequalMargins;
  const e = p.exponent;
  const mantissa = toBigInt(p.mantissa);
  let value: bigint;
  let scale: bigint;
  let marginLow: bigint;
  if (e > 0) {
    value = mantissa << toBigInt(e + (unequal ? 2 : 1));
    scale = unequal ? 4n : 2n;
    marginLow = 1n << toBigInt(e);
  } else {
    value = mantissa << (unequal ? 2n : 1n);
    scale = 1n << toBigInt(-e + (unequal ? 2 : 1));
    marginLow = 1n;
  }
  let digitExponent = estimateDigitExponent(p, c);
  if (digitExponent > 0) {
    scale *= pow10Big(digitExponent);
  } else if (digitExponent < 0) {
    const pow = pow10Big(-digitExponent);
    value *= pow;
    marginLow *= pow;
  }
  if (value >= scale) {
    digitExponent += 1;
  } else {
    value *= 10n;
    marginLow *= 10n;
  }
  const cutoffMaxExp = cutoffMaxExponent(digitExponent, c);
  const cutoffMinExp = cutoffMinExponent(digitExponent, c);
  printExponent = digitExponent - 1;
  const isEven = p.mantissa % 2 === 0;

  let count = 0;
  let digit: number;
  let low: boolean;
  let high: boolean;
  for (;;) {
    digitExponent -= 1;
    const q = value / scale;
    value -= q * scale;
    digit = toNumber(q);
    const marginHigh = unequal ? marginLow * 2n : marginLow;
    low = isEven ? value <= marginLow : value < marginLow;
    high = isEven ? value + marginHigh >= scale : value + marginHigh > scale;
    if (((low || high) && digitExponent <= cutoffMinExp) || digitExponent === cutoffMaxExp) break;
    digitBuf[count++] = digit;
    value *= 10n;
    marginLow *= 10n;
  }
  const twice = value * 2n;
  return finishDigits(count, digit, low, high, twice < scale ? -1 : twice > scale ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Fast path: the same digits from the engine's own exact conversions (toExponential / toFixed).
//
// Dragon4's output is fully determined by three digit positions: where the shortest round-trip
// digits end (`last`), the cut-off (`maxExp`) and the required minimum (`minExp`). It stops at
// max(min(last, minExp), maxExp). Stopping at `last` gives the shortest digits; stopping anywhere
// else gives the exact value correctly rounded there, ties to even, provided the two margins are
// equal (not an exact power of two). The engine's conversions are exact but round ties away from
// zero, so exact ties, powers of two and a few edge positions go to Dragon4 instead.

let shortestDigits = '';
let shortestExponent = 0;

/** Parses `d.ddde±x` into shortestDigits / shortestExponent, without trailing zeros. */
function readExponential(s: string): void {
  const e = s.indexOf('e');
  let end = e;
  while (end > 2 && s.charCodeAt(end - 1) === 48) end--;
  shortestDigits = e > 1 ? s[0] + s.slice(2, end) : s[0]!;
  shortestExponent = toNumber(s.slice(e + 1));
}

/** Whether double `d` sits exactly halfway between two float32 values (or outside their normal range). */
function float32Ambiguous(d: number): boolean {
  if (!(d >= 1.1754943508222875e-38 && d < 3.4028234663852886e38)) return true;
  bitsView.setFloat64(0, d);
  return (bitsView.getUint32(4) & 0x1fffffff) === 0x10000000;
}

/**
 * Shortest digits of positive `x` that read back as the same value of its dtype. For float32
 * this is a binary search over the digit count (a count that round-trips stays valid when
 * longer), reading candidates back through a double; a candidate that lands exactly halfway
 * between two float32 values could be double-rounded, so that answer is refused.
 */
function findShortest(x: number, isFloat32: boolean): boolean {
  if (!isFloat32) {
    readExponential(x.toExponential());
    return true;
  }
  let lo = 1;
  let hi = 9;
  let best = '';
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const candidate = x.toExponential(mid - 1);
    const d = toNumber(candidate);
    if (float32Ambiguous(d)) return false;
    if (fround(d) === x) {
      hi = mid;
      best = candidate;
    } else {
      lo = mid + 1;
    }
  }
  readExponential(best || x.toExponential(8));
  return true;
}

/** Whether positive `x` is at least 10^p; false also when too close to tell cheaply. */
function atLeastPow10(x: number, p: number): boolean {
  if (p >= 0 && p <= 22) return x >= POW10[p]!;
  return x >= toNumber('1e' + p) * (1 + 8.881784197001252e-16); // 1 + 2^-50
}

function trailingZeroBits(m: number): number {
  const lo = m % 4294967296;
  if (lo !== 0) return 31 - clz32(lo & -lo);
  const hi = (m - lo) / 4294967296;
  return 63 - clz32(hi & -hi);
}

/** Whether the value in `parts` lies exactly halfway between two multiples of 10^position. */
function isHalfway(position: number): boolean {
  const zeros = trailingZeroBits(parts.mantissa);
  if (parts.exponent + zeros !== position - 1) return false;
  if (position <= 0) return true;
  if (position > 22) return false;
  return (parts.mantissa / POW2[zeros]!) % POW5[position]! === 0;
}

/** Digits of a `toFixed` string with leading zeros removed; sets printExponent. */
function readFixed(s: string): string | null {
  const dot = s.indexOf('.');
  const whole = dot < 0 ? s : s.slice(0, dot);
  const all = dot < 0 ? s : whole + s.slice(dot + 1);
  let zeros = 0;
  while (zeros < all.length && all.charCodeAt(zeros) === 48) zeros++;
  if (zeros === all.length) return null;
  printExponent = whole.length - 1 - zeros;
  return all.slice(zeros);
}

/** Dragon4's digits for positive `x` (already in `parts`) without Dragon4, or null when unsure. */
function nativeDigits(x: number, isFloat32: boolean, c: Cutoffs): string | null {
  if (parts.unequalMargins || !findShortest(x, isFloat32)) return null;
  const p = shortestExponent;
  // shortest digits "1" may come from rounding up 0.99.. * 10^p: then Dragon4 counts positions
  // from 10^(p-1), so let it handle those
  if (shortestDigits === '1' && !atLeastPow10(x, p)) return null;
  const last = p - shortestDigits.length + 1;
  // the engine breaks a tie between two shortest candidates upwards, Dragon4 to the even digit
  if (isHalfway(last)) return null;
  let maxExp = -INFINITY;
  let minExp = p + 1;
  if (c.fractional) {
    if (c.cutoffMax >= 0) {
      if (p <= -c.cutoffMax) return null;
      maxExp = -c.cutoffMax;
    }
    if (c.cutoffMin >= 0) minExp = min(p + 1, -c.cutoffMin);
  } else {
    if (c.cutoffMax >= 0) maxExp = p + 1 - c.cutoffMax;
    if (c.cutoffMin >= 0) minExp = p + 1 - c.cutoffMin;
  }
  const stop = max(min(last, minExp), maxExp);
  if (stop === last) {
    printExponent = p;
    return shortestDigits;
  }
  if (isHalfway(stop)) return null;
  if (c.fractional) {
    if (stop > 0 || stop < -100 || x >= 1e21) return null;
    return readFixed(x.toFixed(-stop));
  }
  if (p - stop > 100) return null;
  readExponential(x.toExponential(p - stop));
  printExponent = shortestExponent;
  return shortestDigits;
}

// ---------------------------------------------------------------------------------------------

/**
 * How digits are produced. 'auto' tries the cheapest exact method first: Dragon4 on doubles for
 * float32 (its integers fit a double for most float32 values), the engine's conversions for
 * float64, then the other, then BigInt Dragon4. The other settings force one route (with BigInt
 * as the last resort) so tests can check that every route prints the same.
 */
export type DigitPath = 'auto' | 'dragon4' | 'native' | 'bigint';
let digitPath: DigitPath = 'auto';

/**
 * NumPy's Dragon4 digits for the finite value `x` whose bits are in `parts`; the decimal
 * exponent of the first digit goes to printExponent. Trailing zeros may be present.
 */
function generateDigits(x: number, isFloat32: boolean, c: Cutoffs): string {
  if (parts.mantissa === 0) {
    printExponent = 0;
    return '0';
  }
  const tryDragon4 = digitPath === 'dragon4' || (digitPath === 'auto' && isFloat32);
  const tryNative = digitPath === 'native' || digitPath === 'auto';
  let n = tryDragon4 ? dragon4Number(parts, c) : -1;
  if (n < 0) {
    if (tryNative) {
      const s = nativeDigits(abs(x), isFloat32, c);
      if (s !== null) return s;
    }
    if (digitPath === 'auto' && !isFloat32) n = dragon4Number(parts, c);
    if (n < 0) n = dragon4Big(parts, c);
  }
  let s = '';
  for (let i = 0; i < n; i++) s += fromCharCode(48 + digitBuf[i]!);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Positional and scientific rendering (NumPy's dragon4_positional / dragon4_scientific).

const enum Trim {
  /** 'k': keep trailing zeros */
  None,
  /** '.': trim trailing zeros, keep the point */
  Zeros,
  /** '0': trim trailing zeros but leave one after the point */
  LeaveOneZero,
  /** '-': trim trailing zeros and the point */
  DptZeros,
}

interface PositionalOptions {
  precision: number;
  minDigits: number;
  trim: Trim;
  padLeft: number;
  padRight: number;
}

interface ScientificOptions {
  precision: number;
  minDigits: number;
  trim: Trim;
  padLeft: number;
  expDigits: number;
}

function spaces(n: number): string {
  return n > 0 ? ' '.repeat(n) : '';
}

/**
 * NumPy's padding / trimming of the fraction digits. `point` says whether a positional number
 * keeps its decimal point.
 */
function trimFraction(fraction: string, trim: Trim, addDigits: number): { fraction: string; point: boolean } {
  if (trim === Trim.LeaveOneZero && fraction.length === 0) fraction = '0';
  else if (trim === Trim.None && addDigits > fraction.length) {
    fraction += '0'.repeat(addDigits - fraction.length);
  }
  let point = trim !== Trim.DptZeros || fraction.length > 0;
  if (trim !== Trim.None && fraction.length > 0) {
    let end = fraction.length;
    while (end > 0 && fraction.charCodeAt(end - 1) === 48) end--;
    fraction = fraction.slice(0, end);
    if (end === 0) {
      if (trim === Trim.LeaveOneZero) fraction = '0';
      else if (trim === Trim.DptZeros) point = false;
    }
  }
  return { fraction, point };
}

function formatPositional(x: number, isFloat32: boolean, o: PositionalOptions): string {
  decompose(x, isFloat32);
  const sign = parts.negative ? '-' : '';
  const digits = generateDigits(x, isFloat32, { fractional: true, cutoffMax: o.precision, cutoffMin: o.minDigits });
  const n = digits.length;
  let whole: string;
  let fraction: string;
  if (printExponent >= 0) {
    const wholeDigits = printExponent + 1;
    if (n <= wholeDigits) {
      whole = n < wholeDigits ? digits + '0'.repeat(wholeDigits - n) : digits;
      fraction = '';
    } else {
      whole = digits.slice(0, wholeDigits);
      fraction = digits.slice(wholeDigits);
    }
  } else {
    whole = '0';
    fraction = printExponent < -1 ? '0'.repeat(-(printExponent + 1)) + digits : digits;
  }
  const t = trimFraction(fraction, o.trim, max(o.minDigits, 0));
  let s = sign + whole + (t.point ? '.' : '') + t.fraction;
  if (o.padRight >= t.fraction.length) {
    if (o.trim === Trim.DptZeros && t.fraction.length === 0) s += ' ';
    s += spaces(o.padRight - t.fraction.length);
  }
  const leftWidth = whole.length + sign.length;
  if (o.padLeft > leftWidth) s = spaces(o.padLeft - leftWidth) + s;
  return s;
}

function formatScientific(x: number, isFloat32: boolean, o: ScientificOptions): string {
  decompose(x, isFloat32);
  const sign = parts.negative ? '-' : '';
  const digits = generateDigits(x, isFloat32, {
    fractional: false,
    cutoffMax: o.precision < 0 ? -1 : o.precision + 1,
    cutoffMin: o.minDigits < 0 ? -1 : o.minDigits + 1,
  });
  const n = digits.length;
  const lead = digits[0]!;
  const t = trimFraction(digits.slice(1), o.trim, max(o.minDigits, 0));
  // NumPy's scientific path only drops the point when no fraction digit was generated at all
  const point = o.trim !== Trim.DptZeros || n > 1 || t.fraction.length > 0;
  let exp = abs(printExponent).toString();
  const expDigits = o.expDigits < 0 ? 2 : min(o.expDigits, 5);
  if (exp.length < expDigits) exp = '0'.repeat(expDigits - exp.length) + exp;
  const body = sign + lead + (point ? '.' : '') + t.fraction + 'e' + (printExponent >= 0 ? '+' : '-') + exp;
  const leftChars = 1 + sign.length;
  return o.padLeft > leftChars ? spaces(o.padLeft - leftChars) + body : body;
}

// ---------------------------------------------------------------------------------------------
// Element formatters: widths are chosen once from the displayed values (NumPy's FloatingFormat
// and IntegerFormat).

type ElementFormatter = (x: number) => string;

function floatFormatter(shown: readonly number[], isFloat32: boolean): ElementFormatter {
  let finiteCount = 0;
  let maxAbs = 0;
  let minAbs = INFINITY;
  let hasNegInf = false;
  for (const x of shown) {
    if (isFiniteNumber(x)) {
      finiteCount++;
      const a = abs(x);
      if (a !== 0) {
        if (a > maxAbs) maxAbs = a;
        if (a < minAbs) minAbs = a;
      }
    } else if (x === -INFINITY) {
      hasNegInf = true;
    }
  }
  let expFormat = false;
  if (minAbs !== INFINITY) {
    // NumPy compares in the array's dtype, so float32 uses float32 thresholds and division
    const ratio = isFloat32 ? fround(maxAbs / minAbs) : maxAbs / minAbs;
    const small = isFloat32 ? fround(1e-4) : 1e-4;
    expFormat = maxAbs >= EXP_CUTOFF_MAX || minAbs < small || ratio > 1000;
  }

  // first pass: the widths of every displayed value printed on its own
  let padLeft = 0;
  let padRight = 0;
  let precision = 0;
  let expSize = 0;
  if (expFormat) {
    const first: ScientificOptions = { precision: PRECISION, minDigits: -1, trim: Trim.Zeros, padLeft: -1, expDigits: -1 };
    for (const x of shown) {
      if (!isFiniteNumber(x)) continue;
      const s = formatScientific(x, isFloat32, first);
      const e = s.indexOf('e');
      const dot = s.indexOf('.');
      if (dot > padLeft) padLeft = dot;
      if (e - dot - 1 > precision) precision = e - dot - 1;
      if (s.length - e - 2 > expSize) expSize = s.length - e - 2;
    }
    padRight = expSize + 2 + precision;
  } else {
    const first: PositionalOptions = { precision: PRECISION, minDigits: -1, trim: Trim.Zeros, padLeft: -1, padRight: -1 };
    for (const x of shown) {
      if (!isFiniteNumber(x)) continue;
      const s = formatPositional(x, isFloat32, first);
      const dot = s.indexOf('.');
      if (dot > padLeft) padLeft = dot;
      if (s.length - dot - 1 > padRight) padRight = s.length - dot - 1;
    }
  }
  if (finiteCount !== shown.length) {
    // nan / inf / -inf must fit in the common width as well
    const offset = padRight + 1;
    padLeft = max(padLeft, 3 - offset, 3 + (hasNegInf ? 1 : 0) - offset);
  }

  // second pass options: every value padded to the common widths
  let element: ElementFormatter;
  if (expFormat) {
    const opts: ScientificOptions = { precision, minDigits: precision, trim: Trim.None, padLeft, expDigits: expSize };
    element = (x) => formatScientific(x, isFloat32, opts);
  } else {
    const opts: PositionalOptions = { precision: PRECISION, minDigits: 0, trim: Trim.Zeros, padLeft, padRight };
    element = (x) => formatPositional(x, isFloat32, opts);
  }
  const width = padLeft + padRight + 1;
  return (x) => {
    if (isFiniteNumber(x)) return element(x);
    const word = isNaNNumber(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
    return spaces(width - word.length) + word;
  };
}

function integerFormatter(shown: readonly number[]): ElementFormatter {
  let width = 0;
  for (const x of shown) {
    const len = toText(x).length;
    if (len > width) width = len;
  }
  return (x) => {
    const s = toText(x);
    return s.length < width ? spaces(width - s.length) + s : s;
  };
}

/** `str()` of a NumPy scalar, which is what a 0-d array prints. */
function formatScalar(x: number, dtype: DTypeName): string {
  if (dtype === 'int32' || dtype === 'uint8') return toText(x);
  const isFloat32 = dtype === 'float32';
  if (isFloat32) x = fround(x);
  if (isNaNNumber(x)) return 'nan';
  if (!isFiniteNumber(x)) return x < 0 ? '-inf' : 'inf';
  const a = abs(x);
  if (a === 0 || (a < 1e16 && a >= 1e-4)) {
    return formatPositional(x, isFloat32, { precision: -1, minDigits: -1, trim: Trim.LeaveOneZero, padLeft: -1, padRight: -1 });
  }
  return formatScientific(x, isFloat32, { precision: -1, minDigits: -1, trim: Trim.DptZeros, padLeft: -1, expDigits: -1 });
}

// ---------------------------------------------------------------------------------------------
// Layout (NumPy's non-legacy _formatArray with separator ' ' and prefix '').

/** Where the elements are and which of them are shown. */
interface Grid {
  shape: readonly number[];
  strides: number[];
  summarize: boolean;
  read: (i: number) => number;
}

interface Layout extends Grid {
  format: ElementFormatter;
}

/** Indices shown along an axis of length `n`: all, or the first and last EDGE_ITEMS. */
function shownIndices(n: number, summarize: boolean): { lead: number; trail: number; gap: boolean } {
  if (summarize && n > 2 * EDGE_ITEMS) return { lead: EDGE_ITEMS, trail: EDGE_ITEMS, gap: true };
  return { lead: 0, trail: n, gap: false };
}

function collectShown(l: Grid, axis: number, offset: number, out: number[]): void {
  const n = l.shape[axis]!;
  const stride = l.strides[axis]!;
  const { lead, trail } = shownIndices(n, l.summarize);
  const last = axis === l.shape.length - 1;
  const visit = (i: number): void => {
    if (last) out.push(l.read(offset + i * stride));
    else collectShown(l, axis + 1, offset + i * stride, out);
  };
  for (let i = 0; i < lead; i++) visit(i);
  for (let i = n - trail; i < n; i++) visit(i);
}

/** Appends `word` to the current line, first breaking the line if it would pass `width`. */
class LineBuilder {
  readonly lines: string[] = [];
  line: string;
  constructor(private readonly indent: string) {
    this.line = indent;
  }
  add(word: string, width: number): void {
    if (this.line.length + word.length > width && this.line.length > this.indent.length) {
      this.lines.push(this.line.trimEnd());
      this.line = this.indent;
    }
    this.line += word;
  }
}

function formatRows(l: Layout, axis: number, offset: number, indent: string, width: number): string {
  const n = l.shape[axis]!;
  const stride = l.strides[axis]!;
  const axesLeft = l.shape.length - axis;
  const { lead, trail, gap } = shownIndices(n, l.summarize);
  const trailStart = n - trail;

  if (axesLeft === 1) {
    // the closing bracket must fit too, hence width - 1
    const elemWidth = width - 1;
    const b = new LineBuilder(indent);
    for (let i = 0; i < lead; i++) {
      b.add(l.format(l.read(offset + i * stride)), elemWidth);
      b.line += ' ';
    }
    if (gap) {
      b.add('...', elemWidth);
      b.line += ' ';
    }
    for (let i = trailStart; i < n; i++) {
      b.add(l.format(l.read(offset + i * stride)), elemWidth);
      if (i < n - 1) b.line += ' ';
    }
    b.lines.push(b.line);
    const s = b.lines.join('\n');
    return '[' + s.slice(indent.length) + ']';
  }

  const nextIndent = indent + ' ';
  const rowSep = '\n'.repeat(axesLeft - 1);
  const pieces: string[] = [];
  const row = (i: number): string => formatRows(l, axis + 1, offset + i * stride, nextIndent, width - 1);
  for (let i = 0; i < lead; i++) pieces.push(indent + row(i) + rowSep);
  if (gap) pieces.push(indent + '...' + rowSep);
  for (let i = trailStart; i < n - 1; i++) pieces.push(indent + row(i) + rowSep);
  pieces.push(indent + row(n - 1));
  const s = pieces.join('');
  return '[' + s.slice(indent.length) + ']';
}

// ---------------------------------------------------------------------------------------------
// Public API

function reader(data: ArrayLike<number>, dtype: DTypeName): (i: number) => number {
  return dtype === 'float32' && !(data instanceof Float32ArrayCtor) ? (i) => fround(data[i]!) : (i) => data[i]!;
}

/**
 * NumPy's `str(np.asarray(data, dtype).reshape(shape))` with default print options.
 * `data` is row-major and holds the stored values (a Float32Array for float32, ...).
 */
export function formatArrayBody(data: ArrayLike<number>, shape: readonly number[], dtype: DTypeName): string {
  let size = 1;
  for (const d of shape) {
    if (!isInteger(d) || d < 0) throw new RangeError(`formatArrayBody: bad shape [${shape.join(', ')}]`);
    size *= d;
  }
  if (data.length < size) {
    throw new RangeError(`formatArrayBody: data has ${data.length} elements, shape [${shape.join(', ')}] needs ${size}`);
  }
  if (shape.length === 0) return formatScalar(data[0]!, dtype);
  if (size === 0) return '[]';

  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  const grid: Grid = { shape, strides, summarize: size > THRESHOLD, read: reader(data, dtype) };
  // NumPy picks the number format from the displayed elements only
  const shown: number[] = [];
  collectShown(grid, 0, 0, shown);
  const format =
    dtype === 'float32' || dtype === 'float64' ? floatFormatter(shown, dtype === 'float32') : integerFormatter(shown);
  return formatRows({ ...grid, format }, 0, 0, ' ', LINE_WIDTH);
}

/** MXNet's `NDArray.__repr__`: `'\n' + body + '\n<NDArray 2x2 @cpu(0)>'`. */
export function formatNDArray(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: DTypeName,
  context = 'cpu(0)',
): string {
  return '\n' + formatArrayBody(data, shape, dtype) + '\n<NDArray ' + shape.join('x') + ' @' + context + '>';
}

/** Test hook: choose how float digits are generated (all paths must print the same). */
export function _setDigitPath(path: DigitPath): void {
  digitPath = path;
}
