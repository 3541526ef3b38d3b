// Templates in expressions: quoted strings and heredocs, read as literal pieces,
// interpolations and directives (with strip markers applied to their neighbours), then
// assembled into the AST's template parts. Interpolated expressions come from the
// subclass, which is the expression parser.
import type { Expr, Range, TemplateExpr } from './ast.js';
import { decodeLiteral } from './escapes.js';
import { ParserBase } from './parse-base.js';
import { rangeBetween } from './range.js';
import { didYouMean } from './suggest.js';
import type { TemplatePiece } from './template.js';
import { assembleTemplate } from './template.js';
import type { Token, TokenType } from './token.js';

export abstract class TemplateParser extends ParserBase {
  abstract parseExpression(): Expr;

  /** Reads a quoted template or heredoc whose opening token was just read. */
  parseTemplate(open: Token): TemplateExpr {
    const heredoc = open.type === 'OHeredoc';
    const { pieces, endRange } = this.templatePieces(heredoc ? 'CHeredoc' : 'CQuote', open);
    if (pieces.length === 0) {
      pieces.push({ kind: 'literal', value: '', range: { filename: open.range.filename, start: open.range.end, end: open.range.end } });
    }
    const flush = heredoc && open.text.startsWith('<<-');
    const parts = assembleTemplate(pieces, flush, endRange, this.diags);
    return { kind: 'template', parts, heredoc, range: rangeBetween(open.range, endRange) };
  }

  /** A template that is the whole input (lexed in 'template' mode), as JSON strings are. */
  parseBareTemplate(): TemplateExpr {
    const first = this.s.peek().range;
    const { pieces, endRange } = this.templatePieces('EOF', null);
    if (pieces.length === 0) pieces.push({ kind: 'literal', value: '', range: first });
    const parts = assembleTemplate(pieces, false, endRange, this.diags);
    return { kind: 'template', parts, heredoc: false, range: rangeBetween(first, endRange) };
  }

  private templatePieces(closer: TokenType, open: Token | null): { pieces: TemplatePiece[]; endRange: Range } {
    const pieces: TemplatePiece[] = [];
    const startRange = this.s.peek().range;
    let endRange: Range;
    let ltrimNext = false;
    let nextCanTrimPrev = false;
    for (;;) {
      const next = this.s.read();
      if (next.type === closer) {
        endRange = next.range;
        break;
      }
      const ltrim = ltrimNext;
      ltrimNext = false;
      const canTrimPrev = nextCanTrimPrev;
      nextCanTrimPrev = false;
      if (next.type === 'QuotedLit' || next.type === 'StringLit') {
        let value = decodeLiteral(next.text, next.type === 'QuotedLit', next.range, this.diags);
        if (ltrim) value = value.trimStart();
        pieces.push({ kind: 'literal', value, range: next.range });
        nextCanTrimPrev = true;
        continue;
      }
      if (next.type === 'TemplateInterp' || next.type === 'TemplateControl') {
        if (canTrimPrev && next.text.endsWith('~')) {
          const prev = pieces[pieces.length - 1];
          if (prev?.kind === 'literal') prev.value = prev.value.trimEnd();
        }
        this.s.pushNewlines(false);
        const result = next.type === 'TemplateInterp' ? this.templateInterp(next, startRange, closer) : this.templateDirective(next, startRange);
        this.s.popNewlines();
        if (result.piece) pieces.push(result.piece);
        ltrimNext = result.ltrimNext;
        continue;
      }
      if (!this.s.recovery) {
        if (open && next.type === 'EOF') {
          // The end of the file says little; the opener is what the user must close.
          const opener = openerRange(open);
          const detail =
            open.type === 'OHeredoc'
              ? `There is no line containing only "${opener.text.replace(/^<<-?/, '')}" to close this heredoc before the end of the file.`
              : 'There is no closing quote for this string before the end of the file.';
          this.err('Unterminated template string', detail, opener.range, rangeBetween(open.range, next.range));
        } else {
          this.err('Unterminated template string', 'No closing marker was found for the string.', next.range, rangeBetween(startRange, next.range));
        }
      }
      endRange = next.type === 'EOF' ? next.range : this.s.recover(closer).range;
      break;
    }
    return { pieces, endRange };
  }

  private templateInterp(open: Token, startRange: Range, closer: TokenType): { piece: TemplatePiece | null; ltrimNext: boolean } {
    const expr = this.parseExpression();
    const close = this.s.peek();
    if (close.type !== 'TemplateSeqEnd') {
      if (!this.s.recovery) {
        if (close.type === 'EOF') {
          this.err(
            'Unclosed template interpolation sequence',
            'There is no closing brace for this interpolation sequence before the end of the file. This might be caused by incorrect nesting inside the given expression.',
            open.range,
          );
        } else if (close.type === 'Colon') {
          this.err(
            'Extra characters after interpolation expression',
            'Template interpolation doesn\'t expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with "$${" instead of just "${".',
            close.range,
            rangeBetween(startRange, close.range),
          );
        } else if ((close.type === 'CQuote' || close.type === 'OQuote') && closer === 'CQuote') {
          this.err(
            'Unclosed template interpolation sequence',
            'There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.',
            open.range,
          );
        } else {
          this.err(
            'Extra characters after interpolation expression',
            'Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with "$${" instead of just "${".',
            close.range,
            rangeBetween(startRange, close.range),
          );
        }
      }
      const end = this.s.recover('TemplateSeqEnd');
      return { piece: { kind: 'interp', expr, range: rangeBetween(open.range, end.range) }, ltrimNext: false };
    }
    this.s.read();
    return { piece: { kind: 'interp', expr, range: rangeBetween(open.range, close.range) }, ltrimNext: close.text.startsWith('~') };
  }

  private templateDirective(open: Token, startRange: Range): { piece: TemplatePiece | null; ltrimNext: boolean } {
    const none = { piece: null, ltrimNext: false };
    const kw = this.s.peek();
    if (kw.type !== 'Ident') {
      if (!this.s.recovery) {
        this.err(
          'Invalid template directive',
          'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
          kw.range,
          rangeBetween(open.range, kw.range),
        );
      }
      this.s.recover('TemplateSeqEnd');
      return none;
    }
    this.s.read();
    let make: (range: Range) => TemplatePiece;
    switch (kw.text) {
      case 'if': {
        const cond = this.parseExpression();
        make = (range) => ({ kind: 'if', cond, range });
        break;
      }
      case 'else':
      case 'endif':
      case 'endfor': {
        const kind = kw.text;
        make = (range) => ({ kind, range });
        break;
      }
      case 'for': {
        const fail = (detail: string): { piece: TemplatePiece; ltrimNext: false } => {
          if (!this.s.recovery) this.err("Invalid 'for' directive", detail, this.s.peek().range);
          const end = this.s.recover('TemplateSeqEnd');
          // A placeholder keeps the matching endfor from being reported as unbalanced.
          return { piece: placeholder('for', rangeBetween(open.range, end.range)), ltrimNext: false };
        };
        if (this.s.peek().type !== 'Ident') return fail("For directive requires variable name after 'for'.");
        let valueVar = this.s.read().text;
        let keyVar: string | null = null;
        if (this.s.peek().type === 'Comma') {
          this.s.read();
          keyVar = valueVar;
          if (this.s.peek().type !== 'Ident') return fail('For directive requires value variable name after comma.');
          valueVar = this.s.read().text;
        }
        const inKw = this.s.peek();
        if (inKw.type !== 'Ident' || inKw.text !== 'in') return fail("For directive requires 'in' keyword after names.");
        this.s.read();
        const collection = this.parseExpression();
        make = (range) => ({ kind: 'for', keyVar, valueVar, collection, range });
        break;
      }
      default: {
        const suggestion = didYouMean(kw.text, ['if', 'for', 'else', 'endif', 'endfor']);
        if (!this.s.recovery) {
          this.err(
            'Invalid template control keyword',
            `"${kw.text}" is not a valid template control keyword.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
            kw.range,
            rangeBetween(open.range, kw.range),
          );
        }
        const end = this.s.recover('TemplateSeqEnd');
        // Taking the suggested keyword keeps the rest of the directives balanced.
        return suggestion ? { piece: placeholder(suggestion, rangeBetween(open.range, end.range)), ltrimNext: false } : none;
      }
    }
    const close = this.s.peek();
    if (close.type !== 'TemplateSeqEnd') {
      if (!this.s.recovery) {
        this.err(
          `Extra characters in ${kw.text} marker`,
          'Expected a closing brace to end the sequence, but found extra characters.',
          close.range,
          rangeBetween(startRange, close.range),
        );
      }
      const end = this.s.recover('TemplateSeqEnd');
      return { piece: make(rangeBetween(open.range, end.range)), ltrimNext: false };
    }
    this.s.read();
    return { piece: make(rangeBetween(open.range, close.range)), ltrimNext: close.text.startsWith('~') };
  }
}
/** The opener's text and range without the line break a heredoc introducer ends with. */
function openerRange(open: Token): { text: string; range: Range } {
  const text = open.text.replace(/\r?\n$/, '');
  const r = open.range;
  return { text, range: { filename: r.filename, start: r.start, end: { line: r.start.line, column: r.start.column + text.length, byte: r.start.byte + text.length } } };
}

/** A directive piece standing in for one that could not be parsed. */
function placeholder(kind: string, range: Range): TemplatePiece {
  const nothing: Expr = { kind: 'literal', value: null, range };
  switch (kind) {
    case 'if':
      return { kind: 'if', cond: nothing, range };
    case 'for':
      return { kind: 'for', keyVar: null, valueVar: '', collection: nothing, range };
    case 'else':
    case 'endif':
      return { kind, range };
    default:
      return { kind: 'endfor', range };
  }
}
