// The primitive conversions HCL (cty) applies implicitly: in string interpolation, when a
// value meets a type constraint, and when a function parameter wants a string, number or
// bool. Keeping them in one place keeps "1" + interpolation + tostring() consistent.
import { ImgbuildError } from '../core/errors.js';
import { isObject, isUnknown, typeName, type Value } from '../core/model/value.js';

/** A value could not be converted to the wanted primitive type. The message is cty's wording. */
export class ConversionError extends ImgbuildError {
  constructor(message: string) {
    super('E_CONVERT', message, { source: 'user' });
    this.name = 'ConversionError';
  }
}

/** Converts to string as cty does: numbers without a trailing ".0", bools as keywords. */
export function toStringValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) throw new ConversionError('a string is required, but the value is null');
  throw new ConversionError(`cannot convert ${typeName(v)} to string`);
}

/** Converts to number as cty does: numbers as-is, decimal strings parsed, anything else refused. */
export function toNumberValue(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = parseDecimal(v);
    if (n === null) {
      throw new ConversionError(
        `cannot convert ${JSON.stringify(v)} to number; given string must be a decimal representation of a number`,
      );
    }
    return n;
  }
  if (v === null) throw new ConversionError('a number is required, but the value is null');
  throw new ConversionError(`cannot convert ${typeName(v)} to number`);
}

/** Converts to bool as cty does: only the exact strings "true" and "false" convert. */
export function toBoolValue(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new ConversionError(
      `cannot convert ${JSON.stringify(v)} to bool; only the strings "true" or "false" are allowed`,
    );
  }
  if (v === null) throw new ConversionError('a bool is required, but the value is null');
  throw new ConversionError(`cannot convert ${typeName(v)} to bool`);
}

/**
 * HCL `==`: deep, and never converting between types ("1" != 1). Unknown is never equal to
 * anything here; the evaluator decides unknown results before asking.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i] as Value));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && valuesEqual(a[k] as Value, b[k] as Value));
  }
  return a === b;
}

/**
 * Formats a number the way cty turns one into a string: plain decimal notation, never an
 * exponent, no trailing ".0" (so 1e21 is "1000000000000000000000" and 1e-7 "0.0000001").
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Object.is(n, -0)) return '0';
  return expandExponent(String(n));
}

function expandExponent(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const sign = m[1] ?? '';
  const digits = (m[2] ?? '') + (m[3] ?? '');
  // Position of the decimal point relative to the start of `digits`.
  const point = (m[2] ?? '').length + Number(m[4]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseDecimal(s: string): number | null {
  if (!DECIMAL.test(s)) return null;
  return Number(s);
}
