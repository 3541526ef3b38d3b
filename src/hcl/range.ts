// Small helpers over source ranges shared by the parsers, the formatter and rendering.
import type { Pos, Range } from './ast.js';

export function rangeBetween(a: Range, b: Range): Range {
  return { filename: a.filename, start: a.start, end: b.end };
}

export function emptyRangeAt(filename: string, pos: Pos): Range {
  return { filename, start: pos, end: pos };
}

/** HCL's own range notation, used inside diagnostic details: `file:3,5-9` or `file:3,5-4,1`. */
export function rangeString(r: Range): string {
  if (r.start.line === r.end.line) return `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`;
  return `${r.filename}:${r.start.line},${r.start.column}-${r.end.line},${r.end.column}`;
}

/** `template.pkr.hcl:12:3`: the form editors and terminals turn into links. */
export function formatLocation(r: Range): string {
  return `${r.filename}:${r.start.line}:${r.start.column}`;
}
