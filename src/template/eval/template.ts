// Quoted strings and heredocs with ${...}, %{if} and %{for}. A template that is exactly one
// interpolation ("${x}") yields x itself, type and all, as HCL does; any other template is
// a string. An unknown part makes the whole string unknown.
import type { TemplateExpr, TemplatePart } from '../../hcl/ast.js';
import { UNKNOWN, isUnknown, type Value } from '../../core/model/value.js';
import { diag } from './diag.js';
import type { Evaluator } from './evaluator.js';
import { forEntries, iterationScope } from './for.js';
import { formatNumber, parseBool } from './primitives.js';
import type { Scope } from './scope.js';

export function evalTemplate(ev: Evaluator, expr: TemplateExpr, scope: Scope): Value {
  const [only] = expr.parts;
  if (only && expr.parts.length === 1) {
    if (only.kind === 'interp') return ev.eval(only.expr, scope);
    if (only.kind === 'literal') return only.value;
  }
  const out: string[] = [];
  const before = ev.diags.length;
  const known = renderParts(ev, expr.parts, scope, out, expr);
  if (ev.errorsSince(before)) return UNKNOWN;
  return known ? out.join('') : UNKNOWN;
}

/** Appends the rendering of `parts` to `out`; false when some part is unknown. */
function renderParts(ev: Evaluator, parts: readonly TemplatePart[], scope: Scope, out: string[], whole: TemplateExpr): boolean {
  let known = true;
  for (const part of parts) {
    switch (part.kind) {
      case 'literal':
        out.push(part.value);
        break;
      case 'interp':
        known = interpolate(ev, ev.eval(part.expr, scope), part.expr.range, out, whole) && known;
        break;
      case 'if':
        known = renderIf(ev, part, scope, out, whole) && known;
        break;
      case 'for':
        known = renderFor(ev, part, scope, out, whole) && known;
        break;
    }
  }
  return known;
}

function interpolate(ev: Evaluator, v: Value, range: TemplatePart['range'], out: string[], whole: TemplateExpr): boolean {
  if (isUnknown(v)) return false;
  if (v === null) {
    ev.fail(
      diag(
        'Invalid template interpolation value',
        'The expression result is null. Cannot include a null value in a string template.',
        range,
        whole.range,
      ),
    );
    return true;
  }
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number') out.push(formatNumber(v));
  else if (typeof v === 'boolean') out.push(String(v));
  else ev.fail(diag('Invalid template interpolation value', 'Cannot include the given value in a string template: string required.', range, whole.range));
  return true;
}

type IfPart = Extract<TemplatePart, { kind: 'if' }>;
type ForPart = Extract<TemplatePart, { kind: 'for' }>;

// Like a conditional expression, both branches are rendered and only the chosen one's
// diagnostics kept, so every reference in the template is seen whichever branch runs.
function renderIf(ev: Evaluator, part: IfPart, scope: Scope, out: string[], whole: TemplateExpr): boolean {
  const cond = ev.eval(part.cond, scope);
  const thenOut: string[] = [];
  const elseOut: string[] = [];
  const t = ev.isolated(() => renderParts(ev, part.then, scope, thenOut, whole));
  const f = ev.isolated(() => renderParts(ev, part.else ?? [], scope, elseOut, whole));
  if (isUnknown(cond)) {
    ev.keepRefusals(t.diagnostics);
    ev.keepRefusals(f.diagnostics);
    return false;
  }
  const b = cond === null ? null : typeof cond === 'boolean' ? cond : typeof cond === 'string' ? parseBool(cond) : null;
  if (b === null) {
    const [summary, detail] =
      cond === null
        ? ['Null condition', 'The condition value is null. Conditions must either be true or false.']
        : ['Incorrect condition type', 'The condition expression must be of type bool.'];
    ev.fail(diag(summary, detail, part.cond.range, part.range));
    ev.keepRefusals(t.diagnostics);
    ev.keepRefusals(f.diagnostics);
    return true;
  }
  const taken = b ? t : f;
  ev.diags.push(...taken.diagnostics);
  ev.keepRefusals((b ? f : t).diagnostics);
  out.push(...(b ? thenOut : elseOut));
  return taken.result;
}

function renderFor(ev: Evaluator, part: ForPart, scope: Scope, out: string[], whole: TemplateExpr): boolean {
  const entries = forEntries(ev, ev.eval(part.collection, scope), part.collection, part.range);
  if (entries === null) return true;
  if (isUnknown(entries)) return false;
  let known = true;
  for (const [k, v] of entries) {
    known = renderParts(ev, part.body, iterationScope(scope, part.keyVar, part.valueVar, k, v), out, whole) && known;
  }
  return known;
}
