// Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum, sum.
import type { Value } from '../../core/model/value.js';
import { define, type FunctionDef } from './types.js';

const num = { name: 'num', type: 'number' };

export const numericFunctions: FunctionDef[] = [
  define({ name: 'abs', params: [num] }, (a) => Math.abs(a.num(0))),
  define({ name: 'ceil', params: [num] }, (a) => Math.ceil(a.num(0))),
  define({ name: 'floor', params: [num] }, (a) => Math.floor(a.num(0))),
  define(
    { name: 'log', params: [num, { name: 'base', type: 'number' }] },
    (a) => Math.log(a.num(0)) / Math.log(a.num(1)),
  ),
  define({ name: 'max', params: [], variadic: { name: 'numbers', type: 'number' } }, (a) => {
    if (a.length === 0) throw a.fail('must pass at least one number');
    return Math.max(...a.values.map((_, i) => a.num(i)));
  }),
  define({ name: 'min', params: [], variadic: { name: 'numbers', type: 'number' } }, (a) => {
    if (a.length === 0) throw a.fail('must pass at least one number');
    return Math.min(...a.values.map((_, i) => a.num(i)));
  }),
  define(
    { name: 'parseint', params: [{ name: 'number', type: 'any' }, { name: 'base', type: 'number' }] },
    (a) => {
      const raw = a.nonNull(0);
      if (typeof raw !== 'string') {
        throw a.error(0, `first argument must be a string, not ${typeof raw === 'boolean' ? 'bool' : Array.isArray(raw) ? 'tuple' : typeof raw}`);
      }
      const base = a.num(1);
      if (!Number.isInteger(base) || base < 2 || base > 62) {
        throw a.error(1, 'base must be a whole number between 2 and 62 inclusive');
      }
      const n = parseBigInt(raw, base);
      if (n === null) throw a.error(0, `cannot parse ${JSON.stringify(raw)} as a base ${base} integer`);
      return Number(n);
    },
  ),
  define({ name: 'pow', params: [num, { name: 'power', type: 'number' }] }, (a) => Math.pow(a.num(0), a.num(1))),
  define({ name: 'signum', params: [num] }, (a) => {
    const n = a.num(0);
    return n > 0 ? 1 : n < 0 ? -1 : 0;
  }),
  define({ name: 'sum', params: [{ name: 'list', type: 'list(number)' }] }, (a): Value => {
    const v = a.nonNull(0);
    if (!Array.isArray(v)) throw a.fail('cannot sum noniterable');
    if (v.length === 0) throw a.fail('cannot sum an empty list');
    if (v.some((e) => e === null)) throw a.fail('argument must be list, set, or tuple of number values');
    return a.numList(0).reduce((s, n) => s + n, 0);
  }),
];

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Go's big.Int SetString for an explicit base: optional sign, no prefix, no underscores. */
function parseBigInt(s: string, base: number): bigint | null {
  let rest = s;
  let negative = false;
  if (rest.startsWith('+') || rest.startsWith('-')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '') return null;
  let n = 0n;
  const b = BigInt(base);
  for (const ch of rest) {
    // Bases up to 36 are case-insensitive; above that, upper case letters are digits 36..61.
    const d = base <= 36 ? DIGITS.indexOf(ch.toLowerCase()) : DIGITS.indexOf(ch);
    if (d < 0 || d >= base) return null;
    n = n * b + BigInt(d);
  }
  return negative ? -n : n;
}
