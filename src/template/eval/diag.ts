// Small helpers for building diagnostics with precise source ranges.
import type { Pos, Range } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { didYouMean } from '../../hcl/suggest.js';

export function diag(summary: string, detail: string, subject: Range, context?: Range): Diagnostic {
  const d: Diagnostic = { severity: 'error', summary, detail, subject };
  if (context) d.context = context;
  return d;
}

/** The span from the start of `a` to the end of `b`. */
export function rangeBetween(a: Range, b: Range): Range {
  return { filename: a.filename, start: a.start, end: b.end };
}

/** The span between two positions of the same file. */
export function rangeOf(filename: string, start: Pos, end: Pos): Range {
  return { filename, start, end };
}

/** The last character of a range: the closing parenthesis of a call. */
export function lastCharRange(r: Range): Range {
  const start: Pos = { line: r.end.line, column: Math.max(1, r.end.column - 1), byte: Math.max(0, r.end.byte - 1) };
  return { filename: r.filename, start, end: r.end };
}

/** " Did you mean "x"?" when a candidate is close enough, else "". */
export function suggestion(name: string, candidates: Iterable<string>): string {
  const best = didYouMean(name, [...candidates]);
  return best === null ? '' : ` Did you mean ${JSON.stringify(best)}?`;
}

/** Stable `file:line:col-line:col` text for a range (tests, try() error listings). */
export function formatRange(r: Range): string {
  return `${r.filename}:${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;
}
