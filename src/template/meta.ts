// Meta-arguments Packer reads itself from provisioner, post-processor and build blocks
// (only, except, pause_before, timeout, max_retries, override, keep_input_artifact, name),
// evaluated with variables and locals in scope. An unknown value (from an unset variable,
// already reported) counts as not set.
import type { Expr } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { isObject, isUnknown } from '../core/model/value.js';
import type { Value } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { parseGoDuration } from './duration.js';
import { evaluateIn } from './scope.js';
import type { Bindings, ProvisionerDef, XAttribute } from './types.js';

function evalValue(a: XAttribute, ctx: EvalContext, diags: Diagnostic[]): Value | undefined {
  const r = evaluateIn(a.attr.expr, ctx, a.bindings);
  diags.push(...r.diagnostics);
  if (r.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return r.value;
}

export function evalString(expr: Expr, ctx: EvalContext, bindings: Bindings, diags: Diagnostic[]): string | null {
  const r = evaluateIn(expr, ctx, bindings);
  diags.push(...r.diagnostics);
  if (typeof r.value === 'string') return r.value;
  if (typeof r.value === 'number' || typeof r.value === 'boolean') return String(r.value);
  // Unknown only after an earlier error (an unset variable): that error says it all.
  if (r.diagnostics.length === 0 && !isUnknown(r.value)) diags.push(error('Invalid value', 'A string is required here.', expr.range));
  return null;
}

export function evalRefList(a: XAttribute | undefined, ctx: EvalContext, diags: Diagnostic[]): string[] {
  if (!a) return [];
  const v = evalValue(a, ctx, diags);
  if (v === undefined || v === null || isUnknown(v)) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  diags.push(error('Invalid value', `${a.attr.name} must be a list of source references like "docker.example".`, a.attr.expr.range));
  return [];
}

export function evalDuration(a: XAttribute | undefined, ctx: EvalContext, diags: Diagnostic[]): number | null {
  if (!a) return null;
  const v = evalValue(a, ctx, diags);
  if (v === undefined || v === null || isUnknown(v)) return null;
  const ms = typeof v === 'string' ? parseGoDuration(v) : null;
  if (ms === null || ms < 0) {
    diags.push(error('Invalid duration', `${a.attr.name} must be a duration like "10s" or "1m30s", not ${JSON.stringify(v)}.`, a.attr.expr.range));
    return null;
  }
  return ms;
}

export function evalInt(a: XAttribute | undefined, ctx: EvalContext, diags: Diagnostic[]): number | null {
  if (!a) return null;
  const v = evalValue(a, ctx, diags);
  if (v === undefined || v === null || isUnknown(v)) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0) {
    diags.push(error('Invalid value', `${a.attr.name} must be a whole number, not ${JSON.stringify(v)}.`, a.attr.expr.range));
    return null;
  }
  return n;
}

export function evalBool(a: XAttribute, ctx: EvalContext, diags: Diagnostic[]): boolean | null {
  const v = evalValue(a, ctx, diags);
  if (v === undefined || v === null || isUnknown(v)) return null;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  diags.push(error('Invalid value', `${a.attr.name} must be true or false.`, a.attr.expr.range));
  return null;
}

export function evalOverride(a: XAttribute | undefined, ctx: EvalContext, diags: Diagnostic[]): ProvisionerDef['override'] {
  if (!a) return null;
  const v = evalValue(a, ctx, diags);
  if (v === undefined || v === null || isUnknown(v)) return null;
  if (isObject(v) && Object.values(v).every((x) => isObject(x) || isUnknown(x))) return v;
  diags.push(error('Invalid override', 'override must be a map from source ("type.name") to an object of arguments.', a.attr.expr.range));
  return null;
}
