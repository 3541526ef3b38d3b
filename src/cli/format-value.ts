// Values as `imgbuild console` prints them, following Packer's console (terraform's old
// repl.FormatResult): a top-level string is printed raw, collections in HCL-like layout
// with quoted strings, and anything not known before a build as <unknown>.
import { containsUnknown, isObject, type Value } from '../core/model/value.js';

export function formatValue(v: Value): string {
  if (containsUnknown(v)) return '<unknown>';
  if (typeof v === 'string') return v;
  return nested(v, '');
}

function nested(v: Value, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${inner}${nested(x, inner)},\n`).join('')}${indent}]`;
  }
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return '{}';
    const lines = keys.map((k) => `${inner}${JSON.stringify(k)} = ${nested(v[k] ?? null, inner)}\n`);
    return `{\n${lines.join('')}${indent}}`;
  }
  return '<unknown>';
}
