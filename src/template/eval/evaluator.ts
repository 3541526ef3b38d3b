// What the expression handlers (call, for, object, operators, template, traversal,
// special forms) see of the evaluator that walks an expression. evaluate.ts implements
// it and imports the handlers; they import only this interface, so no cycle runs back.
import type { Expr } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import type { Value } from '../../core/model/value.js';
import type { Scope } from './scope.js';

export interface Evaluator {
  /** Every diagnostic so far, in source-evaluation order. */
  diags: Diagnostic[];
  /** Diagnostics from onReference: static refusals that try() and can() must not hide. */
  readonly refusals: WeakSet<Diagnostic>;
  /** The element a splat is visiting, for SplatItemExpr; undefined outside a splat. */
  splatItem: Value | undefined;
  eval(expr: Expr, scope: Scope): Value;
  /** Records an error and yields the value that stands for "failed": unknown. */
  fail(d: Diagnostic): Value;
  /** Records the refusals among diagnostics that are otherwise dropped (an untaken branch). */
  keepRefusals(diags: readonly Diagnostic[]): void;
  /** Whether errors were recorded since the diagnostics list had length `mark`. */
  errorsSince(mark: number): boolean;
  /** Runs `fn` with its own diagnostics list; returns them instead of recording them. */
  isolated<T>(fn: () => T): { result: T; diagnostics: Diagnostic[] };
  /** Evaluates `expr` with a fresh evaluator, as `evaluate()` does (optional() defaults). */
  evaluateAlone(expr: Expr, scope: Scope): { value: Value; diagnostics: Diagnostic[] };
}
