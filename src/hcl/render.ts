// Diagnostics as users read them, in Packer's layout: severity and summary, the source
// line with the subject underlined, then the detail. The "in <block>" note names the
// innermost block around the problem, found by parsing the file the range points into.
import type { Block, Body, File, Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
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

export function renderDiagnostics(list: readonly Diagnostic[], sources: ReadonlyMap<string, string>, opts: RenderOptions): string {
  return list.map((d) => renderDiagnostic(d, sources, opts)).join('\n');
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

function codeFrame(subject: Range, source: string | undefined, paint: (codes: string, text: string) => string, accent: string): string[] {
  const line = subject.start.line;
  if (source === undefined) {
    return [`  on ${subject.filename} line ${line}:`, '  (source code not available)'];
  }
  const where = enclosingBlockHeader(subject, source);
  const header = `  on ${subject.filename} line ${line}${where ? `, in ${where}` : ''}:`;
  const text = sourceLine(source, subject);
  const chars = [...text];
  const startCol = Math.max(1, Math.min(subject.start.column, chars.length + 1));
  const endCol = subject.end.line === line ? Math.max(subject.end.column, startCol) : chars.length + 1;
  const before = chars.slice(0, startCol - 1).join('');
  const marked = chars.slice(startCol - 1, endCol - 1).join('');
  const after = chars.slice(endCol - 1).join('');
  const gutter = `  ${line}: `;
  const pad = ' '.repeat(gutter.length) + before.replace(/[^\t]/g, ' ');
  const carets = '^'.repeat(Math.max(1, [...marked].length));
  return [header, `${gutter}${before}${paint(ANSI.underline, marked)}${after}`, `${pad}${paint(ANSI.bold + accent, carets)}`];
}

/** The text of the subject's first line, without its line break. */
function sourceLine(source: string, subject: Range): string {
  let start = Math.min(subject.start.byte, source.length);
  while (start > 0 && source.charCodeAt(start - 1) !== 10) start--;
  let end = source.indexOf('\n', start);
  if (end < 0) end = source.length;
  if (end > start && source.charCodeAt(end - 1) === 13) end--;
  return source.slice(start, end);
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
