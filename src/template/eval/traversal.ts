// Root names, attribute access, indexing and splats. A chain like `var.a.b[0]` is walked
// iteratively from its root, so that the caller's onReference hook sees the whole static
// path (`var`, ["a", "b", "0"]) once, and long chains cost no recursion.
import type { Expr, GetAttrExpr, IndexExpr, Range, SplatExpr, VariableExpr } from '../../hcl/ast.js';
import { UNKNOWN, isObject, isUnknown, typeName, type Value } from '../../core/model/value.js';
import { diag, rangeOf, suggestion } from './diag.js';
import type { Evaluator } from './evaluator.js';
import { compareStrings, formatNumber, getOwn, parseNumber } from './primitives.js';
import { isLocalName, type Scope } from './scope.js';

type Step = GetAttrExpr | IndexExpr;

export function evalTraversal(ev: Evaluator, expr: VariableExpr | Step, scope: Scope): Value {
  const steps: Step[] = [];
  let base: Expr = expr;
  while (base.kind === 'getattr' || base.kind === 'index') {
    steps.push(base);
    base = base.object;
  }
  steps.reverse();
  let value = base.kind === 'variable' ? lookupRoot(ev, base, steps, scope) : ev.eval(base, scope);
  for (const step of steps) {
    const subject = rangeOf(step.range.filename, step.object.range.end, step.range.end);
    value = step.kind === 'getattr' ? getAttr(ev, value, step.name, subject) : index(ev, value, ev.eval(step.key, scope), subject);
  }
  return value;
}

function lookupRoot(ev: Evaluator, root: VariableExpr, steps: Step[], scope: Scope): Value {
  if (scope.onReference && !isLocalName(scope, root.name)) {
    const { path, range } = staticPath(root, steps);
    const refused = scope.onReference({ root: root.name, path, range });
    if (refused) {
      ev.refusals.add(refused);
      return ev.fail(refused);
    }
  }
  const value = scope.variables.get(root.name);
  if (value !== undefined) return value;
  const known = [...scope.variables.keys()].sort(compareStrings);
  return ev.fail(
    diag('Unknown variable', `There is no variable named ${JSON.stringify(root.name)}.${suggestion(root.name, known)}`, root.range),
  );
}

/** The attribute names and literal keys right after the root, up to the first dynamic step. */
function staticPath(root: VariableExpr, steps: Step[]): { path: string[]; range: Range } {
  const path: string[] = [];
  let range = root.range;
  for (const step of steps) {
    const key = step.kind === 'getattr' ? step.name : literalKey(step.key);
    if (key === null) break;
    path.push(key);
    range = rangeOf(root.range.filename, root.range.start, step.range.end);
  }
  return { path, range };
}

function literalKey(key: Expr): string | null {
  if (key.kind === 'literal') return typeof key.value === 'number' ? formatNumber(key.value) : null;
  if (key.kind !== 'template' || key.parts.length !== 1) return null;
  const part = key.parts[0];
  return part?.kind === 'literal' ? part.value : null;
}

export function getAttr(ev: Evaluator, obj: Value, name: string, subject: Range): Value {
  if (isUnknown(obj)) return UNKNOWN;
  if (obj === null) {
    return ev.fail(diag('Attempt to get attribute from null value', 'This value is null, so it does not have any attributes.', subject));
  }
  if (isObject(obj)) {
    const v = getOwn(obj, name);
    if (v !== undefined) return v;
    const hint = suggestion(name, Object.keys(obj).sort(compareStrings));
    return ev.fail(diag('Unsupported attribute', `This object does not have an attribute named ${JSON.stringify(name)}.${hint}`, subject));
  }
  if (Array.isArray(obj)) {
    // Reaching into a list of objects as if it were one object is a common slip.
    if (obj.length > 0 && obj.every(isObject)) {
      const detail = obj.some((o) => isObject(o) && getOwn(o, name) !== undefined)
        ? `Can't access attributes on a list of objects. Did you mean to access attribute ${JSON.stringify(name)} for a specific element of the list, or across all elements of the list?`
        : "Can't access attributes on a list of objects. Did you mean to access an attribute for a specific element of the list, or across all elements of the list?";
      return ev.fail(diag('Unsupported attribute', detail, subject));
    }
    return ev.fail(diag('Unsupported attribute', 'This value does not have any attributes.', subject));
  }
  return ev.fail(diag('Unsupported attribute', `Can't access attributes on a primitive-typed value (${typeName(obj)}).`, subject));
}

const NO_ELEMENT = 'The given key does not identify an element in this collection value';

export function index(ev: Evaluator, coll: Value, key: Value, subject: Range): Value {
  if (coll === null) return ev.fail(diag('Attempt to index null value', 'This value is null, so it does not have any indices.', subject));
  if (key === null) return ev.fail(diag('Invalid index', "Can't use a null value as an indexing key.", subject));
  if (isUnknown(coll) || isUnknown(key)) return UNKNOWN;
  if (Array.isArray(coll)) {
    const n = typeof key === 'number' ? key : typeof key === 'string' ? parseNumber(key) : null;
    if (n === null) {
      const why = typeof key === 'string' ? 'a number is required' : 'number required';
      return ev.fail(diag('Invalid index', `${NO_ELEMENT}: ${why}.`, subject));
    }
    if (!Number.isInteger(n)) {
      return ev.fail(
        diag('Invalid index', `${NO_ELEMENT}: indexing a sequence requires a whole number, but the given index has a fractional part.`, subject),
      );
    }
    if (n < 0) return ev.fail(diag('Invalid index', `${NO_ELEMENT}: a negative number is not a valid index for a sequence.`, subject));
    if (n >= coll.length) {
      const why = coll.length === 0 ? 'the collection has no elements' : 'the given index is greater than or equal to the length of the collection';
      return ev.fail(diag('Invalid index', `${NO_ELEMENT}: ${why}.`, subject));
    }
    return coll[n] ?? null;
  }
  if (isObject(coll)) {
    const name = typeof key === 'string' ? key : typeof key === 'number' ? formatNumber(key) : typeof key === 'boolean' ? String(key) : null;
    if (name === null) return ev.fail(diag('Invalid index', `${NO_ELEMENT}: string required.`, subject));
    const v = getOwn(coll, name);
    if (v !== undefined) return v;
    const hint = typeof key === 'number' ? ' An object only supports looking up attributes by name, not by numeric index.' : '';
    return ev.fail(diag('Invalid index', `${NO_ELEMENT}.${hint}`, subject));
  }
  return ev.fail(diag('Invalid index', 'This value does not have any indices.', subject));
}

/**
 * `list[*].name` and `list.*.name`: the traversal after the marker applies to every element.
 * A value that is not a sequence acts as a one-element list and null as an empty one, so
 * `var.maybe_list[*]` works for a single object too.
 */
export function evalSplat(ev: Evaluator, expr: SplatExpr, scope: Scope): Value {
  const source = ev.eval(expr.source, scope);
  const saved = ev.splatItem;
  try {
    if (isUnknown(source)) {
      // Still evaluate the traversal once, for the diagnostics it has regardless of values.
      ev.splatItem = UNKNOWN;
      ev.eval(expr.each, scope);
      return UNKNOWN;
    }
    if (source === null) return [];
    const items = Array.isArray(source) ? source : [source];
    const before = ev.diags.length;
    const out = items.map((item) => {
      ev.splatItem = item;
      return ev.eval(expr.each, scope);
    });
    return ev.errorsSince(before) ? UNKNOWN : out;
  } finally {
    ev.splatItem = saved;
  }
}
