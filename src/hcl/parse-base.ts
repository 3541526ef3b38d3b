// The shared core of the recursive-descent parsers: the token stream, the diagnostics
// list, and the error helpers that keep one mistake from being reported many times.
import type { Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import type { TokenStream } from './stream.js';

export abstract class ParserBase {
  constructor(
    protected readonly s: TokenStream,
    protected readonly diags: Diagnostic[],
  ) {}

  protected err(summary: string, detail: string, subject: Range, context?: Range): void {
    // A complaint about a spot the lexer has already explained would only repeat it.
    if (this.s.invalidAt.has(subject.start.byte)) return;
    const d = error(summary, detail, subject);
    if (context) d.context = context;
    this.diags.push(d);
  }

  /** True when recovery is on and diagnostics were added since `mark`. */
  protected failedSince(mark: number): boolean {
    return this.s.recovery && this.diags.length > mark;
  }}
