// Expression parsing for HCL's native syntax: operators by precedence, terms, traversals
// (attributes, indexes, splats), collections, `for` expressions and function calls;
// templates are read by the TemplateParser it extends. Grammar, recovery and diagnostics
// follow hclsyntax so users see the same messages Packer would give them.
import type { BinaryOp, Expr, ObjectItem } from './ast.js';
import { TemplateParser } from './parse-template.js';
import { rangeBetween } from './range.js';
import type { Token, TokenType } from './token.js';

const LEVELS: ReadonlyArray<Partial<Record<TokenType, BinaryOp>>> = [
  { Or: '||' },
  { And: '&&' },
  { EqualOp: '==', NotEqual: '!=' },
  { GreaterThan: '>', GreaterThanEq: '>=', LessThan: '<', LessThanEq: '<=' },
  { Plus: '+', Minus: '-' },
  { Star: '*', Slash: '/', Percent: '%' },
];

export class ExprParser extends TemplateParser {
  parseExpression(): Expr {
    return this.nested(() => this.parseConditional(), () => this.tooDeep());
  }

  private parseConditional(): Expr {
    const mark = this.diags.length;
    const cond = this.parseBinary(0);
    if (this.failedSince(mark)) return cond;
    if (this.s.peek().type !== 'Question') return cond;
    this.s.read();
    const whenTrue = this.parseExpression();
    if (this.failedSince(mark)) return cond;
    const colon = this.s.peek();
    if (colon.type !== 'Colon') {
      this.err(
        'Missing false expression in conditional',
        'The conditional operator (...?...:...) requires a false expression, delimited by a colon.',
        colon.range,
        rangeBetween(cond.range, colon.range),
      );
      return cond;
    }
    this.s.read();
    const whenFalse = this.parseExpression();
    if (this.failedSince(mark)) return cond;
    return { kind: 'conditional', cond, then: whenTrue, else: whenFalse, range: rangeBetween(cond.range, whenFalse.range) };
  }

  private parseBinary(level: number): Expr {
    const ops = LEVELS[level];
    if (!ops) return this.parseWithTraversals();
    const mark = this.diags.length;
    let lhs = this.parseBinary(level + 1);
    if (this.failedSince(mark)) return lhs;
    for (;;) {
      const op = ops[this.s.peek().type];
      if (!op) return lhs;
      this.s.read();
      const rhs = this.parseBinary(level + 1);
      lhs = { kind: 'binary', op, left: lhs, right: rhs, range: rangeBetween(lhs.range, rhs.range) };
      if (this.failedSince(mark)) return lhs;
    }
  }

  private parseWithTraversals(): Expr {
    return this.parseTraversals(this.parseTerm());
  }

  private parseTraversals(from: Expr): Expr {
    let ret = from;
    // Each step nests the tree one level (a.b.c is getattr(getattr(a))): count them too.
    for (let steps = 0; ; steps++) {
      if (this.atNestingLimit(steps)) return this.tooDeep();
      const next = this.s.peek();
      if (next.type === 'Dot') {
        const dot = this.s.read();
        const attr = this.s.peek();
        if (attr.type === 'Ident') {
          this.s.read();
          ret = { kind: 'getattr', object: ret, name: attr.text, nameRange: attr.range, range: rangeBetween(ret.range, attr.range) };
        } else if (attr.type === 'NumberLit') {
          this.s.read();
          const key: Expr = { kind: 'literal', value: Number(attr.text), range: attr.range };
          ret = { kind: 'index', object: ret, key, range: rangeBetween(ret.range, attr.range) };
        } else if (attr.type === 'Star') {
          ret = this.finishAttrSplat(ret, dot, this.s.read());
        } else {
          this.err('Invalid attribute name', 'An attribute name is required after a dot.', attr.range);
          this.s.recovery = true;
          return ret;
        }
        continue;
      }
      if (next.type === 'OBrack') {
        const open = this.s.read();
        if (this.s.peek().type === 'Star') {
          this.s.read();
          let close = this.s.read();
          if (close.type !== 'CBrack' && !this.s.recovery) {
            this.err(
              'Missing close bracket on splat index',
              'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
              close.range,
            );
            close = this.s.recover('CBrack');
          }
          const item: Expr = { kind: 'splat-item', range: rangeBetween(open.range, close.range) };
          const each = this.nested(() => this.parseTraversals(item), () => this.tooDeep());
          ret = { kind: 'splat', source: ret, each, full: true, range: rangeBetween(ret.range, each.range) };
          continue;
        }
        const mark = this.diags.length;
        this.s.pushNewlines(false);
        const key = this.parseExpression();
        let close: Token;
        if (this.failedSince(mark)) {
          close = this.s.recover('CBrack');
        } else {
          close = this.s.read();
          if (close.type !== 'CBrack' && !this.s.recovery) {
            this.err('Missing close bracket on index', 'The index operator must end with a closing bracket ("]").', close.range);
            close = this.s.recover('CBrack');
          }
        }
        this.s.popNewlines();
        ret = { kind: 'index', object: ret, key, range: rangeBetween(ret.range, close.range) };
        continue;
      }
      return ret;
    }
  }

  /** `a.*.b.c`: only attribute (and legacy index) steps belong to the splat. */
  private finishAttrSplat(source: Expr, dot: Token, star: Token): Expr {
    const item: Expr = { kind: 'splat-item', range: rangeBetween(dot.range, star.range) };
    let each: Expr = item;
    let last = star.range;
    for (let steps = 0; this.s.peek().type === 'Dot'; steps++) {
      if (this.atNestingLimit(steps)) return this.tooDeep();
      this.s.read();
      const step = this.s.peek();
      if (step.type === 'NumberLit') {
        this.s.read();
        each = { kind: 'index', object: each, key: { kind: 'literal', value: Number(step.text), range: step.range }, range: rangeBetween(each.range, step.range) };
      } else if (step.type === 'Ident') {
        this.s.read();
        each = { kind: 'getattr', object: each, name: step.text, nameRange: step.range, range: rangeBetween(each.range, step.range) };
      } else {
        if (!this.s.recovery) {
          if (step.type === 'Star') {
            this.err('Nested splat expression not allowed', 'A splat expression (*) cannot be used inside another attribute-only splat expression.', step.range);
          } else {
            this.err('Invalid attribute name', 'An attribute name is required after a dot.', step.range);
          }
        }
        this.s.recovery = true;
        break;
      }
      last = step.range;
    }
    return { kind: 'splat', source, each, full: false, range: rangeBetween(source.range, last) };
  }

  private parseTerm(): Expr {
    const start = this.s.peek();
    switch (start.type) {
      case 'OParen': {
        const open = this.s.read();
        this.s.pushNewlines(false);
        const mark = this.diags.length;
        const expr = this.parseExpression();
        if (this.diags.length > mark) {
          this.s.recover('CParen');
          this.s.popNewlines();
          return expr;
        }
        const close = this.s.peek();
        if (close.type !== 'CParen') {
          this.err('Unbalanced parentheses', 'Expected a closing parenthesis to terminate the expression.', close.range, rangeBetween(open.range, close.range));
          this.s.recovery = true;
        }
        const cParen = this.s.read();
        this.s.popNewlines();
        return { kind: 'paren', expr, range: rangeBetween(open.range, cParen.range) };
      }
      case 'NumberLit': {
        const tok = this.s.read();
        return { kind: 'literal', value: Number(tok.text), range: tok.range };
      }
      case 'Ident': {
        const tok = this.s.read();
        const after = this.s.peek().type;
        if (after === 'OParen' || after === 'DoubleColon') return this.finishCall(tok);
        if (tok.text === 'true') return { kind: 'literal', value: true, range: tok.range };
        if (tok.text === 'false') return { kind: 'literal', value: false, range: tok.range };
        if (tok.text === 'null') return { kind: 'literal', value: null, range: tok.range };
        return { kind: 'variable', name: tok.text, range: tok.range };
      }
      case 'OQuote':
      case 'OHeredoc':
        return this.parseTemplate(this.s.read());
      case 'Minus':
      case 'Bang': {
        const tok = this.s.read();
        const operand = this.nested(() => this.parseWithTraversals(), () => this.tooDeep());
        return { kind: 'unary', op: tok.type === 'Minus' ? '-' : '!', operand, range: rangeBetween(tok.range, operand.range) };
      }
      case 'OBrack':
        return this.parseTuple();
      case 'OBrace':
        return this.parseObject();
      default:
        // The lexer has already explained an Invalid token.
        if (!this.s.recovery && start.type !== 'Invalid') {
          if (start.type === 'EOF') {
            this.err('Missing expression', 'Expected the start of an expression, but found the end of the file.', start.range);
          } else if (start.type === 'Newline') {
            this.err(
              'Invalid expression',
              'Expected the start of an expression, but found the end of the line. A value must start on the same line as the "=" that introduces it.',
              start.range,
            );
          } else {
            this.err('Invalid expression', 'Expected the start of an expression, but found an invalid expression token.', start.range);
          }
        }
        this.s.recovery = true;
        return { kind: 'literal', value: null, range: start.range };
    }
  }

  private finishCall(name: Token): Expr {
    let open = this.s.read();
    let fullName = name.text;
    let nameEnd = name.range;
    while (open.type === 'DoubleColon') {
      const next = this.s.read();
      if (next.type !== 'Ident') {
        this.err(
          'Missing function name',
          'Function scope resolution symbol :: must be followed by a function name in this scope.',
          next.range,
          rangeBetween(name.range, next.range),
        );
        this.s.recovery = true;
        return { kind: 'literal', value: null, range: rangeBetween(name.range, next.range) };
      }
      fullName += '::' + next.text;
      nameEnd = next.range;
      open = this.s.read();
    }
    if (open.type !== 'OParen') {
      this.err(
        'Missing open parenthesis',
        'Function selector must be followed by an open parenthesis to begin the function call.',
        open.range,
        rangeBetween(name.range, open.range),
      );
      this.s.recovery = true;
      return { kind: 'literal', value: null, range: rangeBetween(name.range, open.range) };
    }
    const args: Expr[] = [];
    let expandFinal = false;
    let close: Token = open;
    this.s.pushNewlines(false);
    for (;;) {
      const next = this.s.peek();
      if (next.type === 'CParen') {
        close = this.s.read();
        break;
      }
      if (next.type === 'EOF') {
        this.err(
          'Unterminated function call',
          'There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.',
          rangeBetween(name.range, open.range),
        );
        close = next;
        break;
      }
      const mark = this.diags.length;
      args.push(this.parseExpression());
      if (this.failedSince(mark)) {
        close = this.s.recover('CParen');
        break;
      }
      const sep = this.s.read();
      if (sep.type === 'CParen') {
        close = sep;
        break;
      }
      if (sep.type === 'Ellipsis') {
        expandFinal = true;
        if (this.s.peek().type !== 'CParen') {
          if (!this.s.recovery) {
            this.err(
              'Missing closing parenthesis',
              'An expanded function argument (with ...) must be immediately followed by closing parentheses.',
              sep.range,
              rangeBetween(name.range, sep.range),
            );
          }
          close = this.s.recover('CParen');
        } else {
          close = this.s.read();
        }
        break;
      }
      if (sep.type !== 'Comma') {
        if (sep.type === 'EOF') {
          this.err(
            'Unterminated function call',
            'There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.',
            rangeBetween(name.range, open.range),
          );
        } else if (!this.s.recovery) {
          this.err('Missing argument separator', 'A comma is required to separate each function argument from the next.', sep.range, rangeBetween(name.range, sep.range));
        }
        close = this.s.recover('CParen');
        break;
      }
      if (this.s.peek().type === 'CParen') {
        close = this.s.read();
        break;
      }
    }
    this.s.popNewlines();
    return {
      kind: 'call',
      name: fullName,
      nameRange: rangeBetween(name.range, nameEnd),
      args,
      expandFinal,
      range: rangeBetween(name.range, close.range),
    };
  }

  private parseTuple(): Expr {
    const open = this.s.read();
    this.s.pushNewlines(false);
    try {
      const first = this.s.peek();
      if (first.type === 'Ident' && first.text === 'for') return this.finishFor(open);
      const items: Expr[] = [];
      let close: Token;
      for (;;) {
        const next = this.s.peek();
        if (next.type === 'CBrack') {
          close = this.s.read();
          break;
        }
        if (next.type === 'EOF') {
          this.unterminated('Unterminated tuple constructor expression', 'bracket', open);
          close = next;
          break;
        }
        const mark = this.diags.length;
        items.push(this.parseExpression());
        if (this.failedSince(mark)) {
          close = this.s.recover('CBrack');
          break;
        }
        const sep = this.s.peek();
        if (sep.type === 'CBrack') {
          close = this.s.read();
          break;
        }
        if (sep.type !== 'Comma') {
          if (!this.s.recovery) {
            if (sep.type === 'EOF') {
              this.unterminated('Unterminated tuple constructor expression', 'bracket', open);
            } else {
              this.err('Missing item separator', 'Expected a comma to mark the beginning of the next item.', sep.range, rangeBetween(open.range, sep.range));
            }
          }
          close = this.s.recover('CBrack');
          break;
        }
        this.s.read();
      }
      return { kind: 'tuple', items, range: rangeBetween(open.range, close.range) };
    } finally {
      this.s.popNewlines();
    }
  }

  private parseObject(): Expr {
    const open = this.s.read();
    this.s.pushNewlines(false);
    const maybeFor = this.s.peek();
    this.s.popNewlines();
    if (maybeFor.type === 'Ident' && maybeFor.text === 'for') return this.finishFor(open);

    this.s.pushNewlines(true);
    const items: ObjectItem[] = [];
    let close: Token;
    try {
      for (;;) {
        const next = this.s.peek();
        if (next.type === 'Newline') {
          this.s.read();
          continue;
        }
        if (next.type === 'CBrace') {
          close = this.s.read();
          break;
        }
        if (next.type === 'EOF') {
          this.unterminated('Unterminated object constructor expression', 'brace', open);
          close = next;
          break;
        }
        const mark = this.diags.length;
        let key = this.parseExpression();
        if (this.failedSince(mark)) {
          close = this.s.recover('CBrace');
          break;
        }
        // A bare name is a literal key (`a = 1`); anything else is evaluated.
        const bare =
          next.type === 'Ident' &&
          key.range.start.byte === next.range.start.byte &&
          key.range.end.byte === next.range.end.byte &&
          (key.kind === 'variable' || key.kind === 'literal');
        if (bare) key = { kind: 'template', parts: [{ kind: 'literal', value: next.text, range: next.range }], heredoc: false, range: next.range };
        const sep = this.s.peek();
        if (sep.type !== 'Equal' && sep.type !== 'Colon') {
          if (!this.s.recovery) this.missingObjectValue(open, sep);
          close = this.s.recover('CBrace');
          break;
        }
        this.s.read();
        const vmark = this.diags.length;
        const value = this.parseExpression();
        items.push({ key, keyIsIdent: bare, value, range: rangeBetween(key.range, value.range) });
        if (this.failedSince(vmark)) {
          close = this.s.recover('CBrace');
          break;
        }
        const after = this.s.peek();
        if (after.type === 'CBrace') {
          close = this.s.read();
          break;
        }
        if (after.type !== 'Comma' && after.type !== 'Newline') {
          if (!this.s.recovery) {
            if (after.type === 'EOF') {
              this.err(
                'Unterminated object constructor expression',
                'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
                open.range,
              );
            } else {
              this.err('Missing attribute separator', 'Expected a newline or comma to mark the beginning of the next attribute.', after.range, rangeBetween(open.range, after.range));
            }
          }
          close = this.s.recover('CBrace');
          break;
        }
        this.s.read();
      }
    } finally {
      this.s.popNewlines();
    }
    return { kind: 'object', items, range: rangeBetween(open.range, close.range) };
  }

  private unterminated(summary: string, what: 'bracket' | 'brace', open: Token): void {
    this.err(
      summary,
      `There is no corresponding closing ${what} before the end of the file. This may be caused by incorrect ${what} nesting elsewhere in this file.`,
      open.range,
    );
    this.s.recovery = true;
  }

  private missingObjectValue(open: Token, next: Token): void {
    const ctx = rangeBetween(open.range, next.range);
    switch (next.type) {
      case 'Newline':
      case 'Comma':
        this.err('Missing attribute value', 'Expected an attribute value, introduced by an equals sign ("=").', next.range, ctx);
        return;
      case 'Ident':
        this.err(
          'Missing key/value separator',
          'Expected an equals sign ("=") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.',
          next.range,
          ctx,
        );
        return;
      case 'EOF':
        this.err(
          'Unterminated object constructor expression',
          'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
          open.range,
        );
        return;
      default:
        this.err('Missing key/value separator', 'Expected an equals sign ("=") to mark the beginning of the attribute value.', next.range, ctx);
    }
  }

  private finishFor(open: Token): Expr {
    this.s.pushNewlines(false);
    try {
      return this.forBody(open);
    } finally {
      this.s.popNewlines();
    }
  }

  private forBody(open: Token): Expr {
    this.s.read(); // `for`
    const isObject = open.type === 'OBrace';
    const closeType: TokenType = isObject ? 'CBrace' : 'CBrack';
    const fail = (detail: string): Expr => {
      const at = this.s.peek();
      if (!this.s.recovery) this.err("Invalid 'for' expression", detail, at.range, rangeBetween(open.range, at.range));
      const close = this.s.recover(closeType);
      return { kind: 'literal', value: null, range: rangeBetween(open.range, close.range) };
    };
    if (this.s.peek().type !== 'Ident') return fail("For expression requires variable name after 'for'.");
    let valueVar = this.s.read().text;
    let keyVar: string | null = null;
    if (this.s.peek().type === 'Comma') {
      this.s.read();
      keyVar = valueVar;
      if (this.s.peek().type !== 'Ident') return fail('For expression requires value variable name after comma.');
      valueVar = this.s.read().text;
    }
    const inKw = this.s.peek();
    if (inKw.type !== 'Ident' || inKw.text !== 'in') return fail("For expression requires the 'in' keyword after its name declarations.");
    this.s.read();
    const mark = this.diags.length;
    const collection = this.parseExpression();
    if (this.failedSince(mark)) return fail('');
    if (this.s.peek().type !== 'Colon') return fail('For expression requires a colon after the collection expression.');
    this.s.read();
    let keyExpr: Expr | null = null;
    let valueExpr = this.parseExpression();
    if (this.s.peek().type === 'FatArrow') {
      this.s.read();
      keyExpr = valueExpr;
      valueExpr = this.parseExpression();
    }
    if (this.failedSince(mark)) return fail('');
    let group = false;
    let ellipsis: Token | null = null;
    if (this.s.peek().type === 'Ellipsis') {
      ellipsis = this.s.read();
      group = true;
    }
    let cond: Expr | null = null;
    const ifKw = this.s.peek();
    if (ifKw.type === 'Ident' && ifKw.text === 'if') {
      this.s.read();
      cond = this.parseExpression();
      if (this.failedSince(mark)) return fail('');
    }
    let close: Token;
    if (this.s.peek().type === closeType) {
      close = this.s.read();
    } else {
      const at = this.s.peek();
      if (!this.s.recovery) {
        this.err("Invalid 'for' expression", "Extra characters after the end of the 'for' expression.", at.range, rangeBetween(open.range, at.range));
      }
      close = this.s.recover(closeType);
    }
    const whole = rangeBetween(open.range, close.range);
    if (!isObject) {
      if (keyExpr) this.err("Invalid 'for' expression", 'Key expression is not valid when building a tuple.', keyExpr.range, whole);
      if (ellipsis) this.err("Invalid 'for' expression", 'Grouping ellipsis (...) cannot be used when building a tuple.', ellipsis.range, whole);
    } else if (!keyExpr) {
      this.err("Invalid 'for' expression", 'Key expression is required when building an object.', valueExpr.range, whole);
    }
    return { kind: 'for', isObject, keyVar, valueVar, collection, keyExpr, valueExpr, cond, group, range: whole };
  }
}
