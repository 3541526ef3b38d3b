// `imgbuild fmt`: canonical layout of HCL native syntax, following hclwrite.Format (what
// `packer fmt` runs). It works on tokens, not the AST, so every comment survives and
// only whitespace changes: indentation from bracket nesting, spacing between tokens, and
// alignment of `=` and end-of-line comments across consecutive lines. Heredoc bodies are
// emitted byte for byte.
import type { Diagnostic } from './diagnostic.js';
import { hasErrors } from './diagnostic.js';
import { lex } from './lexer.js';
import { parseHCL } from './parser.js';
import type { Token, TokenType } from './token.js';
import { isLineComment } from './token.js';

export interface FormatResult {
  /** The formatted text; the input unchanged when it has syntax errors. */
  output: string;
  diagnostics: Diagnostic[];
}

export function formatHCL(source: string, filename: string): FormatResult {
  const parsed = parseHCL(source, filename);
  if (hasErrors(parsed.diagnostics)) return { output: source, diagnostics: parsed.diagnostics };
  const lines = splitLines(formatTokens(lex(source, filename).tokens, source));
  formatIndent(lines);
  formatSpaces(lines);
  formatCells(lines);
  return { output: render(lines), diagnostics: parsed.diagnostics };
}

type FType = TokenType | 'Heredoc';

interface FTok {
  type: FType;
  text: string;
  /** Spaces written before the token; recomputed by the passes below. */
  spaces: number;
  lineComment: boolean;
}

interface Line {
  lead: FTok[];
  assign: FTok[] | null;
  comment: FTok[] | null;
}

/** Tokens as the formatter sees them: a heredoc is one opaque token, EOF is dropped. */
function formatTokens(tokens: readonly Token[], source: string): FTok[] {
  const out: FTok[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (!tok || tok.type === 'EOF') continue;
    if (tok.type === 'OHeredoc') {
      // Heredocs can nest through interpolations, so find the matching closer by depth.
      let depth = 0;
      let j = i;
      for (; j < tokens.length; j++) {
        const t = tokens[j];
        if (t?.type === 'OHeredoc') depth++;
        else if (t?.type === 'CHeredoc' && --depth === 0) break;
      }
      const close = tokens[j] ?? tok;
      out.push({ type: 'Heredoc', text: source.slice(tok.range.start.byte, close.range.end.byte), spaces: 0, lineComment: false });
      i = j;
      continue;
    }
    const lineComment = isLineComment(tok);
    const text = tok.type === 'Newline' ? '\n' : lineComment ? tok.text.trimEnd() : tok.text;
    out.push({ type: tok.type, text, spaces: 0, lineComment });
  }
  return out;
}

function splitLines(toks: FTok[]): Line[] {
  const lines: Line[] = [];
  let lead: FTok[] = [];
  for (const tok of toks) {
    if (tok.type === 'Newline') {
      lines.push({ lead, assign: null, comment: null });
      lead = [];
    } else {
      lead.push(tok);
    }
  }
  if (lead.length > 0) lines.push({ lead, assign: null, comment: null });
  for (const line of lines) {
    const last = line.lead[line.lead.length - 1];
    if (line.lead.length > 1 && last?.lineComment) {
      line.comment = [last];
      line.lead = line.lead.slice(0, -1);
    }
    // An `=` whose right side closes all its brackets on this line is a one-line
    // assignment, which takes part in alignment.
    for (let i = 1; i < line.lead.length; i++) {
      if (line.lead[i]?.type !== 'Equal') continue;
      let net = 0;
      for (let j = i; j < line.lead.length; j++) net += bracketChange(line.lead[j]);
      if (net === 0) {
        line.assign = line.lead.slice(i);
        line.lead = line.lead.slice(0, i);
      }
      break;
    }
  }
  return lines;
}

function bracketChange(tok: FTok | undefined): number {
  switch (tok?.type) {
    case 'OBrace':
    case 'OBrack':
    case 'OParen':
    case 'TemplateControl':
    case 'TemplateInterp':
      return 1;
    case 'CBrace':
    case 'CBrack':
    case 'CParen':
    case 'TemplateSeqEnd':
      return -1;
    default:
      return 0;
  }
}

/**
 * A line that opens more brackets than it closes indents the lines after it; a line that
 * closes them dedents itself. The stack remembers how many brackets each level opened,
 * so lopsided lines like `foo([` ... `])` indent once, not twice.
 */
function formatIndent(lines: Line[]): void {
  const indents: number[] = [];
  for (const line of lines) {
    const first = line.lead[0];
    if (!first) continue;
    let net = 0;
    for (const tok of line.lead) net += bracketChange(tok);
    for (const tok of line.assign ?? []) net += bracketChange(tok);
    if (net > 0) {
      first.spaces = 2 * indents.length;
      indents.push(net);
      continue;
    }
    let closed = -net;
    while (closed > 0 && indents.length > 0) {
      const top = indents[indents.length - 1] ?? 0;
      if (closed > top) {
        closed -= top;
        indents.pop();
      } else if (closed < top) {
        indents[indents.length - 1] = top - closed;
        closed = 0;
      } else {
        indents.pop();
        closed = 0;
      }
    }
    first.spaces = 2 * indents.length;
  }
}

const NIL: FTok = { type: 'EOF', text: '', spaces: 0, lineComment: false };

function formatSpaces(lines: Line[]): void {
  for (const line of lines) {
    spaceCell(line.lead);
    if (line.assign) {
      const first = line.assign[0];
      if (first) first.spaces = 1;
      spaceCell(line.assign);
    }
  }
}

function spaceCell(cell: FTok[]): void {
  for (let i = 0; i + 1 < cell.length; i++) {
    const tok = cell[i] ?? NIL;
    const before = i > 0 ? (cell[i - 1] ?? NIL) : NIL;
    const after = cell[i + 1] ?? NIL;
    after.spaces = spaceAfter(tok, before, after) ? 1 : 0;
  }
}

/** hclwrite's spacing rules, in hclwrite's order (the first matching rule wins). */
function spaceAfter(subject: FTok, before: FTok, after: FTok): boolean {
  const s = subject.type;
  const a = after.type;
  if (s === 'Ident' && a === 'OParen') return false;
  if ((s === 'Ident' && a === 'DoubleColon') || (s === 'DoubleColon' && a === 'Ident')) return false;
  if (s === 'Dot' || a === 'Dot') return false;
  if (a === 'Comma' || a === 'Ellipsis') return false;
  if (s === 'Comma') return true;
  if (
    s === 'QuotedLit' ||
    s === 'StringLit' ||
    s === 'OQuote' ||
    s === 'Heredoc' ||
    a === 'QuotedLit' ||
    a === 'StringLit' ||
    a === 'CQuote'
  ) {
    return false;
  }
  if (s === 'Ident' && subject.text === 'in' && before.type === 'Ident') return true;
  if (a === 'OBrack' && (s === 'Ident' || s === 'NumberLit' || bracketChange(subject) < 0)) return false;
  if (s === 'Minus') return !negationContext(before.type);
  if (s === 'Bang') return false;
  if (s === 'OBrace' || a === 'CBrace') return !(s === 'OBrace' && a === 'CBrace');
  if ((s === 'TemplateInterp' || s === 'TemplateControl') && a === 'OBrace') return true;
  if (s === 'CBrace' && a === 'TemplateSeqEnd') return true;
  if (s === 'TemplateSeqEnd' && (a === 'TemplateInterp' || a === 'TemplateControl')) return false;
  if (bracketChange(subject) > 0) return false;
  if (bracketChange(after) < 0) return false;
  return true;
}

/** A minus after one of these cannot be subtraction, so it is a negation: `-1`, `(-x)`. */
function negationContext(before: FType): boolean {
  switch (before) {
    case 'EOF':
    case 'OParen':
    case 'OBrace':
    case 'OBrack':
    case 'Equal':
    case 'Colon':
    case 'Comma':
    case 'Question':
    case 'Plus':
    case 'Star':
    case 'Slash':
    case 'Percent':
    case 'Minus':
    case 'EqualOp':
    case 'NotEqual':
    case 'GreaterThan':
    case 'GreaterThanEq':
    case 'LessThan':
    case 'LessThanEq':
    case 'And':
    case 'Or':
    case 'Bang':
      return true;
    default:
      return false;
  }
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function columns(cell: FTok[] | null): number {
  let n = 0;
  for (const tok of cell ?? []) n += tok.spaces + width(tok.text);
  return n;
}

/** Width in user-perceived characters (as hclwrite counts), so a flag emoji is one. */
function width(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      let n = 0;
      for (const _ of graphemes.segment(text)) n++;
      return n;
    }
  }
  return text.length;
}

/** Aligns `=` across runs of consecutive one-line assignments, then end-of-line comments. */
function formatCells(lines: Line[]): void {
  alignRuns(
    lines,
    (l) => l.assign,
    (l) => columns(l.lead),
  );
  alignRuns(
    lines,
    (l) => l.comment,
    (l) => columns(l.lead) + columns(l.assign),
  );
}

function alignRuns(lines: Line[], cell: (l: Line) => FTok[] | null, width: (l: Line) => number): void {
  let start = -1;
  let max = 0;
  const close = (end: number): void => {
    for (let i = start; i < end; i++) {
      const line = lines[i];
      if (!line) continue;
      const first = cell(line)?.[0];
      if (first) first.spaces = max - width(line) + 1;
    }
    start = -1;
    max = 0;
  };
  lines.forEach((line, i) => {
    if (cell(line) === null) {
      if (start !== -1) close(i);
      return;
    }
    if (start === -1) start = i;
    max = Math.max(max, width(line));
  });
  if (start !== -1) close(lines.length);
}

function render(lines: Line[]): string {
  const out: string[] = [];
  for (const line of lines) {
    for (const cell of [line.lead, line.assign, line.comment]) {
      for (const tok of cell ?? []) {
        if (tok.spaces > 0) out.push(' '.repeat(tok.spaces));
        out.push(tok.text);
      }
    }
    out.push('\n');
  }
  const text = out.join('');
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end === 0 ? '' : text.slice(0, end) + '\n';
}

function isSpace(c: number): boolean {
  return c === 10 || c === 32 || c === 13 || c === 9;
}
