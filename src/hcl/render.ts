// Diagnostics as users read them, in Packer's layout: severity and summary, the source
// line with the subject underlined, then the detail. The "in <block>" note names the
// innermost block around the problem, found by parsing the file the range points into.
import type { Block, Body, File, Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { MAX_DIAGNOSTICS_PER_FILE } from './diagnostic.js';
import { parseHCLJSON } from './json.js';
import { parseHCL } from './parser.js';

export { formatLocation } from './range.js';

export interface RenderOptions {
  color: boolean;
}

const ANSI = {
  bold: '\x1b[1m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  underline: '\x1b[4m',
  reset: '\x1b[0m',
};

/**
 * At most MAX_DIAGNOSTICS_PER_FILE per file (and the parsers' "Too many errors"; evaluation
 * may add more), then one line counting the rest, so output stays linear in the input.
 */
const RENDERED_PER_FILE = MAX_DIAGNOSTICS_PER_FILE + 1;

export function renderDiagnostics(list: readonly Diagnostic[], sources: ReadonlyMap<string, string>, opts: RenderOptions): string {
  const shown = new Map<string, number>();
  const out: string[] = [];
  for (const d of list) {
    const file = d.subject?.filename ?? '';
    const n = (shown.get(file) ?? 0) + 1;
    shown.set(file, n);
    if (n <= RENDERED_PER_FILE) out.push(renderDiagnostic(d, sources, opts));
  }
  for (const [file, n] of shown) {
    const rest = n - RENDERED_PER_FILE;
    if (rest > 0) out.push(`... and ${rest} more problem${rest === 1 ? '' : 's'}${file === '' ? '' : ` in ${file}`} not shown.\n`);
  }
  return out.join('\n');
}

export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>, opts: RenderOptions): string {
  const paint = (codes: string, text: string): string => (opts.color ? `${codes}${text}${ANSI.reset}` : text);
  const accent = d.severity === 'error' ? ANSI.red : ANSI.yellow;
  const label = d.severity === 'error' ? 'Error' : 'Warning';
  const out: string[] = [`${paint(ANSI.bold + accent, label + ':')} ${paint(ANSI.bold, d.summary)}`, ''];
  if (d.subject) {
    out.push(...codeFrame(d.subject, sources.get(d.subject.filename), paint, accent), '');
  }
  if (d.detail) out.push(d.detail, '');
  return out.join('\n');
}

/** Characters of a long line shown before and after the subject; the rest is elided. */
const FRAME_BEFORE = 60;
const FRAME_AFTER = 80;

function codeFrame(subject: Range, source: string | undefined, paint: (codes: string, text: string) => string, accent: string): string[] {
  const line = subject.start.line;
  if (source === undefined) {
    return [`  on ${subject.filename} line ${line}:`, '  (source code not available)'];
  }
  const where = enclosingBlockHeader(subject, source);
  const header = `  on ${subject.filename} line ${line}${where ? `, in ${where}` : ''}:`;
  const { start: lineStart, end: lineEnd } = lineBounds(source, subject.start.byte);
  const s = Math.max(lineStart, Math.min(subject.start.byte, lineEnd));
  const e = subject.end.line === line ? Math.max(s, Math.min(subject.end.byte, lineEnd)) : lineEnd;
  // A long line (minified JSON, a line of garbage) is shown as a window around the subject.
  const from = codePointBoundary(source, Math.max(lineStart, s - FRAME_BEFORE));
  const to = codePointBoundary(source, Math.min(lineEnd, Math.max(e, s + 1) + FRAME_AFTER, s + FRAME_BEFORE + FRAME_AFTER));
  const markEnd = Math.min(e, to);
  const before = (from > lineStart ? '…' : '') + source.slice(from, s);
  const marked = source.slice(s, markEnd);
  const after = source.slice(markEnd, to) + (to < lineEnd ? '…' : '');
  const gutter = `  ${line}: `;
  const pad = ' '.repeat(gutter.length) + [...before].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  const carets = '^'.repeat(Math.max(1, [...marked].length));
  return [header, `${gutter}${before}${paint(ANSI.underline, marked)}${after}`, `${pad}${paint(ANSI.bold + accent, carets)}`];
}

/** Start and end (without its line break) of the line holding string index `at`. */
function lineBounds(source: string, at: number): { start: number; end: number } {
  const clamped = Math.min(Math.max(at, 0), source.length);
  const start = clamped === 0 ? 0 : source.lastIndexOf('\n', clamped - 1) + 1;
  let end = source.indexOf('\n', clamped);
  if (end < 0) end = source.length;
  if (end > start && source.charCodeAt(end - 1) === 13) end--;
  return { start, end };
}

/** `i`, moved back off the low half of a surrogate pair. */
function codePointBoundary(source: string, i: number): number {
  const c = source.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff && i > 0 ? i - 1 : i;
}

const parsedCache = new Map<string, { source: string; file: File }>();

function parsed(filename: string, source: string): File {
  const hit = parsedCache.get(filename);
  if (hit && hit.source === source) return hit.file;
  const file = filename.endsWith('.json') ? parseHCLJSON(source, filename).file : parseHCL(source, filename).file;
  if (parsedCache.size > 32) parsedCache.clear();
  parsedCache.set(filename, { source, file });
  return file;
}

/**
 * `source "docker" "ubuntu"` for the innermost block whose braces hold the subject; a
 * problem with a block's own header is reported in the block around it.
 */
function enclosingBlockHeader(subject: Range, source: string): string | null {
  let body: Body = parsed(subject.filename, source).body;
  let found: Block | null = null;
  for (;;) {
    const inner: Block | undefined = body.items.find(
      (item): item is Block =>
        item.kind === 'block' && item.openBraceRange.end.byte <= subject.start.byte && subject.start.byte < item.range.end.byte,
    );
    if (!inner) break;
    found = inner;
    body = inner.body;
  }
  if (!found) return null;
  return [found.type, ...found.labels.map((l) => JSON.stringify(l))].join(' ');
}
