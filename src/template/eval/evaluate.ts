// Evaluates HCL expressions to plain values with HCL/cty semantics. One Evaluator walks one
// expression tree once, collecting diagnostics into a single array, so evaluation is linear
// in the size of the tree. A failed sub-expression evaluates to UNKNOWN, which every
// operation passes through silently: one mistake gives one diagnostic, not a cascade.
import type { Expr } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { UNKNOWN, type Value } from '../../core/model/value.js';
import { evalCall } from './call.js';
import { diag, formatRange } from './diag.js';
import { evalFor } from './for.js';
import { evalObject } from './object.js';
import { evalBinary, evalConditional, evalUnary } from './operators.js';
import type { Evaluator } from './evaluator.js';
import type { Scope } from './scope.js';
import { evalTemplate } from './template.js';
import { evalSplat, evalTraversal } from './traversal.js';

export { childScope, type Scope, type Reference } from './scope.js';

export function evaluate(expr: Expr, scope: Scope): { value: Value; diagnostics: Diagnostic[] } {
  const ev = new ExprEvaluator();
  try {
    const value = ev.eval(expr, scope);
    return { value, diagnostics: dedupe(ev.diags) };
  } catch (e) {
    // Nesting thousands deep exhausts the stack; that is the template's problem, not a crash.
    if (!(e instanceof RangeError && /call stack/i.test(e.message))) throw e;
    const tooDeep = diag('Expression too complex', 'This expression is nested too deeply to evaluate. Split it into smaller parts, for example with locals.', expr.range);
    return { value: UNKNOWN, diagnostics: [...dedupe(ev.diags), tooDeep] };
  }
}

class ExprEvaluator implements Evaluator {
  /** Every diagnostic so far, in source-evaluation order. */
  diags: Diagnostic[] = [];
  /** Diagnostics from onReference: static refusals that try() and can() must not hide. */
  readonly refusals = new WeakSet<Diagnostic>();
  /** The element a splat is visiting, for SplatItemExpr; undefined outside a splat. */
  splatItem: Value | undefined = undefined;

  eval(expr: Expr, scope: Scope): Value {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'paren':
        return this.eval(expr.expr, scope);
      case 'template':
        return evalTemplate(this, expr, scope);
      case 'tuple':
        return expr.items.map((item) => this.eval(item, scope));
      case 'object':
        return evalObject(this, expr, scope);
      case 'variable':
      case 'getattr':
      case 'index':
        return evalTraversal(this, expr, scope);
      case 'splat':
        return evalSplat(this, expr, scope);
      case 'splat-item':
        return this.splatItem === undefined ? UNKNOWN : this.splatItem;
      case 'call':
        return evalCall(this, expr, scope);
      case 'unary':
        return evalUnary(this, expr, scope);
      case 'binary':
        return evalBinary(this, expr, scope);
      case 'conditional':
        return evalConditional(this, expr, scope);
      case 'for':
        return evalFor(this, expr, scope);
    }
  }

  /** Records an error and yields the value that stands for "failed": unknown. */
  fail(d: Diagnostic): Value {
    this.diags.push(d);
    return UNKNOWN;
  }

  /**
   * Records the refusals among diagnostics that are otherwise dropped (an untaken branch):
   * a refused reference is wrong whichever branch runs.
   */
  keepRefusals(diags: readonly Diagnostic[]): void {
    for (const d of diags) if (this.refusals.has(d)) this.diags.push(d);
  }

  /** Whether errors were recorded since the diagnostics list had length `mark`. */
  errorsSince(mark: number): boolean {
    for (let i = mark; i < this.diags.length; i++) if (this.diags[i]?.severity === 'error') return true;
    return false;
  }

  evaluateAlone(expr: Expr, scope: Scope): { value: Value; diagnostics: Diagnostic[] } {
    return evaluate(expr, scope);
  }

  /** Runs `fn` with its own diagnostics list; returns them instead of recording them. */
  isolated<T>(fn: () => T): { result: T; diagnostics: Diagnostic[] } {
    const saved = this.diags;
    this.diags = [];
    try {
      const result = fn();
      return { result, diagnostics: this.diags };
    } finally {
      this.diags = saved;
    }
  }
}

/** The same problem reported twice (a `for` body failing on every element) is shown once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.severity}\u0000${d.summary}\u0000${d.detail}\u0000${d.subject ? formatRange(d.subject) : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
