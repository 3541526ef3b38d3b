// Values as text for `console` and `inspect`: JSON with object keys sorted and numbers in
// cty's notation, and an HCL-like rendering (`{ a = 1 }`) that fits one line when it can.
import { isObject, isUnknown, type Value } from '../../core/model/value.js';
import { formatNumber, sortedKeys } from './primitives.js';

const UNKNOWN_TEXT = '(known after build starts)';
const WIDTH = 80;

/**
 * JSON text for a value. Object keys are sorted, as cty's JSON encoding sorts them; unknown
 * values, which JSON cannot express, become null. `indent` > 0 pretty-prints.
 */
export function valueToJSON(value: Value, indent = 0): string {
  return toJSON(value, indent, '');
}

function toJSON(v: Value, indent: number, pad: string): string {
  if (v === null || isUnknown(v)) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const nl = indent > 0 ? '\n' : '';
  const sep = indent > 0 ? ': ' : ':';
  const items = Array.isArray(v)
    ? v.map((e) => inner + toJSON(e, indent, inner))
    : sortedKeys(v).map((k) => inner + JSON.stringify(k) + sep + toJSON(v[k] ?? null, indent, inner));
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  return open + nl + items.join(',' + nl) + nl + (indent > 0 ? pad : '') + close;
}

/** HCL-like text: `"str"`, `[1, 2]`, `{ a = 1 }`, `(known after build starts)`. */
export function describeValue(value: Value): string {
  return describe(value, '');
}

function describe(v: Value, pad: string): string {
  if (isUnknown(v)) return UNKNOWN_TEXT;
  if (v === null) return 'null';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return quote(v);
  const inner = pad + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const parts = v.map((e) => describe(e, inner));
    const flat = `[${parts.join(', ')}]`;
    if (fitsOnOneLine(flat, pad)) return flat;
    return `[\n${parts.map((p) => `${inner}${p},\n`).join('')}${pad}]`;
  }
  if (!isObject(v)) return UNKNOWN_TEXT;
  const keys = sortedKeys(v);
  if (keys.length === 0) return '{}';
  const names = keys.map(keyText);
  const parts = keys.map((k) => describe(v[k] ?? null, inner));
  const flat = `{ ${names.map((n, i) => `${n} = ${parts[i] ?? ''}`).join(', ')} }`;
  if (fitsOnOneLine(flat, pad)) return flat;
  // Multi-line objects align their `=` signs, as `fmt` does.
  const width = Math.max(...names.map((n) => n.length));
  return `{\n${names.map((n, i) => `${inner}${n.padEnd(width)} = ${parts[i] ?? ''}\n`).join('')}${pad}}`;
}

function fitsOnOneLine(text: string, pad: string): boolean {
  return !text.includes('\n') && pad.length + text.length <= WIDTH;
}

function keyText(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : quote(k);
}

/** A quoted HCL string: JSON escapes plus `$${` and `%%{` so nothing reads as a template. */
function quote(s: string): string {
  return JSON.stringify(s)
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
}
