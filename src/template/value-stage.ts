// The stage between variables and builds, as Packer (1.10+) runs it: locals and data
// sources form one dependency graph (a local may use a data source, a data source may use
// locals, variables and other data sources) and each node is evaluated after what it uses.
// A cycle is reported once, naming the whole loop; nodes in it, or after an error, stay
// unknown. Data sources are prepared by their plugin and, in `build`, executed.
import type { Body } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error, hasErrors, warning } from '../hcl/diagnostic.js';
import { errorMessage } from '../core/errors.js';
import type { DataSourceDefinition } from '../core/model/data-source.js';
import { UNKNOWN, containsUnknown } from '../core/model/value.js';
import type { Value, ValueObject } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { evalExpr } from './adapter.js';
import { itemsToRaw } from './body-to-raw.js';
import { expandBody } from './dynamic.js';
import { collectReferences } from './refs.js';
import type { Reference } from './refs.js';
import { refineReferenceErrors } from './refcheck.js';
import type { KnownNames } from './refcheck.js';
import type { DataDef, DataSourceHost, LocalDef } from './types.js';

type Node = { kind: 'local'; id: string; def: LocalDef } | { kind: 'data'; id: string; def: DataDef };

/**
 * Evaluates every local and data source in dependency order, filling `ctx.variables.local`
 * and `ctx.variables.data` as values become known. Without a host, data sources stay
 * unknown (inspect, console).
 */
export async function evaluateLocalsAndData(
  locals: Map<string, LocalDef>,
  dataSources: Map<string, DataDef>,
  known: KnownNames,
  ctx: EvalContext,
  host: DataSourceHost | undefined,
  templateDir: string,
  diags: Diagnostic[],
): Promise<void> {
  const nodes = new Map<string, Node>();
  for (const def of locals.values()) nodes.set(`local.${def.name}`, { kind: 'local', id: `local.${def.name}`, def });
  for (const def of dataSources.values()) nodes.set(`data.${def.type}.${def.name}`, { kind: 'data', id: `data.${def.type}.${def.name}`, def });
  const deps = new Map<string, string[]>();
  for (const node of nodes.values()) {
    const refs = node.kind === 'local' ? collectReferences(node.def.expr) : bodyReferences(node.def.body);
    deps.set(node.id, dependencies(refs, nodes));
  }
  const { order, blocked } = orderNodes(nodes, deps, diags);

  const localObj: ValueObject = {};
  const dataObj: ValueObject = {};
  const evalCtx: EvalContext = { ...ctx, variables: { ...ctx.variables, local: localObj, data: dataObj } };
  const failed = new Set<string>(blocked);
  for (const id of order) {
    const node = nodes.get(id);
    if (!node) continue;
    const skip = failed.has(id) || (deps.get(id) ?? []).some((d) => failed.has(d));
    if (skip) failed.add(id);
    if (node.kind === 'local') {
      node.def.value = skip ? UNKNOWN : evaluateLocal(node.def, evalCtx, known, diags);
      localObj[node.def.name] = node.def.value;
    } else {
      const value = skip ? UNKNOWN : await evaluateData(node.def, evalCtx, host, templateDir, diags);
      if (value === null) failed.add(id);
      node.def.value = value ?? UNKNOWN;
      node.def.evaluated = host !== undefined;
      const byType = (dataObj[node.def.type] ?? {}) as ValueObject;
      byType[node.def.name] = node.def.value;
      dataObj[node.def.type] = byType;
    }
  }
}

function evaluateLocal(def: LocalDef, ctx: EvalContext, known: KnownNames, diags: Diagnostic[]): Value {
  const r = evalExpr(def.expr, ctx);
  diags.push(...refineReferenceErrors(def.expr, r.diagnostics, known));
  return hasErrors(r.diagnostics) ? UNKNOWN : r.value;
}

/** The data source's result; null when it failed (its dependants stay unknown, unreported). */
async function evaluateData(def: DataDef, ctx: EvalContext, host: DataSourceHost | undefined, templateDir: string, diags: Diagnostic[]): Promise<Value | null> {
  const label = `data.${def.type}.${def.name}`;
  const d: Diagnostic[] = [];
  const raw = itemsToRaw(expandBody(def.body, {}, ctx, d), def.range, ctx, d);
  diags.push(...d);
  if (hasErrors(d)) return null;
  if (!host) return UNKNOWN;
  let plugin: DataSourceDefinition<unknown> | null;
  try {
    plugin = await host.definition(def.type);
  } catch (e) {
    diags.push(error(`Cannot load data source "${def.type}"`, `${label}: ${errorMessage(e)}`, def.typeRange));
    return null;
  }
  if (!plugin) {
    diags.push(host.unknownType(def.type, def.typeRange));
    return null;
  }
  const prepared = plugin.prepare(raw, { templateDir, sourceFullName: label, buildName: '' });
  diags.push(...prepared.warnings, ...prepared.errors);
  if (prepared.config === null || prepared.errors.length > 0) return null;
  const config = prepared.config;
  const typedUnknown = (): ValueObject => Object.fromEntries(plugin.outputs.map((k) => [k, UNKNOWN]));
  // An input only known at run time (a value `validate` cannot compute) leaves the result unknown.
  if (containsUnknown(raw.values)) return typedUnknown();
  if (plugin.resultWithoutRun) return plugin.resultWithoutRun(config);
  if (!host.execute) return typedUnknown();
  const warn = (message: string): void => void diags.push(warning(`Data source ${label}`, message, def.range));
  try {
    const whole = await host.plugin(def.type);
    return await whole.execute(config, { signal: host.signal ?? new AbortController().signal, templateDir, warn });
  } catch (e) {
    diags.push(error(`Data source ${label} failed`, `${label}: ${errorMessage(e)}`, def.range));
    return null;
  }
}

/** Locals and data sources a node uses; `data.TYPE` without a name means every data source of TYPE. */
function dependencies(refs: Reference[], nodes: ReadonlyMap<string, Node>): string[] {
  const out = new Set<string>();
  for (const r of refs) {
    if (r.attr === null) continue;
    if (r.root === 'local' && nodes.has(`local.${r.attr}`)) out.add(`local.${r.attr}`);
    if (r.root !== 'data') continue;
    if (r.second !== undefined) {
      if (nodes.has(`data.${r.attr}.${r.second}`)) out.add(`data.${r.attr}.${r.second}`);
      continue;
    }
    for (const id of nodes.keys()) if (id.startsWith(`data.${r.attr}.`)) out.add(id);
  }
  return [...out];
}

/** Every reference in a block body, nested blocks (and `dynamic` blocks' for_each) included. */
function bodyReferences(body: Body): Reference[] {
  const out: Reference[] = [];
  const visit = (b: Body): void => {
    for (const item of b.items) {
      if (item.kind === 'attribute') out.push(...collectReferences(item.expr));
      else visit(item.body);
    }
  };
  visit(body);
  return out;
}

/**
 * Depth-first order, dependencies before dependents (sorted ids, so diagnostics come in a
 * stable order); cycles reported. An explicit stack: a chain of thousands of locals each
 * naming the previous one must not recurse that deep.
 */
function orderNodes(nodes: ReadonlyMap<string, Node>, deps: ReadonlyMap<string, string[]>, diags: Diagnostic[]): { order: string[]; blocked: Set<string> } {
  const state = new Map<string, 'visiting' | 'done'>();
  const blocked = new Set<string>();
  const order: string[] = [];
  for (const root of [...nodes.keys()].sort()) {
    if (state.get(root) !== undefined) continue;
    const path: string[] = [root];
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'visiting');
    while (work.length > 0) {
      const top = work[work.length - 1] as { id: string; next: number };
      const dep = (deps.get(top.id) ?? [])[top.next];
      if (dep === undefined) {
        work.pop();
        path.pop();
        state.set(top.id, 'done');
        order.push(top.id);
        continue;
      }
      top.next++;
      const st = state.get(dep);
      if (st === 'done') continue;
      if (st === 'visiting') {
        const loop = [...path.slice(path.indexOf(dep)), dep];
        for (const n of loop) blocked.add(n);
        diags.push(cycleDiagnostic(loop, nodes));
        continue;
      }
      state.set(dep, 'visiting');
      path.push(dep);
      work.push({ id: dep, next: 0 });
    }
  }
  return { order, blocked };
}

function cycleDiagnostic(loop: string[], nodes: ReadonlyMap<string, Node>): Diagnostic {
  const first = nodes.get(loop[0] ?? '');
  const onlyLocals = loop.every((id) => id.startsWith('local.'));
  const subject = first ? (first.kind === 'local' ? first.def.nameRange : first.def.typeRange) : undefined;
  return error(
    onlyLocals ? 'Cycle in local values' : 'Cycle between local values and data sources',
    `${onlyLocals ? 'Local values refer' : 'Local values and data sources refer'} to each other in a loop: ${loop.join(' → ')}. Break the loop so that each value can be computed from the others.`,
    subject,
  );
}
