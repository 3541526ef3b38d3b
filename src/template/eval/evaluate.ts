// Evaluates HCL expressions to plain values with HCL/cty semantics. One Evaluator walks one
// expression tree once, collecting diagnostics into a single array, so evaluation is linear
// in the size of the tree. A failed sub-expression evaluates to UNKNOWN, which every
// operation passes through silently: one mistake gives one diagnostic, not a cascade.
import type { Expr, ObjectExpr, Range } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { UNKNOWN, isUnknown, type Value, type ValueObject } from '../value.js';
import { evalCall } from './call.js';
import { diag, formatRange } from './diag.js';
import { evalFor } from './for.js';
import { evalBinary, evalConditional, evalUnary } from './operators.js';
import { formatNumber, setKey } from './primitives.js';
import type { Scope } from './scope.js';
import { evalTemplate } from './template.js';
import { evalSplat, evalTraversal } from './traversal.js';

export { childScope, type Scope, type Reference } from './scope.js';

export function evaluate(expr: Expr, scope: Scope): { value: Value; diagnostics: Diagnostic[] } {
  const ev = new Evaluator();
  const value = ev.eval(expr, scope);
  return { value, diagnostics: dedupe(ev.diags) };
}

export class Evaluator {
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
        return this.evalObject(expr, scope);
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

  private evalObject(expr: ObjectExpr, scope: Scope): Value {
    const out: ValueObject = {};
    const defined = new Map<string, Range>();
    let known = true;
    for (const item of expr.items) {
      if (isBareTraversal(item.key)) {
        // `{ a.b = 1 }`: a dotted name or a reference? HCL refuses to guess.
        this.fail(
          diag(
            'Ambiguous attribute key',
            "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
            item.key.range,
          ),
        );
        known = false;
        continue;
      }
      const key = item.keyIsIdent ? identKey(item.key) : null;
      const keyVal = key ?? this.eval(item.key, scope);
      const value = this.eval(item.value, scope);
      const name = objectKey(this, keyVal, item.key.range);
      if (name === null) {
        known = false;
        continue;
      }
      const previous = defined.get(name);
      if (previous) {
        this.fail(
          diag(
            'Duplicate object attribute',
            `An attribute named ${JSON.stringify(name)} was already defined at ${formatRange(previous)}. Each attribute may be defined only once.`,
            item.key.range,
            expr.range,
          ),
        );
        continue;
      }
      defined.set(name, item.key.range);
      setKey(out, name, value);
    }
    return known ? out : UNKNOWN;
  }
}

function isBareTraversal(key: Expr): boolean {
  let e = key;
  if (e.kind !== 'getattr' && e.kind !== 'index') return false;
  while (e.kind === 'getattr' || e.kind === 'index') e = e.object;
  return e.kind === 'variable';
}

function identKey(key: Expr): string | null {
  if (key.kind === 'variable') return key.name;
  // `true = 1` and `null = 1`: keywords written as keys are names, as in HCL.
  if (key.kind === 'literal') return String(key.value);
  if (key.kind !== 'template' || key.parts.length !== 1) return null;
  const part = key.parts[0];
  return part?.kind === 'literal' ? part.value : null;
}

/** An object key as a string, or null (after reporting why) when it cannot be one. */
function objectKey(ev: Evaluator, key: Value, range: Range): string | null {
  if (isUnknown(key)) return null;
  if (key === null) {
    ev.fail(diag('Null value as key', "Can't use a null value as a key.", range));
    return null;
  }
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return formatNumber(key);
  if (typeof key === 'boolean') return String(key);
  ev.fail(diag('Incorrect key type', "Can't use this value as a key: string required.", range));
  return null;
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
