// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value...}`. Sequences
// give (index, element), objects and maps (key, value) in lexical key order, as cty iterates
// them. Problems with the `if` clause or keys are reported once, not once per element.
import type { Expr, ForExpr, Range } from '../../hcl/ast.js';
import { UNKNOWN, isObject, isUnknown, typeName, type Value, type ValueObject } from '../../core/model/value.js';
import { diag } from './diag.js';
import type { Evaluator } from './evaluator.js';
import { formatNumber, parseBool, setKey, sortedKeys } from './primitives.js';
import { layer, type Scope } from './scope.js';

export type Entries = [Value, Value][];

/** The (key, value) pairs of a `for` collection, UNKNOWN, or null after reporting why. */
export function forEntries(ev: Evaluator, coll: Value, collExpr: Expr, whole: Range): Entries | typeof UNKNOWN | null {
  if (isUnknown(coll)) return UNKNOWN;
  if (coll === null) {
    ev.fail(diag('Iteration over null value', "A null value cannot be used as the collection in a 'for' expression.", collExpr.range, whole));
    return null;
  }
  if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
  if (isObject(coll)) return sortedKeys(coll).map((k) => [k, coll[k] ?? null]);
  ev.fail(
    diag(
      'Iteration over non-iterable value',
      `A value of type ${typeName(coll)} cannot be used as the collection in a 'for' expression.`,
      collExpr.range,
      whole,
    ),
  );
  return null;
}

/** The scope of one iteration: the key and value variables over the enclosing scope. */
export function iterationScope(scope: Scope, keyVar: string | null, valueVar: string, k: Value, v: Value): Scope {
  const own = new Map<string, Value>();
  if (keyVar !== null) own.set(keyVar, k);
  own.set(valueVar, v);
  return layer(scope, own);
}

export function evalFor(ev: Evaluator, expr: ForExpr, scope: Scope): Value {
  const entries = forEntries(ev, ev.eval(expr.collection, scope), expr.collection, expr.range);
  if (entries === null || isUnknown(entries)) return UNKNOWN;
  const tuple: Value[] = [];
  const object: ValueObject = {};
  const groups = new Map<string, Value[]>();
  const seen = new Set<string>();
  let known = true;
  // Each kind of problem is reported for the first element that has it, not for all.
  const once = (d: Parameters<Evaluator['fail']>[0]): void => {
    if (known) ev.fail(d);
    known = false;
  };
  for (const [k, v] of entries) {
    const inner = iterationScope(scope, expr.keyVar, expr.valueVar, k, v);
    if (expr.cond) {
      const include = ev.eval(expr.cond, inner);
      if (isUnknown(include)) {
        known = false;
        continue;
      }
      const b = include === null ? null : typeof include === 'boolean' ? include : typeof include === 'string' ? parseBool(include) : null;
      if (b === null) {
        const detail =
          include === null
            ? "The value of the 'if' clause must not be null."
            : `The 'if' clause value is invalid: ${typeof include === 'string' ? 'a bool is required' : 'bool required'}.`;
        once(diag("Invalid 'for' condition", detail, expr.cond.range, expr.range));
        continue;
      }
      if (!b) continue;
    }
    if (!expr.isObject || !expr.keyExpr) {
      tuple.push(ev.eval(expr.valueExpr, inner));
      continue;
    }
    const keyExpr = expr.keyExpr;
    const key = ev.eval(keyExpr, inner);
    if (isUnknown(key)) {
      known = false;
      continue;
    }
    const name = typeof key === 'string' ? key : typeof key === 'number' ? formatNumber(key) : typeof key === 'boolean' ? String(key) : null;
    if (name === null) {
      const detail =
        key === null
          ? "Key expression in 'for' expression must not produce a null value."
          : 'The key expression produced an invalid result: string required.';
      once(diag('Invalid object key', detail, keyExpr.range, expr.range));
      continue;
    }
    const value = ev.eval(expr.valueExpr, inner);
    if (expr.group) {
      const g = groups.get(name);
      if (g) g.push(value);
      else groups.set(name, [value]);
      continue;
    }
    if (seen.has(name)) {
      ev.fail(
        diag(
          'Duplicate object key',
          `Two different items produced the key ${JSON.stringify(name)} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
          keyExpr.range,
          expr.range,
        ),
      );
      continue;
    }
    seen.add(name);
    setKey(object, name, value);
  }
  if (!known) return UNKNOWN;
  if (!expr.isObject) return tuple;
  if (expr.group) for (const [k, vs] of groups) setKey(object, k, vs);
  return object;
}
