// The shared core of the recursive-descent parsers: the token stream, the diagnostics
// list, and the error helpers that keep one mistake from being reported many times.
import type { Expr, Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import { MAX_NESTING } from './limits.js';
import type { TokenStream } from './stream.js';


export abstract class ParserBase {
  private depth = 0;

  constructor(
    protected readonly s: TokenStream,
    protected readonly diags: Diagnostic[],
  ) {}

  /**
   * Runs `parse` one nesting level deeper, or, past MAX_NESTING, reports the problem once
   * and gives up on the rest of the input (it would only produce echoes of this error).
   */
  protected nested<T>(parse: () => T, onTooDeep: () => T): T {
    if (this.depth >= MAX_NESTING) return onTooDeep();
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** Counts one level for a construct that loops rather than recurses (a traversal step). */
  protected atNestingLimit(extra: number): boolean {
    return this.depth + extra >= MAX_NESTING;
  }

  /** Reports the nesting limit (once) and abandons the input; a placeholder for the expression. */
  protected tooDeep(): Expr {
    const at = this.s.peek().range;
    if (!this.s.abandoned) {
      this.diags.push(
        error(
          'Expression nested too deeply',
          `This expression is nested more than ${MAX_NESTING} levels deep; the limit is ${MAX_NESTING}. Split it into smaller parts, for example with locals.`,
          at,
        ),
      );
    }
    this.s.abandon();
    return { kind: 'literal', value: null, range: at };
  }

  protected err(summary: string, detail: string, subject: Range, context?: Range): void {
    // A complaint about a spot the lexer has already explained would only repeat it.
    if (this.s.invalidAt.has(subject.start.byte) || this.s.abandoned) return;
    const d = error(summary, detail, subject);
    if (context) d.context = context;
    this.diags.push(d);
  }

  /** True when recovery is on and diagnostics were added since `mark`. */
  protected failedSince(mark: number): boolean {
    return this.s.recovery && this.diags.length > mark;
  }}
