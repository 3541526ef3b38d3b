// A cursor over the lexer's tokens for the parser. Comments are dropped; newlines are
// significant in bodies and object constructors but not inside (), [] and template
// sequences, so whether they are seen is a stack the parser pushes and pops.
import type { Range } from './ast.js';
import type { Token, TokenType } from './token.js';
import { oppositeBracket } from './token.js';
import { HclInternalError } from './errors.js';

export class TokenStream {
  private readonly toks: Token[];
  private p = 0;
  private readonly newlines: boolean[] = [];
  private prev: Range;
  /**
   * Set once the parser has skipped tokens to resynchronise after an error; further
   * "unexpected token" errors are then suppressed because they are likely echoes.
   */
  recovery = false;
  /** Set when the parser gave up on the rest of the input (nesting past its limit). */
  abandoned = false;
  /** Where the lexer already reported a problem (invalid characters, broken strings). */
  readonly invalidAt = new Set<number>();

  constructor(tokens: readonly Token[]) {
    this.toks = tokens.filter((t) => t.type !== 'Comment');
    for (const t of this.toks) if (t.type === 'Invalid' || t.synthetic) this.invalidAt.add(t.range.start.byte);
    const first = this.toks[0];
    if (!first) throw new HclInternalError('token list must end with an EOF token');
    this.prev = { filename: first.range.filename, start: first.range.start, end: first.range.start };
  }

  /** Moves to the end of input: every parse loop then meets EOF and unwinds. */
  abandon(): void {
    this.abandoned = true;
    this.recovery = true;
    this.p = this.toks.length - 1;
  }

  pushNewlines(include: boolean): void {
    this.newlines.push(include);
  }

  popNewlines(): void {
    this.newlines.pop();
  }

  private includeNewlines(): boolean {
    const top = this.newlines[this.newlines.length - 1];
    return top ?? true;
  }

  private skip(): number {
    let p = this.p;
    if (!this.includeNewlines()) {
      while (this.toks[p]?.type === 'Newline') p++;
    }
    return p;
  }

  peek(): Token {
    const p = this.skip();
    return this.at(p);
  }

  read(): Token {
    const p = this.skip();
    const tok = this.at(p);
    if (tok.type !== 'EOF') this.p = p + 1;
    else this.p = p;
    this.prev = tok.range;
    return tok;
  }

  /** Range of the most recently read token. */
  prevRange(): Range {
    return this.prev;
  }

  private at(p: number): Token {
    const tok = this.toks[p] ?? this.toks[this.toks.length - 1];
    if (!tok) throw new HclInternalError('empty token stream');
    return tok;
  }

  /**
   * Skips to just after the token `end`, stepping over nested pairs of its brackets, and
   * returns that token (or EOF).
   */
  recover(end: TokenType): Token {
    const start = oppositeBracket(end);
    this.recovery = true;
    let nest = 0;
    // Other brackets opened while skipping; a closer that matches none of them and is
    // not `end` belongs to an enclosing construct, so skipping stops in front of it
    // rather than swallowing the rest of the file.
    const others: TokenType[] = [];
    for (;;) {
      const next = this.peek();
      let ty = next.type;
      if (end === 'TemplateSeqEnd' && ty === 'TemplateControl') ty = 'TemplateInterp';
      if (ty === 'EOF') return this.read();
      if (ty === start) nest++;
      else if (ty === end) {
        if (nest < 1) return this.read();
        nest--;
      } else if (isCloser(ty)) {
        const opener = oppositeBracket(ty);
        if (others.length === 0 && nest === 0) return next;
        if (others[others.length - 1] === opener) others.pop();
      } else if (isOpener(ty)) {
        others.push(ty);
      }
      this.read();
    }
  }

  /** Skips to the next newline outside any brackets: the start of the next body item. */
  recoverAfterBodyItem(): void {
    this.recovery = true;
    const open: TokenType[] = [];
    for (;;) {
      const tok = this.read();
      switch (tok.type) {
        case 'Newline':
          if (open.length === 0) return;
          break;
        case 'EOF':
          return;
        case 'OBrace':
        case 'OBrack':
        case 'OParen':
        case 'OQuote':
        case 'OHeredoc':
        case 'TemplateInterp':
        case 'TemplateControl':
          open.push(tok.type);
          break;
        case 'CBrace':
        case 'CBrack':
        case 'CParen':
        case 'CQuote':
        case 'CHeredoc': {
          const opener = oppositeBracket(tok.type);
          while (open.length > 0 && open[open.length - 1] !== opener) open.pop();
          open.pop();
          break;
        }
        case 'TemplateSeqEnd':
          while (open.length > 0 && open[open.length - 1] !== 'TemplateInterp' && open[open.length - 1] !== 'TemplateControl') open.pop();
          open.pop();
          break;
        default:
          break;
      }
    }
  }
}

function isOpener(t: TokenType): boolean {
  return t === 'OBrace' || t === 'OBrack' || t === 'OParen';
}

function isCloser(t: TokenType): boolean {
  return t === 'CBrace' || t === 'CBrack' || t === 'CParen';
}
