// Helpers shared by several families: grapheme-aware string handling (cty measures strings
// in grapheme clusters), cty's type unification for lists/sets/maps, and cty's set ordering.
import { formatNumber, toStringValue, valuesEqual } from '../convert.js';
import { isObject, type Value, type ValueObject } from '../../core/model/value.js';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The user-perceived characters of s, as cty's textseg counts them, in time linear in s.
 * Intl.Segmenter alone is quadratic on long strings (65,536 characters took 10 s), so it
 * only sees short pieces: between two ASCII characters other than CR LF there is always a
 * boundary, and a long run without one is segmented a chunk at a time, each chunk's last
 * cluster carried into the next in case it continues there.
 */
export function graphemes(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && !(isAscii(s.charCodeAt(i - 1)) && isAscii(s.charCodeAt(i)) && !(s.charCodeAt(i - 1) === 13 && s.charCodeAt(i) === 10))) continue;
    if (i - start === 1) out.push(s.charAt(start));
    else segmentPiece(s.slice(start, i), out);
    start = i;
  }
  return out;
}

const SEGMENT_CHUNK = 256;

function segmentPiece(piece: string, out: string[]): void {
  let carry = '';
  for (let i = 0; i < piece.length; ) {
    let end = Math.min(piece.length, i + SEGMENT_CHUNK);
    const last = piece.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && end < piece.length) end++;
    const segs = Array.from(segmenter.segment(carry + piece.slice(i, end)), (x) => x.segment);
    i = end;
    carry = i < piece.length ? (segs.pop() ?? '') : '';
    for (const seg of segs) out.push(seg);
  }
  if (carry !== '') out.push(carry);
}

function isAscii(c: number): boolean {
  return c < 0x80;
}

type Kind = 'string' | 'number' | 'bool' | 'list' | 'object';

function kindOf(v: Value): Kind | null {
  if (v === null) return null;
  if (Array.isArray(v)) return 'list';
  if (isObject(v)) return 'object';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return null;
}

/**
 * Converts values to one common type the way cty unifies collection elements: mixed
 * primitives all become strings; collections must not mix with primitives. Returns null
 * when no common type exists.
 */
export function unify(values: readonly Value[]): Value[] | null {
  const kinds = new Set<Kind>();
  for (const v of values) {
    const k = kindOf(v);
    if (k) kinds.add(k);
  }
  if (kinds.size <= 1) return [...values];
  if (kinds.has('list') || kinds.has('object')) return null;
  return values.map((v) => (v === null ? null : toStringValue(v)));
}

/** Removes duplicates (HCL equality), keeping the first occurrence. */
export function distinct(values: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const v of values) if (!out.some((o) => valuesEqual(o, v))) out.push(v);
  return out;
}

/**
 * A set as cty orders one: deduplicated, strings lexically, numbers ascending, false before
 * true; anything else keeps first-seen order.
 */
export function toSet(values: readonly Value[]): Value[] {
  const out = distinct(values);
  if (out.every((v) => typeof v === 'string')) return out.sort(compareStrings);
  if (out.every((v) => typeof v === 'number')) return out.sort((a, b) => a - b);
  if (out.every((v) => typeof v === 'boolean')) return out.sort((a, b) => Number(a) - Number(b));
  return out;
}

/** Go's byte-wise string ordering (UTF-8 order equals code point order). */
export function compareStrings(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = (ca[i] as string).codePointAt(0) as number;
    const y = (cb[i] as string).codePointAt(0) as number;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}

/**
 * Sets a key on a result object. Keys come from user data, and a plain assignment of
 * "__proto__" would change the object's prototype instead of adding the key.
 */
export function setKey(o: ValueObject, key: string, v: Value): void {
  Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Object keys in cty's iteration order (lexical). */
export function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort(compareStrings);
}

/**
 * Compact JSON as cty's json.Marshal writes it: object keys sorted, numbers in plain decimal
 * notation, and strings escaped like Go's encoding/json (which escapes <, > and & as \u003c,
 * \u003e and \u0026, and U+2028/U+2029, so jsonencode output matches Packer byte for byte).
 */
export function marshalJSON(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quoteJSON(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot encode ${formatNumber(v)} as JSON`);
    return formatNumber(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(marshalJSON).join(',')}]`;
  if (isObject(v)) return `{${sortedKeys(v).map((k) => `${quoteJSON(k)}:${marshalJSON(v[k] as Value)}`).join(',')}}`;
  throw new RangeError('value is not yet known');
}

const JSON_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function quoteJSON(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    const esc = JSON_ESCAPES[ch];
    if (esc) out += esc;
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go's base64.StdEncoding: padding required, line breaks ignored, nothing else tolerated. */
export function decodeBase64Strict(s: string): Buffer | null {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  const buf = Buffer.from(clean, 'base64');
  // Go rejects non-canonical encodings whose unused trailing bits are set.
  return buf.toString('base64') === clean ? buf : null;
}

/**
 * The deepest nesting of [ and { in JSON or YAML flow text, brackets inside quoted strings
 * skipped: checked before parsing, since the parsers recurse (and take seconds) on
 * documents nested thousands deep.
 */
export function bracketDepth(text: string, quotes: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== '') {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (quotes.includes(c)) quote = c;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return max;
}
