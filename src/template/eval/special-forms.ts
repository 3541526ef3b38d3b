// try() and can() evaluate their arguments themselves, catching the errors an argument
// produces. Errors that are not about values (a reference the caller's onReference hook
// refused) are never caught: they would be errors whatever the values were.
import type { CallExpr, Expr } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { UNKNOWN, containsUnknown, type Value } from '../../core/model/value.js';
import { diag, formatRange } from './diag.js';
import type { Evaluator } from './evaluator.js';
import type { Scope } from './scope.js';

export const SPECIAL_FORMS = {
  can: { name: 'can', params: [{ name: 'expression' }] },
  try: { name: 'try', params: [{ name: 'expressions' }], variadic: { name: 'expressions' } },
  convert: { name: 'convert', params: [{ name: 'value' }, { name: 'type' }] },
} as const;

interface Attempt {
  value: Value;
  /** Errors from the argument, other than refusals. */
  errors: Diagnostic[];
}

function attempt(ev: Evaluator, expr: Expr, scope: Scope): Attempt {
  const { result, diagnostics } = ev.isolated(() => ev.eval(expr, scope));
  const errors: Diagnostic[] = [];
  for (const d of diagnostics) {
    if (d.severity === 'error' && !ev.refusals.has(d)) errors.push(d);
    else ev.diags.push(d);
  }
  return { value: result, errors };
}

/** can(expr): whether expr evaluates without errors; unknown while its value is. */
export function evalCan(ev: Evaluator, call: CallExpr, scope: Scope): Value {
  const [arg] = call.args;
  if (!arg) return UNKNOWN;
  const { value, errors } = attempt(ev, arg, scope);
  if (errors.length > 0) return false;
  return containsUnknown(value) ? UNKNOWN : true;
}

/**
 * try(a, b, ...): the first argument that evaluates without errors. An argument whose value
 * is not yet wholly known makes the result unknown: it might still fail when known.
 */
export function evalTry(ev: Evaluator, call: CallExpr, scope: Scope): Value {
  const failures: Diagnostic[] = [];
  for (const arg of call.args) {
    const { value, errors } = attempt(ev, arg, scope);
    if (errors.length === 0) return containsUnknown(value) ? UNKNOWN : value;
    failures.push(...errors);
  }
  const listing = failures
    .map((d) => `- ${d.summary}${d.subject ? ` (at ${formatRange(d.subject)})` : ''}\n  ${d.detail}`)
    .join('\n');
  return ev.fail(
    diag(
      'Error in function call',
      `Call to function "try" failed: no expression succeeded:\n${listing}\n\nAt least one expression must produce a successful result.`,
      call.range,
    ),
  );
}
