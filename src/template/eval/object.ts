// Object constructors: `{ a = 1, "b" = 2, (expr) = 3 }`. Bare names are literal keys,
// other keys are evaluated and must be strings (or numbers and bools, which convert).
// A key given twice is an error, and `{ a.b = 1 }` is refused as ambiguous, as in HCL.
import type { Expr, ObjectExpr, Range } from '../../hcl/ast.js';
import { UNKNOWN, isUnknown, type Value, type ValueObject } from '../../core/model/value.js';
import { diag, formatRange } from './diag.js';
import type { Evaluator } from './evaluator.js';
import { formatNumber, setKey } from './primitives.js';
import type { Scope } from './scope.js';

export function evalObject(ev: Evaluator, expr: ObjectExpr, scope: Scope): Value {
  const out: ValueObject = {};
  const defined = new Map<string, Range>();
  let known = true;
  for (const item of expr.items) {
    if (isBareTraversal(item.key)) {
      // `{ a.b = 1 }`: a dotted name or a reference? HCL refuses to guess.
      ev.fail(
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
    const keyVal = key ?? ev.eval(item.key, scope);
    const value = ev.eval(item.value, scope);
    const name = objectKey(ev, keyVal, item.key.range);
    if (name === null) {
      known = false;
      continue;
    }
    const previous = defined.get(name);
    if (previous) {
      ev.fail(
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
