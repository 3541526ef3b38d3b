// Test helpers: parse an expression with the project's HCL parser, evaluate it in a scope
// built from plain values, and print diagnostics as `summary | detail | file:l:c-l:c` lines
// for snapshots. Not imported by production code.
import type { Expr } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { parseExpression } from '../../hcl/parser.js';
import { FunctionError, type FunctionContext, type FunctionDef } from '../functions/types.js';
import { isObject, type Value } from '../../core/model/value.js';
import { formatRange } from './diag.js';
import { evaluate } from './evaluate.js';
import type { Reference, Scope } from './scope.js';

export const FILE = 'test.pkr.hcl';

export function parseExpr(src: string): Expr {
  const { expr, diagnostics } = parseExpression(src, FILE);
  if (diagnostics.length > 0) throw new Error(`parse failed: ${formatDiags(diagnostics).join('\n')}`);
  return expr;
}

export const TEST_CONTEXT: FunctionContext = { baseDir: '.', now: () => new Date(0), renderTemplate: () => null };

/** Primitive text for the test functions; collections are not their concern. */
function text(v: Value | undefined): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function def(name: string, params: string[], impl: (args: Value[]) => Value, variadic?: string): FunctionDef {
  const d: FunctionDef = { name, params: params.map((p) => ({ name: p })), impl };
  if (variadic) d.variadic = { name: variadic };
  return d;
}

/** A few functions with known behaviour, so tests do not depend on the real library. */
export const TEST_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  [
    def('upper', ['str'], ([s]) => text(s).toUpperCase()),
    def('join', ['separator'], ([sep, ...lists]) => lists.flatMap((l) => (Array.isArray(l) ? l.map(text) : [])).join(text(sep)), 'lists'),
    def('sum', [], (args) => args.reduce<number>((a, b) => a + Number(b), 0), 'numbers'),
    def('length', ['value'], ([v]) => (Array.isArray(v) ? v.length : isObject(v ?? null) ? Object.keys(v as object).length : text(v).length)),
    def('keys', ['map'], ([m]) => (isObject(m ?? null) ? Object.keys(m as object).sort() : [])),
    def('explode', ['str', 'pos'], ([, pos]) => {
      throw new FunctionError(`Invalid value for "pos" parameter: position ${text(pos)} is out of range.`, 1, 'out of range');
    }),
    def('crash', [], () => {
      throw new FunctionError('Call to function "crash" failed: it always fails.', null, 'it always fails');
    }),
  ].map((f) => [f.name, f]),
);

export interface TestScopeOptions {
  functions?: ReadonlyMap<string, FunctionDef>;
  context?: FunctionContext;
  onReference?: (ref: Reference) => Diagnostic | null;
}

export function scopeOf(vars: Record<string, Value>, opts: TestScopeOptions = {}): Scope {
  const scope: Scope = {
    variables: new Map(Object.entries(vars)),
    functions: opts.functions ?? TEST_FUNCTIONS,
    functionContext: opts.context ?? TEST_CONTEXT,
  };
  if (opts.onReference) scope.onReference = opts.onReference;
  return scope;
}

export function run(src: string, vars: Record<string, Value> = {}, opts: TestScopeOptions = {}): { value: Value; diagnostics: Diagnostic[] } {
  return evaluate(parseExpr(src), scopeOf(vars, opts));
}

/** The value of an expression that must evaluate without diagnostics. */
export function value(src: string, vars: Record<string, Value> = {}, opts: TestScopeOptions = {}): Value {
  const r = run(src, vars, opts);
  if (r.diagnostics.length > 0) throw new Error(`unexpected diagnostics for ${src}:\n${formatDiags(r.diagnostics).join('\n')}`);
  return r.value;
}

/** The diagnostics of an expression, one line each. */
export function errors(src: string, vars: Record<string, Value> = {}, opts: TestScopeOptions = {}): string[] {
  return formatDiags(run(src, vars, opts).diagnostics);
}

export function formatDiags(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => `${d.severity === 'warning' ? 'warning: ' : ''}${d.summary} | ${d.detail} | ${d.subject ? formatRange(d.subject) : '-'}`);
}

/** `lines` lines of attributes mixing every kind of expression, for the evaluation cost checks. */
export function largeSource(lines: number): string {
  const kinds = [
    (i: number) => `a${i} = "prefix-\${var.name}-\${local.items[${i % 10}]}-suffix"`,
    (i: number) => `a${i} = [for s in local.servers : upper(s.name) if s.port > ${i % 5}]`,
    (i: number) => `a${i} = { for k, v in var.tags : k => "\${v}-${i}" }`,
    (i: number) => `a${i} = var.enabled ? join(",", local.items) : "off"`,
    (i: number) => `a${i} = local.servers[*].port`,
    (i: number) => `a${i} = try(var.tags.missing, "fallback-${i}")`,
    (i: number) => `a${i} = (${i} + 3) * 2 % 7 == 1 && !var.enabled || length(local.items) > 3`,
    (i: number) => `a${i} = <<EOT\n  line %{ for x in local.items }\${x} %{ endfor }\n  EOT`,
  ];
  const out: string[] = [];
  for (let i = 0; out.length < lines; i++) out.push(...kinds[i % kinds.length]!(i).split('\n'));
  return out.join('\n') + '\n';
}

/** The variables the lines of largeSource refer to. */
export const LARGE_SOURCE_VARS: Record<string, Value> = {
  var: { name: 'web', enabled: true, tags: { Name: 'web', Team: 'platform', Env: 'prod' } },
  local: {
    items: Array.from({ length: 10 }, (_, i) => `item${i}`),
    servers: Array.from({ length: 8 }, (_, i) => ({ name: `s${i}`, port: i })),
  },
};
