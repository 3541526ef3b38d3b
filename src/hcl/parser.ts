// Entry points for HCL native syntax: whole files, standalone expressions and bare
// templates. Parsing never throws on bad input; every problem is a diagnostic.
import type { Expr, File, Pos, TemplateExpr } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { capDiagnostics, error } from './diagnostic.js';
import { lex } from './lexer.js';
import { BodyParser } from './parse-body.js';
import { ExprParser } from './parse-expr.js';
import { TokenStream } from './stream.js';

export interface ParseResult {
  file: File;
  diagnostics: Diagnostic[];
}

export function parseHCL(source: string, filename: string): ParseResult {
  const lexed = lex(source, filename);
  const parserDiags: Diagnostic[] = [];
  const stream = new TokenStream(lexed.tokens);
  const parser = new BodyParser(stream, parserDiags);
  const start = { line: 1, column: 1, byte: 0 };
  const body = parser.parseBody('EOF', { filename, start, end: start });
  return { file: { filename, source, body }, diagnostics: capDiagnostics(sortDiagnostics(lexed.diagnostics.concat(parserDiags))) };
}

/**
 * A standalone expression, as in `-var 'name=["a", "b"]'`, or a JSON string that stands
 * for an expression (`"type": "list(string)"`; pass the literal's start so ranges point
 * into the JSON file): newlines are insignificant and the input must be one expression.
 */
export function parseExpression(source: string, filename: string, opts: { start?: Pos } = {}): { expr: Expr; diagnostics: Diagnostic[] } {
  const lexed = lex(source, filename, opts.start ? { start: opts.start } : {});
  const diags: Diagnostic[] = [];
  const stream = new TokenStream(lexed.tokens);
  stream.pushNewlines(false);
  const expr = new ExprParser(stream, diags).parseExpression();
  const extra = stream.peek();
  if (extra.type !== 'EOF' && !stream.recovery && !stream.invalidAt.has(extra.range.start.byte)) {
    diags.push(error('Extra characters after expression', 'An expression was successfully parsed, but extra characters were found after it.', extra.range));
  }
  return { expr, diagnostics: capDiagnostics(sortDiagnostics(lexed.diagnostics.concat(diags))) };
}

/** A bare template: the whole input is template text, as in a file for templatefile(). */
export function parseTemplate(source: string, filename: string, opts: { start?: Pos } = {}): { expr: TemplateExpr; diagnostics: Diagnostic[] } {
  const lexed = lex(source, filename, opts.start ? { mode: 'template', start: opts.start } : { mode: 'template' });
  const diags: Diagnostic[] = [];
  const expr = new ExprParser(new TokenStream(lexed.tokens), diags).parseBareTemplate();
  return { expr, diagnostics: capDiagnostics(sortDiagnostics(lexed.diagnostics.concat(diags))) };
}

/** Orders diagnostics by position (stable), so output reads top to bottom. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.subject?.start.byte ?? -1) - (b.d.subject?.start.byte ?? -1) || a.i - b.i)
    .map((x) => x.d);
}
