// The HCL native-syntax scanner. It is a hand-written mode machine (main, quoted
// template, heredoc template) rather than a set of regexes, so it runs in one linear pass
// and every token carries an exact range. Comments and newlines are kept as tokens: the
// parser skips comments and treats newlines as significant, the formatter needs both.
import type { Pos, Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import type { Token, TokenType } from './token.js';

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

export interface LexOptions {
  /**
   * 'config' lexes a configuration file; 'template' lexes a bare template (the content of
   * a JSON string), as if it were the body of a heredoc that ends at the end of input.
   */
  mode?: 'config' | 'template';
  /**
   * Where `source` starts in its file, when it is a piece of a larger text (a JSON string
   * reparsed as an expression); ranges are then positions in that file.
   */
  start?: Pos;
}

export function lex(source: string, filename: string, opts: LexOptions = {}): LexResult {
  const lexer = new Lexer(source, filename, opts.start ?? { line: 1, column: 1, byte: 0 });
  return lexer.run(opts.mode ?? 'config');
}

type Frame =
  | { kind: 'main'; interp: boolean; braces: number; inQuoted: boolean; open: Range | null }
  | { kind: 'quoted' }
  | { kind: 'heredoc'; marker: string | null; startOfLine: boolean };

const ID_START = /\p{ID_Start}/u;
const ID_CONTINUE = /\p{ID_Continue}/u;

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isAsciiIdentContinue(c: number): boolean {
  return isAsciiIdentStart(c) || isDigit(c) || c === 45;
}

class Lexer {
  private readonly tokens: Token[] = [];
  private readonly diags: Diagnostic[] = [];
  private readonly stack: Frame[] = [];
  private i = 0;
  // The position cursor only moves forward, which keeps position tracking linear.
  private ci = 0;
  private cline: number;
  private ccol: number;
  private readonly baseByte: number;
  private apostrophes = 0;

  constructor(
    private readonly src: string,
    private readonly filename: string,
    start: Pos,
  ) {
    this.cline = start.line;
    this.ccol = start.column;
    this.baseByte = start.byte;
  }

  run(mode: 'config' | 'template'): LexResult {
    if (mode === 'template') this.stack.push({ kind: 'heredoc', marker: null, startOfLine: true });
    else this.stack.push({ kind: 'main', interp: false, braces: 0, inQuoted: false, open: null });
    const len = this.src.length;
    while (this.i < len) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        // Only an unbalanced `}` in template mode pops the root; lex the rest as config.
        this.stack.push({ kind: 'main', interp: false, braces: 0, inQuoted: false, open: null });
        continue;
      }
      if (top.kind === 'main') this.scanMain(top);
      else if (top.kind === 'quoted') this.scanQuoted();
      else this.scanHeredoc(top);
    }
    this.emit('EOF', len, len);
    return { tokens: this.tokens, diagnostics: this.diags };
  }

  pos(offset: number): Pos {
    const src = this.src;
    let k = this.ci;
    let line = this.cline;
    let col = this.ccol;
    while (k < offset) {
      const c = src.charCodeAt(k);
      if (c === C_LF) {
        line++;
        col = 1;
      } else if (c >= 0xdc00 && c <= 0xdfff && k > 0) {
        const p = src.charCodeAt(k - 1);
        // The low half of a surrogate pair is the same code point as its high half.
        if (!(p >= 0xd800 && p <= 0xdbff)) col++;
      } else {
        col++;
      }
      k++;
    }
    this.ci = k;
    this.cline = line;
    this.ccol = col;
    return { line, column: col, byte: this.baseByte + offset };
  }

  private emit(type: TokenType, start: number, end: number, synthetic = false): Token {
    const startPos = this.pos(start);
    const endPos = this.pos(end);
    const tok: Token = {
      type,
      text: this.src.slice(start, end),
      range: { filename: this.filename, start: startPos, end: endPos },
    };
    if (synthetic) tok.synthetic = true;
    this.tokens.push(tok);
    return tok;
  }

  private invalid(start: number, end: number, summary: string, detail: string | null): void {
    // Positions must be taken in order, so the diagnostic shares the token's range.
    const tok = this.emit('Invalid', start, end);
    if (detail !== null) this.diags.push(error(summary, detail, tok.range));
    this.i = end;
  }

  private scanMain(frame: Frame & { kind: 'main' }): void {
    const src = this.src;
    const i = this.i;
    const c = src.charCodeAt(i);
    const n = src.charCodeAt(i + 1);

    if (c === C_SPACE || c === C_TAB || (c === 0xfeff && i === 0 && this.baseByte === 0)) {
      this.i = i + 1;
      return;
    }
    if (c === 0xfeff) {
      this.invalid(i, i + 1, 'Invalid character', 'A byte order mark (U+FEFF) is only allowed as the first character of a file. Remove it.');
      return;
    }
    if (c === C_CR && n !== C_LF) {
      this.invalid(
        i,
        i + 1,
        'Invalid character',
        'A carriage return (CR) that is not followed by a line feed is not a line break. Save the file with LF or CRLF line endings.',
      );
      return;
    }
    if (c === C_LF) {
      this.emit('Newline', i, i + 1);
      this.i = i + 1;
      return;
    }
    if (c === C_CR) {
      this.emit('Newline', i, i + 2);
      this.i = i + 2;
      return;
    }
    if (c === 35 /* # */ || (c === 47 /* / */ && n === 47)) {
      const end = this.lineEnd(i);
      this.emit('Comment', i, end);
      this.i = end;
      return;
    }
    if (c === 47 && n === 42 /* * */) {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) {
        this.emit('Comment', i, src.length);
        this.i = src.length;
        this.diags.push(
          error(
            'Unterminated comment',
            'There is no closing "*/" for this comment before the end of the file.',
            this.tokens[this.tokens.length - 1]?.range,
          ),
        );
        return;
      }
      this.emit('Comment', i, close + 2);
      this.i = close + 2;
      return;
    }
    if (isDigit(c)) {
      this.scanNumber(i);
      return;
    }
    if (isAsciiIdentStart(c) || (c > 127 && this.isIdentStartAt(i))) {
      this.scanIdent(i);
      return;
    }
    switch (c) {
      case 123 /* { */:
        if (frame.interp) frame.braces++;
        this.simple('OBrace', 1);
        return;
      case 125 /* } */:
        if (frame.interp && frame.braces === 0) {
          this.simple('TemplateSeqEnd', 1);
          this.stack.pop();
          return;
        }
        if (frame.braces > 0) frame.braces--;
        this.simple('CBrace', 1);
        return;
      case 126 /* ~ */:
        if (n === 125 && frame.interp && frame.braces === 0) {
          this.simple('TemplateSeqEnd', 2);
          this.stack.pop();
          return;
        }
        this.invalid(i, i + 1, 'Unsupported operator', 'Bitwise operators are not supported. Did you mean boolean NOT ("!")?');
        return;
      case 34 /* " */:
        if (frame.interp && frame.inQuoted && frame.braces === 0 && frame.open && !this.quoteClosesOnLine(i)) {
          // `"${var.x"`: a nested string would have to end on this line, so this quote
          // most likely ends the outer string and the sequence was never closed.
          const end = this.emit('TemplateSeqEnd', i, i, true);
          this.diags.push({
            ...error(
              'Unclosed template interpolation sequence',
              'There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.',
              frame.open,
            ),
            context: { filename: this.filename, start: frame.open.start, end: end.range.end },
          });
          this.stack.pop();
          return;
        }
        this.simple('OQuote', 1);
        this.stack.push({ kind: 'quoted' });
        return;
      case 60 /* < */:
        if (n === 60) {
          this.scanHeredocStart(i);
          return;
        }
        this.simple(n === 61 ? 'LessThanEq' : 'LessThan', n === 61 ? 2 : 1);
        return;
      case 62 /* > */:
        this.simple(n === 61 ? 'GreaterThanEq' : 'GreaterThan', n === 61 ? 2 : 1);
        return;
      case 61 /* = */:
        if (n === 61) this.simple('EqualOp', 2);
        else if (n === 62) this.simple('FatArrow', 2);
        else this.simple('Equal', 1);
        return;
      case 33 /* ! */:
        this.simple(n === 61 ? 'NotEqual' : 'Bang', n === 61 ? 2 : 1);
        return;
      case 38 /* & */:
        if (n === 38) this.simple('And', 2);
        else this.invalid(i, i + 1, 'Unsupported operator', 'Bitwise operators are not supported. Did you mean boolean AND ("&&")?');
        return;
      case 124 /* | */:
        if (n === 124) this.simple('Or', 2);
        else this.invalid(i, i + 1, 'Unsupported operator', 'Bitwise operators are not supported. Did you mean boolean OR ("||")?');
        return;
      case 94 /* ^ */:
        this.invalid(i, i + 1, 'Unsupported operator', 'Bitwise operators are not supported.');
        return;
      case 46 /* . */:
        if (n === 46 && src.charCodeAt(i + 2) === 46) this.simple('Ellipsis', 3);
        else this.simple('Dot', 1);
        return;
      case 58 /* : */:
        this.simple(n === 58 ? 'DoubleColon' : 'Colon', n === 58 ? 2 : 1);
        return;
      case 44:
        this.simple('Comma', 1);
        return;
      case 63:
        this.simple('Question', 1);
        return;
      case 43:
        this.simple('Plus', 1);
        return;
      case 45:
        this.simple('Minus', 1);
        return;
      case 42 /* * */:
        if (n === 42) {
          this.invalid(i, i + 2, 'Unsupported operator', '"**" is not a supported operator. Exponentiation is not supported as an operator.');
          return;
        }
        this.simple('Star', 1);
        return;
      case 47:
        this.simple('Slash', 1);
        return;
      case 37:
        this.simple('Percent', 1);
        return;
      case 40:
        this.simple('OParen', 1);
        return;
      case 41:
        this.simple('CParen', 1);
        return;
      case 91:
        this.simple('OBrack', 1);
        return;
      case 93:
        this.simple('CBrack', 1);
        return;
      case 39 /* ' */: {
        const report = this.apostrophes % 2 === 0;
        this.apostrophes++;
        this.invalid(i, i + 1, 'Invalid character', report ? 'Single quotes are not valid. Use double quotes (") to enclose strings.' : null);
        return;
      }
      case 59 /* ; */:
        this.invalid(
          i,
          i + 1,
          'Invalid character',
          'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.',
        );
        return;
      case 96 /* ` */:
        this.invalid(i, i + 1, 'Invalid character', 'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".');
        return;
      default: {
        const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        // A run of one character (a line of NUL bytes) is one problem, not one per byte.
        let end = i + width;
        while (end < src.length && src.startsWith(src.slice(i, i + width), end)) end += width;
        this.invalid(i, end, 'Invalid character', end - i > width ? 'These characters are not used within the language.' : 'This character is not used within the language.');
      }
    }
  }

  /** Whether a string opened by the quote at `at` is closed before the end of its line. */
  private quoteClosesOnLine(at: number): boolean {
    const src = this.src;
    for (let k = at + 1; k < src.length; k++) {
      const c = src.charCodeAt(k);
      if (c === 34) return true;
      if (c === C_LF) return false;
      if (c === 92) k++;
    }
    return false;
  }

  private simple(type: TokenType, width: number): void {
    this.emit(type, this.i, this.i + width);
    this.i += width;
  }

  private lineEnd(from: number): number {
    const src = this.src;
    let end = src.indexOf('\n', from);
    if (end < 0) end = src.length;
    if (end > from && src.charCodeAt(end - 1) === C_CR) end--;
    return end;
  }

  private isIdentStartAt(i: number): boolean {
    const cp = this.src.codePointAt(i) ?? 0;
    return ID_START.test(String.fromCodePoint(cp));
  }

  private scanIdent(start: number): void {
    const src = this.src;
    let k = start;
    const len = src.length;
    while (k < len) {
      const c = src.charCodeAt(k);
      if (isAsciiIdentContinue(c)) {
        k++;
        continue;
      }
      if (c > 127) {
        const cp = src.codePointAt(k) ?? 0;
        const ch = String.fromCodePoint(cp);
        if (ID_CONTINUE.test(ch)) {
          k += ch.length;
          continue;
        }
      }
      break;
    }
    this.emit('Ident', start, k);
    this.i = k;
  }

  private scanNumber(start: number): void {
    const src = this.src;
    let k = start;
    while (isDigit(src.charCodeAt(k))) k++;
    // After a dot the number is a legacy index (`a.0.1`), which is never fractional.
    const afterDot = this.tokens[this.tokens.length - 1]?.type === 'Dot';
    if (!afterDot) {
      if (src.charCodeAt(k) === 46 && isDigit(src.charCodeAt(k + 1))) {
        k += 2;
        while (isDigit(src.charCodeAt(k))) k++;
      }
      const e = src.charCodeAt(k);
      if (e === 101 || e === 69) {
        let m = k + 1;
        const sign = src.charCodeAt(m);
        if (sign === 43 || sign === 45) m++;
        if (isDigit(src.charCodeAt(m))) {
          k = m;
          while (isDigit(src.charCodeAt(k))) k++;
        }
      }
    }
    this.emit('NumberLit', start, k);
    this.i = k;
  }

  private scanHeredocStart(start: number): void {
    const src = this.src;
    let k = start + 2;
    const flush = src.charCodeAt(k) === 45;
    if (flush) k++;
    const nameStart = k;
    if (isAsciiIdentStart(src.charCodeAt(k)) || (src.charCodeAt(k) > 127 && this.isIdentStartAt(k))) {
      while (k < src.length && isAsciiIdentContinue(src.charCodeAt(k))) k++;
    }
    const marker = src.slice(nameStart, k);
    if (marker === '') {
      // Not a heredoc: `a << b` is not an HCL operator either.
      this.invalid(start, start + 2, 'Invalid character', 'This character is not used within the language.');
      return;
    }
    let end = k;
    if (src.charCodeAt(end) === C_CR && src.charCodeAt(end + 1) === C_LF) end += 2;
    else if (src.charCodeAt(end) === C_LF) end += 1;
    else {
      this.invalid(
        start,
        k,
        'Invalid heredoc introducer',
        `A heredoc introducer "${src.slice(start, k)}" must be followed immediately by a newline; the heredoc's content starts on the next line.`,
      );
      return;
    }
    this.emit('OHeredoc', start, end);
    this.i = end;
    this.stack.push({ kind: 'heredoc', marker, startOfLine: true });
  }

  private scanQuoted(): void {
    const src = this.src;
    const len = src.length;
    const start = this.i;
    let k = start;
    while (k < len) {
      const c = src.charCodeAt(k);
      if (c === 34 /* " */) {
        if (k > start) this.emit('QuotedLit', start, k);
        this.emit('CQuote', k, k + 1);
        this.stack.pop();
        this.i = k + 1;
        return;
      }
      if (c === 92 /* \ */) {
        const n = src.charCodeAt(k + 1);
        k += n === C_LF || n === C_CR || Number.isNaN(n) ? 1 : 2;
        continue;
      }
      if (c === C_LF || c === C_CR) {
        if (k > start) this.emit('QuotedLit', start, k);
        const nl = this.emit('CQuote', k, k, true);
        this.diags.push(
          error(
            'Invalid multi-line string',
            'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.',
            nl.range,
          ),
        );
        this.stack.pop();
        this.i = k;
        return;
      }
      if ((c === 36 /* $ */ || c === 37) /* % */ && this.templateSeqStart(k, start)) return;
      k++;
    }
    if (k > start) this.emit('QuotedLit', start, k);
    this.i = len;
  }

  /**
   * At `$` or `%` inside a template: skips the `$${` / `%%{` escapes (returns false so the
   * caller keeps scanning the literal) and opens an interpolation or directive sequence.
   */
  private templateSeqStart(k: number, litStart: number, litType: TokenType = 'QuotedLit'): boolean {
    const src = this.src;
    const c = src.charCodeAt(k);
    const n = src.charCodeAt(k + 1);
    if (n !== 123 /* { */) return false;
    if (k > 0 && src.charCodeAt(k - 1) === c && this.isEscapedSeq(k - 1, litStart)) return false;
    if (k > litStart) this.emit(litType, litStart, k);
    const width = src.charCodeAt(k + 2) === 126 /* ~ */ ? 3 : 2;
    const tok = this.emit(c === 36 ? 'TemplateInterp' : 'TemplateControl', k, k + width);
    this.i = k + width;
    this.stack.push({ kind: 'main', interp: true, braces: 0, inQuoted: litType === 'QuotedLit', open: tok.range });
    return true;
  }

  /** `$${`: the doubled sign at `at` is an escape only if it is not itself the tail of one. */
  private isEscapedSeq(at: number, litStart: number): boolean {
    // Count the run of equal sign characters ending at `at`; an odd run means `at`
    // starts an escape (`$${`), an even run means the run is `$$` literals followed by `${`.
    const src = this.src;
    const c = src.charCodeAt(at);
    let run = 0;
    let k = at;
    while (k >= litStart && src.charCodeAt(k) === c) {
      run++;
      k--;
    }
    return run % 2 === 1;
  }

  private scanHeredoc(frame: Frame & { kind: 'heredoc' }): void {
    const src = this.src;
    const len = src.length;
    const start = this.i;
    if (frame.startOfLine && frame.marker !== null) {
      const end = this.lineEnd(start);
      const line = src.slice(start, end);
      if (line.trim() === frame.marker) {
        this.emit('CHeredoc', start, end);
        this.stack.pop();
        this.i = end;
        return;
      }
    }
    let k = start;
    while (k < len) {
      const c = src.charCodeAt(k);
      if (c === C_LF) {
        this.emit('StringLit', start, k + 1);
        frame.startOfLine = true;
        this.i = k + 1;
        return;
      }
      if ((c === 36 || c === 37) && this.templateSeqStart(k, start, 'StringLit')) {
        frame.startOfLine = false;
        return;
      }
      k++;
    }
    if (k > start) this.emit('StringLit', start, k);
    this.i = len;
  }
}
