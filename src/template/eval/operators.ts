// Unary, binary and conditional operators. Operands convert the way cty converts function
// arguments ("1" + 2 is 3, true + 1 an error); `==` compares without conversion; && and ||
// short-circuit only in HCL's sense: a known controlling operand decides even when the
// other side is unknown, and then only that side's diagnostics are kept.
import type { BinaryExpr, ConditionalExpr, Expr, UnaryExpr } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { UNKNOWN, isUnknown, type Value } from '../../core/model/value.js';
import { convertToType, inferType, unifyTypes } from './convert-type.js';
import { ANY } from './type-constraint.js';
import { diag, rangeBetween } from './diag.js';
import type { Evaluator } from './evaluator.js';
import { describeMismatch } from './mismatch.js';
import { parseBool, parseNumber, valuesEqual } from './primitives.js';
import type { Scope } from './scope.js';

type Side = 'left' | 'right' | 'unary';

export function evalUnary(ev: Evaluator, expr: UnaryExpr, scope: Scope): Value {
  const v = ev.eval(expr.operand, scope);
  if (expr.op === '!') {
    const b = toBool(ev, v, expr.operand, 'unary', expr);
    return b === null ? UNKNOWN : isUnknown(b) ? UNKNOWN : !b;
  }
  const n = toNumber(ev, v, expr.operand, 'unary', expr);
  return n === null || isUnknown(n) ? UNKNOWN : -n;
}

export function evalBinary(ev: Evaluator, expr: BinaryExpr, scope: Scope): Value {
  if (expr.op === '&&' || expr.op === '||') return evalLogical(ev, expr, scope);
  // `a + b + c ...` nests to the left; walking that spine in a loop keeps long chains off
  // the call stack. Operands are still evaluated left to right.
  const spine: BinaryExpr[] = [];
  let leftmost: Expr = expr;
  while (leftmost.kind === 'binary' && leftmost.op !== '&&' && leftmost.op !== '||') {
    spine.push(leftmost);
    leftmost = leftmost.left;
  }
  let acc = ev.eval(leftmost, scope);
  for (let i = spine.length - 1; i >= 0; i--) {
    const node = spine[i];
    if (node) acc = applyBinary(ev, node, acc, ev.eval(node.right, scope));
  }
  return acc;
}

function applyBinary(ev: Evaluator, expr: BinaryExpr, lv: Value, rv: Value): Value {
  if (expr.op === '==' || expr.op === '!=') {
    const eq = valuesEqual(lv, rv);
    return isUnknown(eq) ? UNKNOWN : expr.op === '==' ? eq : !eq;
  }
  const l = toNumber(ev, lv, expr.left, 'left', expr);
  const r = toNumber(ev, rv, expr.right, 'right', expr);
  if (l === null || r === null || isUnknown(l) || isUnknown(r)) return UNKNOWN;
  switch (expr.op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? opFailed(ev, expr, "can't divide by zero") : l / r;
    case '%':
      // cty's modulo truncates like JavaScript's: the result takes the dividend's sign.
      return r === 0 ? opFailed(ev, expr, "can't use modulo by zero") : l % r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    default:
      return l >= r;
  }
}

function opFailed(ev: Evaluator, expr: BinaryExpr, why: string): Value {
  return ev.fail(diag('Operation failed', `Error during operation: ${why}.`, expr.range));
}

/**
 * `a && b && c ...` nests to the left like arithmetic does; the spine is walked in a loop.
 * Each step combines the running result (with the diagnostics it keeps) and the next
 * operand, as a two-operand && or || would.
 */
function evalLogical(ev: Evaluator, expr: BinaryExpr, scope: Scope): Value {
  const spine: BinaryExpr[] = [];
  let leftmost: Expr = expr;
  while (leftmost.kind === 'binary' && (leftmost.op === '&&' || leftmost.op === '||')) {
    spine.push(leftmost);
    leftmost = leftmost.left;
  }
  const first = leftmost;
  const start = ev.isolated(() => ev.eval(first, scope));
  let acc: Operand = { value: start.result, diagnostics: start.diagnostics };
  for (let i = spine.length - 1; i >= 0; i--) {
    const node = spine[i] as BinaryExpr;
    const right = ev.isolated(() => ev.eval(node.right, scope));
    acc = combineLogical(ev, node, acc, { value: right.result, diagnostics: right.diagnostics });
  }
  ev.diags.push(...acc.diagnostics);
  return acc.value;
}

interface Operand {
  value: Value;
  diagnostics: Diagnostic[];
}

function combineLogical(ev: Evaluator, expr: BinaryExpr, left: Operand, right: Operand): Operand {
  const l = ev.isolated(() => toBool(ev, left.value, expr.left, 'left', expr));
  const r = ev.isolated(() => toBool(ev, right.value, expr.right, 'right', expr));
  const conversion = [...l.diagnostics, ...r.diagnostics];
  const lv = l.result;
  const rv = r.result;
  if (lv === null || rv === null) {
    return { value: UNKNOWN, diagnostics: [...conversion, ...left.diagnostics, ...right.diagnostics] };
  }
  const decisive = expr.op === '||';
  const keep = (d: Diagnostic[], v: Value): Operand => {
    const dropped = d === left.diagnostics ? right.diagnostics : left.diagnostics;
    return { value: v, diagnostics: [...d, ...dropped.filter((x) => ev.refusals.has(x))] };
  };
  const lErr = hasErrors(left.diagnostics);
  if (isUnknown(lv) && isUnknown(rv)) {
    if (!lErr) return keep(left.diagnostics, UNKNOWN);
  } else if (lv === decisive) {
    return keep(left.diagnostics, decisive);
  } else if (rv === decisive) {
    return keep(right.diagnostics, decisive);
  } else if (isUnknown(lv)) {
    return keep(left.diagnostics, UNKNOWN);
  } else if (isUnknown(rv)) {
    return keep(right.diagnostics, UNKNOWN);
  }
  const all = [...left.diagnostics, ...right.diagnostics];
  if (hasErrors(all) || isUnknown(lv) || isUnknown(rv)) return { value: UNKNOWN, diagnostics: all };
  return { value: expr.op === '||' ? lv || rv : lv && rv, diagnostics: all };
}

/**
 * True when no conversion can be needed: one side is null or unknown (it takes the other's
 * type), or both are primitives of one type. Spares walking large values in the common case.
 */
function sameShape(a: Value, b: Value): boolean {
  if (a === null || b === null || isUnknown(a) || isUnknown(b)) return true;
  return typeof a !== 'object' && typeof a === typeof b;
}

function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** The operand as a number, UNKNOWN, or null after reporting why it cannot be one. */
function toNumber(ev: Evaluator, v: Value, operand: Expr, side: Side, whole: Expr): number | typeof UNKNOWN | null {
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v === 'number') return v;
  const n = typeof v === 'string' ? parseNumber(v) : null;
  if (n !== null) return n;
  const why = v === null ? 'argument must not be null' : typeof v === 'string' ? 'a number is required' : 'number required';
  invalidOperand(ev, side, why, operand, whole);
  return null;
}

function toBool(ev: Evaluator, v: Value, operand: Expr, side: Side, whole: Expr): boolean | typeof UNKNOWN | null {
  if (isUnknown(v)) return UNKNOWN;
  if (typeof v === 'boolean') return v;
  const b = typeof v === 'string' ? parseBool(v) : null;
  if (b !== null) return b;
  const why = v === null ? 'argument must not be null' : typeof v === 'string' ? 'a bool is required' : 'bool required';
  invalidOperand(ev, side, why, operand, whole);
  return null;
}

function invalidOperand(ev: Evaluator, side: Side, why: string, operand: Expr, whole: Expr): void {
  ev.fail(diag('Invalid operand', `Unsuitable value for ${side} operand: ${why}.`, operand.range, whole.range));
}

/**
 * `c ? a : b`. Both results are evaluated, as HCL does, so that their types can be unified:
 * `c ? 1 : "x"` is a string either way. Only the chosen side's diagnostics are kept.
 */
export function evalConditional(ev: Evaluator, expr: ConditionalExpr, scope: Scope): Value {
  const cond = ev.eval(expr.cond, scope);
  const t = ev.isolated(() => ev.eval(expr.then, scope));
  const f = ev.isolated(() => ev.eval(expr.else, scope));
  // Until a branch is chosen, only refusals (wrong whichever branch runs) are kept.
  const keepRefusals = (): Value => {
    ev.keepRefusals(t.diagnostics);
    ev.keepRefusals(f.diagnostics);
    return UNKNOWN;
  };
  const unified = sameShape(t.result, f.result) ? ANY : unifyTypes([inferType(t.result), inferType(f.result)]);
  if (unified === null) {
    keepRefusals();
    const tType = inferType(t.result);
    const fType = inferType(f.result);
    return ev.fail(
      diag(
        'Inconsistent conditional result types',
        `The true and false result expressions must have consistent types. ${describeMismatch(tType, fType)}.`,
        rangeBetween(expr.then.range, expr.else.range),
        expr.range,
      ),
    );
  }
  if (cond === null) {
    keepRefusals();
    return ev.fail(diag('Null condition', 'The condition value is null. Conditions must either be true or false.', expr.cond.range, expr.range));
  }
  if (isUnknown(cond)) return keepRefusals();
  const b = typeof cond === 'boolean' ? cond : typeof cond === 'string' ? parseBool(cond) : null;
  if (b === null) {
    keepRefusals();
    return ev.fail(diag('Incorrect condition type', 'The condition expression must be of type bool.', expr.cond.range, expr.range));
  }
  const taken = b ? t : f;
  ev.diags.push(...taken.diagnostics);
  ev.keepRefusals((b ? f : t).diagnostics);
  if (hasErrors(taken.diagnostics)) return UNKNOWN;
  const converted = convertToType(taken.result, unified);
  if (converted.error !== null) {
    const which = b ? 'true' : 'false';
    return ev.fail(
      diag(
        'Inconsistent conditional result types',
        `The ${which} result value has the wrong type: ${converted.error}.`,
        (b ? expr.then : expr.else).range,
        expr.range,
      ),
    );
  }
  return converted.value;
}
