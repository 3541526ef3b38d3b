// Bodies of HCL's native syntax: attributes and blocks (with quoted or bare labels, and
// the one-line `a { b = 1 }` form), kept in file order. Errors resynchronise at the next
// line so one mistake does not hide the rest.
import type { Attribute, Block, Body, BodyItem, Range } from './ast.js';
import { decodeLiteral } from './escapes.js';
import { ExprParser } from './parse-expr.js';
import { rangeBetween, rangeString } from './range.js';
import type { Token, TokenType } from './token.js';

export class BodyParser extends ExprParser {
  /** Parses items up to `end` (EOF, or the `}` of a block opened at `openRange`). */
  parseBody(end: TokenType, openRange: Range): Body {
    const items: BodyItem[] = [];
    const attrs = new Map<string, Attribute>();
    let endRange = openRange;
    for (;;) {
      const next = this.s.peek();
      if (next.type === end) {
        endRange = this.s.read().range;
        break;
      }
      if (next.type === 'Newline') {
        this.s.read();
        continue;
      }
      if (next.type === 'Ident') {
        // Each item starts clean: errors in one argument should not silence the next.
        this.s.recovery = false;
        const item = this.parseBodyItem();
        if (item?.kind === 'attribute') {
          const existing = attrs.get(item.name);
          if (existing) {
            this.err(
              'Attribute redefined',
              `The argument "${item.name}" was already set at ${rangeString(existing.nameRange)}. Each argument may be set only once.`,
              item.nameRange,
            );
            continue;
          }
          attrs.set(item.name, item);
        }
        if (item) items.push(item);
        continue;
      }
      const bad = this.s.read();
      if (bad.type === 'EOF') {
        const suspect = misindentedBlock(items);
        const hint = suspect
          ? ` The "${suspect.type}" block on line ${suspect.typeRange.start.line} looks like the one left open: the brace on line ${suspect.range.end.line} that closes it is indented differently from its header.`
          : ' This may be caused by incorrect brace nesting elsewhere in this file.';
        this.err('Unclosed configuration block', `There is no closing brace for this block before the end of the file.${hint}`, openRange);
        endRange = bad.range;
        break;
      }
      if (!this.s.recovery && bad.type !== 'Invalid') {
        if (bad.type === 'OQuote') {
          this.err('Invalid argument name', 'Argument names must not be quoted.', bad.range);
        } else if (bad.type === 'CBrace' && end === 'EOF') {
          this.err(
            'Argument or block definition required',
            'An argument or block definition is required here. This closing brace has no block to close: there is one "}" too many, or a "{" is missing earlier in the file.',
            bad.range,
          );
        } else {
          this.err('Argument or block definition required', 'An argument or block definition is required here.', bad.range);
        }
      }
      if (bad.type !== 'Newline') this.s.recoverAfterBodyItem();
    }
    return { kind: 'body', items, range: rangeBetween(openRange, endRange) };
  }

  private parseBodyItem(): BodyItem | null {
    const ident = this.s.read();
    const next = this.s.peek();
    switch (next.type) {
      case 'Equal':
        return this.finishAttribute(ident, false);
      case 'OQuote':
      case 'OBrace':
      case 'Ident':
        return this.finishBlock(ident);
      default:
        this.s.recoverAfterBodyItem();
        this.err(
          'Argument or block definition required',
          'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.',
          ident.range,
        );
        return null;
    }
  }

  private finishAttribute(ident: Token, singleLine: boolean): Attribute {
    this.s.read(); // `=`
    const mark = this.diags.length;
    const expr = this.parseExpression();
    const attr: Attribute = { kind: 'attribute', name: ident.text, nameRange: ident.range, expr, range: rangeBetween(ident.range, expr.range) };
    if (this.failedSince(mark)) {
      this.s.recoverAfterBodyItem();
      return attr;
    }
    if (singleLine) return attr;
    const end = this.s.peek();
    if (end.type === 'Newline' || end.type === 'EOF') {
      this.s.read();
      return attr;
    }
    if (!this.s.recovery) {
      const comma = end.type === 'Comma';
      this.err(
        comma ? 'Unexpected comma after argument' : 'Missing newline after argument',
        comma
          ? 'Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.'
          : 'An argument definition must end with a newline.',
        end.range,
        rangeBetween(ident.range, end.range),
      );
    }
    this.s.recoverAfterBodyItem();
    return attr;
  }

  private finishBlock(ident: Token): Block | null {
    const labels: string[] = [];
    const labelRanges: Range[] = [];
    let oBrace: Token | null = null;
    while (!oBrace) {
      const tok = this.s.peek();
      if (tok.type === 'OBrace') {
        oBrace = this.s.read();
      } else if (tok.type === 'OQuote') {
        const label = this.parseQuotedLabel();
        labels.push(label.value);
        labelRanges.push(label.range);
      } else if (tok.type === 'Ident') {
        this.s.read();
        labels.push(tok.text);
        labelRanges.push(tok.range);
      } else {
        const ctx = rangeBetween(ident.range, tok.range);
        if (tok.type === 'Equal') {
          this.err(
            'Invalid block definition',
            'The equals sign "=" indicates an argument definition, and must not be used when defining a block.',
            tok.range,
            ctx,
          );
        } else if (tok.type === 'Newline' || tok.type === 'EOF') {
          // `image "debian"` is far more often a forgotten "=" than a block header.
          const hint = labels.length === 1 ? ` To set the argument "${ident.text}" instead, put an equals sign ("=") before its value.` : '';
          this.err(
            'Invalid block definition',
            `A block definition must have block content delimited by "{" and "}", starting on the same line as the block header.${hint}`,
            tok.range,
            ctx,
          );
        } else if (!this.s.recovery) {
          this.err('Invalid block definition', 'Either a quoted string block label or an opening brace ("{") is expected here.', tok.range, ctx);
        }
        this.s.recoverAfterBodyItem();
        return null;
      }
    }

    let body: Body;
    const first = this.s.peek().type;
    if (first === 'Newline' || first === 'EOF' || first === 'CBrace') {
      body = this.nested(
        () => this.parseBody('CBrace', oBrace.range),
        () => ({ kind: 'body', items: [], range: this.tooDeep().range }),
      );
    } else {
      body = this.parseSingleAttrBody(oBrace);
    }

    const eol = this.s.peek();
    if (eol.type === 'Newline' || eol.type === 'EOF') {
      this.s.read();
    } else {
      if (!this.s.recovery) {
        this.err('Missing newline after block definition', 'A block definition must end with a newline.', eol.range, rangeBetween(ident.range, eol.range));
      }
      this.s.recoverAfterBodyItem();
    }
    return {
      kind: 'block',
      type: ident.text,
      typeRange: ident.range,
      labels,
      labelRanges,
      body,
      range: rangeBetween(ident.range, body.range),
      openBraceRange: oBrace.range,
    };
  }

  /** `a { b = 1 }`: one argument, closed on the same line. */
  private parseSingleAttrBody(oBrace: Token): Body {
    const items: BodyItem[] = [];
    const ident = this.s.read();
    const next = this.s.peek();
    if (ident.type === 'Ident' && next.type === 'Equal') {
      items.push(this.finishAttribute(ident, true));
    } else if (ident.type === 'Ident' && (next.type === 'OQuote' || next.type === 'OBrace' || next.type === 'Ident')) {
      this.err(
        'Argument definition required',
        `A single-line block definition can contain only a single argument. If you meant to define argument "${ident.text}", use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.`,
        rangeBetween(ident.range, next.range),
      );
      this.s.recovery = true;
    } else if (!this.s.recovery && ident.type !== 'Invalid') {
      this.err(
        'Argument or block definition required',
        ident.type === 'Ident'
          ? 'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.'
          : 'An argument or block definition is required here.',
        ident.range,
      );
      this.s.recovery = true;
    }
    const close = this.s.peek();
    let closeTok: Token;
    if (close.type === 'CBrace') {
      closeTok = this.s.read();
    } else {
      if (!this.s.recovery) {
        if (close.type === 'Comma') {
          this.err(
            'Invalid single-argument block definition',
            'Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.',
            close.range,
          );
        } else if (close.type === 'Newline') {
          this.err(
            'Invalid single-argument block definition',
            "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
            close.range,
          );
        } else if (close.type === 'EOF') {
          this.err(
            'Unclosed configuration block',
            'There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
            oBrace.range,
          );
        } else {
          this.err(
            'Invalid single-argument block definition',
            'A single-line block definition must end with a closing brace immediately after its single argument definition.',
            close.range,
          );
        }
      }
      closeTok = this.s.recover('CBrace');
    }
    return { kind: 'body', items, range: rangeBetween(oBrace.range, closeTok.range) };
  }

  private parseQuotedLabel(): { value: string; range: Range } {
    const open = this.s.read();
    const chunks: string[] = [];
    for (;;) {
      const tok = this.s.read();
      switch (tok.type) {
        case 'CQuote':
          return { value: chunks.join(''), range: rangeBetween(open.range, tok.range) };
        case 'QuotedLit':
          chunks.push(decodeLiteral(tok.text, true, tok.range, this.diags));
          break;
        case 'TemplateInterp':
        case 'TemplateControl': {
          const which = tok.type === 'TemplateControl' ? '%' : '$';
          this.err(
            'Invalid string literal',
            `Template sequences are not allowed in this string. To include a literal "${which}", double it (as "${which}${which}") to escape it.`,
            tok.range,
            rangeBetween(open.range, tok.range),
          );
          chunks.push(which, '{ ... }');
          this.s.recover('TemplateSeqEnd');
          break;
        }
        case 'EOF':
          this.err('Unterminated string literal', 'Unable to find the closing quote mark before the end of the file.', tok.range, rangeBetween(open.range, tok.range));
          return { value: chunks.join(''), range: rangeBetween(open.range, tok.range) };
        default:
          this.err('Invalid string literal', 'This item is not valid in a string literal.', tok.range, rangeBetween(open.range, tok.range));
          this.s.recover('CQuote');
          return { value: chunks.join(''), range: rangeBetween(open.range, tok.range) };
      }
    }
  }
}

/**
 * The deepest block, in file order, whose closing brace is not indented like its header:
 * when a brace is missing, each block from there outwards borrows the next one's brace.
 */
function misindentedBlock(items: readonly BodyItem[]): Block | null {
  for (const item of items) {
    if (item.kind !== 'block') continue;
    const inner = misindentedBlock(item.body.items);
    if (inner) return inner;
    const multiLine = item.range.end.line > item.typeRange.start.line;
    const closeColumn = item.range.end.column - 1;
    if (multiLine && closeColumn !== item.typeRange.start.column) return item;
  }
  return null;
}
