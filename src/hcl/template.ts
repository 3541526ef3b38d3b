// Template assembly: the parser first reads a template as a flat list of pieces (literals,
// interpolations, directive markers); this file applies heredoc flushing, melds adjacent
// literals and nests if/for directives into the AST's TemplatePart tree. The order of
// those steps is HCL's, so whitespace comes out exactly as HCL produces it.
import type { Expr, Range, TemplatePart } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import { rangeBetween, rangeString } from './range.js';

export type TemplatePiece =
  | { kind: 'literal'; value: string; range: Range }
  | { kind: 'interp'; expr: Expr; range: Range }
  | { kind: 'if'; cond: Expr; range: Range }
  | { kind: 'for'; keyVar: string | null; valueVar: string; collection: Expr; range: Range }
  | { kind: 'else' | 'endif' | 'endfor'; range: Range };

export function assembleTemplate(
  pieces: TemplatePiece[],
  flush: boolean,
  endRange: Range,
  diags: Diagnostic[],
): TemplatePart[] {
  if (flush) flushHeredoc(pieces);
  const melded = meldLiterals(pieces);
  const builder = new TreeBuilder(melded, endRange, diags);
  return builder.root();
}

/** Strips the smallest common indentation from every line of a `<<-` heredoc. */
function flushHeredoc(pieces: TemplatePiece[]): void {
  let minSpaces = Number.MAX_SAFE_INTEGER;
  let newline = true;
  const adjust: Array<TemplatePiece & { kind: 'literal' }> = [];
  for (const piece of pieces) {
    if (newline) {
      newline = false;
      let spaces: number;
      if (piece.kind === 'literal') {
        const trimmed = piece.value.replace(/^\s+/, '');
        if (trimmed.length === 0 && piece.value.endsWith('\n')) {
          // A blank line says nothing about the intended indentation.
          spaces = Number.MAX_SAFE_INTEGER;
        } else {
          spaces = [...piece.value.slice(0, piece.value.length - trimmed.length)].length;
          adjust.push(piece);
        }
      } else {
        spaces = 0;
      }
      if (spaces < minSpaces) minSpaces = spaces;
    }
    if (piece.kind === 'literal' && piece.value.endsWith('\n')) newline = true;
  }
  if (minSpaces === Number.MAX_SAFE_INTEGER || minSpaces === 0) return;
  for (const lit of adjust) {
    const chars = [...lit.value];
    const cut = chars.slice(0, minSpaces).join('').length;
    lit.value = lit.value.slice(cut);
    lit.range = {
      filename: lit.range.filename,
      start: { line: lit.range.start.line, column: lit.range.start.column + minSpaces, byte: lit.range.start.byte + cut },
      end: lit.range.end,
    };
  }
}

function meldLiterals(pieces: TemplatePiece[]): TemplatePiece[] {
  const out: TemplatePiece[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    if (piece.kind === 'literal' && last?.kind === 'literal') {
      out[out.length - 1] = { kind: 'literal', value: last.value + piece.value, range: rangeBetween(last.range, piece.range) };
    } else {
      out.push(piece);
    }
  }
  // Trimming can leave empty literals behind; they mean nothing unless they are all there is.
  const nonEmpty = out.filter((p) => p.kind !== 'literal' || p.value !== '');
  return nonEmpty.length > 0 ? nonEmpty : out.slice(0, 1);
}

class TreeBuilder {
  private i = 0;

  constructor(
    private readonly pieces: TemplatePiece[],
    private readonly endRange: Range,
    private readonly diags: Diagnostic[],
  ) {}

  root(): TemplatePart[] {
    const parts: TemplatePart[] = [];
    while (this.i < this.pieces.length) {
      const piece = this.pieces[this.i++];
      if (!piece) break;
      const part = this.part(piece);
      if (part) parts.push(part);
    }
    return parts;
  }

  private part(piece: TemplatePiece): TemplatePart | null {
    switch (piece.kind) {
      case 'literal':
        return { kind: 'literal', value: piece.value, range: piece.range };
      case 'interp':
        return { kind: 'interp', expr: piece.expr, range: piece.range };
      case 'if':
        return this.ifPart(piece);
      case 'for':
        return this.forPart(piece);
      default:
        this.diags.push(
          error(`Unexpected ${piece.kind} directive`, 'The control directives within this template are unbalanced.', piece.range),
        );
        return null;
    }
  }

  private ifPart(open: TemplatePiece & { kind: 'if' }): TemplatePart | null {
    const thenParts: TemplatePart[] = [];
    let elseParts: TemplatePart[] | null = null;
    let current = thenParts;
    for (;;) {
      const next = this.pieces[this.i++];
      if (!next) {
        this.diags.push(
          error(
            'Unexpected end of template',
            `The if directive at ${rangeString(open.range)} is missing its corresponding endif directive.`,
            this.endRange,
          ),
        );
        return null;
      }
      if (next.kind === 'else') {
        if (elseParts === null) {
          elseParts = [];
          current = elseParts;
          continue;
        }
        this.diags.push(
          error('Unexpected else directive', `Already in the else clause for the if started at ${rangeString(open.range)}.`, next.range),
        );
        continue;
      }
      if (next.kind === 'endif') {
        return { kind: 'if', cond: open.cond, then: thenParts, else: elseParts, range: rangeBetween(open.range, next.range) };
      }
      if (next.kind === 'endfor') {
        this.diags.push(
          error('Unexpected endfor directive', `Expecting an endif directive for the if started at ${rangeString(open.range)}.`, next.range),
        );
        continue;
      }
      const part = this.part(next);
      if (part) current.push(part);
    }
  }

  private forPart(open: TemplatePiece & { kind: 'for' }): TemplatePart | null {
    const body: TemplatePart[] = [];
    for (;;) {
      const next = this.pieces[this.i++];
      if (!next) {
        this.diags.push(
          error(
            'Unexpected end of template',
            `The for directive at ${rangeString(open.range)} is missing its corresponding endfor directive.`,
            this.endRange,
          ),
        );
        return null;
      }
      if (next.kind === 'endfor') {
        return {
          kind: 'for',
          keyVar: open.keyVar,
          valueVar: open.valueVar,
          collection: open.collection,
          body,
          range: rangeBetween(open.range, next.range),
        };
      }
      if (next.kind === 'else') {
        this.diags.push(error('Unexpected else directive', 'An else clause is not expected for a for directive.', next.range));
        continue;
      }
      if (next.kind === 'endif') {
        this.diags.push(
          error(
            'Unexpected endif directive',
            `Expecting an endfor directive corresponding to the for directive at ${rangeString(open.range)}.`,
            next.range,
          ),
        );
        continue;
      }
      const part = this.part(next);
      if (part) body.push(part);
    }
  }
}
