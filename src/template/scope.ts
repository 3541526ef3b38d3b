// Evaluation contexts for each phase. Packer evaluates variable defaults with functions only,
// locals and Packer-level blocks with var/local/path/packer/data, source bodies with `source`
// added, and provisioners/post-processors with `build` (run-time generated data) as well.
import type { Expr } from '../hcl/ast.js';
import type { GeneratedData } from '../core/model/plan.js';
import { UNKNOWN, isObject } from '../core/model/value.js';
import type { Value, ValueObject } from '../core/model/value.js';
import { refineReferenceErrors } from './refcheck.js';
import type { KnownNames } from './refcheck.js';
import type { EvalContext, Evaluated } from './adapter.js';
import { evalExpr } from './adapter.js';
import type { Bindings, Template } from './types.js';

/** The Packer core version imgbuild is compatible with (`packer.version`, required_version). */
export const PACKER_COMPAT_VERSION = '1.11.0';

/**
 * The `build.*` keys Packer's core and communicators generate. They are unknown until the
 * machine exists; plugins may add more (e.g. SourceAMIName).
 */
export const GENERATED_KEYS = [
  'ID',
  'Host',
  'Port',
  'User',
  'Password',
  'ConnType',
  'PackerRunUUID',
  'PackerHTTPAddr',
  'PackerHTTPIP',
  'PackerHTTPPort',
  'SSHPublicKey',
  'SSHPrivateKey',
  'SSHAgentAuth',
  'WinRMPassword',
] as const;

const NOT_PROVIDED: Partial<Record<string, string>> = {
  PackerHTTPAddr: 'ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER',
  PackerHTTPIP: 'ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER',
  PackerHTTPPort: 'ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER',
};

export function templateContext(t: Template): EvalContext {
  return {
    variables: {
      var: variableValues(t),
      local: localValues(t),
      path: { root: t.dir, cwd: t.cwd },
      packer: { version: PACKER_COMPAT_VERSION },
      data: dataValues(t),
    },
    baseDir: t.cwd,
    now: t.now,
    ...(t.maxFileBytes === undefined ? {} : { maxFileBytes: t.maxFileBytes }),
  };
}

export function variableValues(t: Template): ValueObject {
  const out: ValueObject = {};
  for (const [name, v] of t.variables) out[name] = v.value;
  return out;
}

export function localValues(t: Template): ValueObject {
  const out: ValueObject = {};
  for (const [name, l] of t.locals) out[name] = l.value;
  return out;
}

/** `data.TYPE.NAME`: each data source's result as the data-source stage left it. */
export function dataValues(t: Template): ValueObject {
  const byType = new Map<string, ValueObject>();
  for (const d of t.dataSources.values()) {
    const names = byType.get(d.type) ?? {};
    names[d.name] = d.value;
    byType.set(d.type, names);
  }
  return Object.fromEntries(byType);
}

export interface PluginScope {
  buildName: string;
  sourceType: string;
  sourceName: string;
}

/** Adds `source`, and for provisioners/post-processors `build`, to a template context. */
export function pluginContext(base: EvalContext, scope: PluginScope, build: { generated: GeneratedData | null; wanted: Iterable<string> } | null): EvalContext {
  const variables: ValueObject = { ...base.variables, source: { type: scope.sourceType, name: scope.sourceName } };
  if (build) {
    const b: ValueObject = {};
    if (build.generated === null) {
      for (const k of GENERATED_KEYS) b[k] = UNKNOWN;
      // Plugin-specific keys are only known once the builder runs; accept what is asked for.
      for (const k of build.wanted) b[k] = UNKNOWN;
    } else {
      // As Packer: keys the builder does not provide read as blank, HTTP ones as an error marker.
      for (const k of GENERATED_KEYS) b[k] = NOT_PROVIDED[k] ?? '';
      for (const [k, v] of Object.entries(build.generated)) b[k] = v;
    }
    b['name'] = scope.buildName;
    variables['build'] = b;
    variables['packer_build_name'] = scope.buildName;
  }
  return { ...base, variables };
}

export function withBindings(ctx: EvalContext, bindings: Bindings): EvalContext {
  const keys = Object.keys(bindings);
  if (keys.length === 0) return ctx;
  return { ...ctx, variables: { ...ctx.variables, ...bindings } };
}

/**
 * Evaluates with iterator bindings in scope. References to undeclared variables and locals
 * are reported as evaluated (exact range, did-you-mean) and make the value unknown.
 */
export function evaluateIn(expr: Expr, ctx: EvalContext, bindings: Bindings = {}): Evaluated {
  const r = evalExpr(expr, withBindings(ctx, bindings));
  // Names are only gathered when there is an error to explain: this runs for every attribute.
  const known = (): KnownNames => ({ vars: keysOf(ctx.variables['var']), locals: keysOf(ctx.variables['local']) });
  return { value: r.value, diagnostics: refineReferenceErrors(expr, r.diagnostics, known) };
}

function keysOf(v: Value | undefined): Set<string> {
  return new Set(v !== undefined && isObject(v) ? Object.keys(v) : []);
}
