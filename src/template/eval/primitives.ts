// cty's rules for primitive values: how numbers print, which strings are numbers or bools,
// deep equality, and the order in which object keys are visited.
import { isObject, isUnknown, UNKNOWN, type Unknown, type Value, type ValueObject } from '../../core/model/value.js';

// One number formatter for the whole template layer, so "${n}" and tostring(n) agree.
export { formatNumber } from '../convert.js';

const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** cty's string-to-number conversion: decimal notation only, no surrounding space. */
export function parseNumber(s: string): number | null {
  if (!NUMBER_RE.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** cty's string-to-bool conversion. */
export function parseBool(s: string): boolean | null {
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return null;
}

/** Deep equality as `==` sees it: no type conversion; unknown anywhere gives unknown. */
export function valuesEqual(a: Value, b: Value): boolean | Unknown {
  if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return allEqual(a.map((v, i) => [v, b[i] ?? null] as const));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length || !ka.every((k) => Object.hasOwn(b, k))) return false;
    return allEqual(ka.map((k) => [a[k] ?? null, b[k] ?? null] as const));
  }
  return a === b;
}

// A known difference wins over an unknown element: [1, x] == [2, x] is false whatever x is.
function allEqual(pairs: (readonly [Value, Value])[]): boolean | Unknown {
  let unknown = false;
  for (const [x, y] of pairs) {
    const r = valuesEqual(x, y);
    if (r === false) return false;
    if (isUnknown(r)) unknown = true;
  }
  return unknown ? UNKNOWN : true;
}

/** Object keys in cty's iteration order: lexical by code point. */
export function sortedKeys(o: ValueObject): string[] {
  return Object.keys(o).sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  // Code-point order matches Go's byte-wise UTF-8 order; UTF-16 order differs above U+FFFF.
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/** Sets an own key, even "__proto__", which plain assignment would treat as the prototype. */
export function setKey(o: ValueObject, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** Own-property lookup that never reaches Object.prototype (`x.constructor`, `x.__proto__`). */
export function getOwn(o: ValueObject, key: string): Value | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}
