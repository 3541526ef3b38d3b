// Locals: `locals { a = ... }` and `local "a" { expression = ..., sensitive = ... }`, evaluated
// in dependency order. A cycle is reported once, naming the whole loop.
import type { Block } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { UNKNOWN } from '../core/model/value.js';
import type { ValueObject } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { evalExpr } from './adapter.js';
import { collectReferences } from './refs.js';
import { refineReferenceErrors } from './refcheck.js';
import type { KnownNames } from './refcheck.js';
import { checkBody, rangeText } from './schema.js';
import type { LocalDef } from './types.js';
import { isIdentifier } from './variables.js';

const LOCAL_SCHEMA = { attributes: { expression: { required: true }, sensitive: {} }, blocks: {} };

export function decodeLocalsBlock(block: Block, locals: Map<string, LocalDef>, diags: Diagnostic[]): void {
  for (const item of block.body.items) {
    if (item.kind === 'block') {
      diags.push(error('Unexpected block', `A locals block may only contain assignments like name = expression; found a "${item.type}" block.`, item.typeRange));
      continue;
    }
    add(locals, { name: item.name, expr: item.expr, nameRange: item.nameRange, range: item.range, sensitive: false, value: UNKNOWN }, diags);
  }
}

export function decodeLocalBlock(block: Block, locals: Map<string, LocalDef>, ctx: EvalContext, diags: Diagnostic[]): void {
  const name = block.labels[0] ?? '';
  const nameRange = block.labelRanges[0] ?? block.typeRange;
  const { attrs } = checkBody(block.body, LOCAL_SCHEMA, `local "${name}"`, diags, block.range);
  const expr = attrs.get('expression');
  if (!expr) return;
  if (!isIdentifier(name)) {
    diags.push(error('Invalid local name', `"${name}" is not a valid local name.`, nameRange));
    return;
  }
  let sensitive = false;
  const s = attrs.get('sensitive');
  if (s) {
    const r = evalExpr(s.expr, ctx);
    diags.push(...r.diagnostics);
    if (typeof r.value === 'boolean') sensitive = r.value;
    else if (r.diagnostics.length === 0) diags.push(error('Invalid value', 'sensitive must be true or false.', s.expr.range));
  }
  add(locals, { name, expr: expr.expr, nameRange, range: block.range, sensitive, value: UNKNOWN }, diags);
}

function add(locals: Map<string, LocalDef>, def: LocalDef, diags: Diagnostic[]): void {
  const prev = locals.get(def.name);
  if (prev) {
    diags.push(error('Duplicate local definition', `A local value named "${def.name}" was already defined at ${rangeText(prev.nameRange)}. Local value names must be unique.`, def.nameRange));
    return;
  }
  locals.set(def.name, def);
}

/**
 * Evaluates every local after the locals it refers to. `ctx.variables.local` is filled in
 * as values become known; locals in a cycle or after an error stay unknown.
 */
export function evaluateLocals(locals: Map<string, LocalDef>, known: KnownNames, ctx: EvalContext, diags: Diagnostic[]): void {
  const localObj: ValueObject = {};
  const evalCtx: EvalContext = { ...ctx, variables: { ...ctx.variables, local: localObj } };
  const deps = new Map<string, string[]>();
  for (const l of locals.values()) {
    const names = collectReferences(l.expr)
      .filter((r) => r.root === 'local' && r.attr !== null && locals.has(r.attr))
      .map((r) => r.attr as string);
    deps.set(l.name, [...new Set(names)]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const inCycle = new Set<string>();
  const reportCycle = (name: string, path: readonly string[]): void => {
    const loop = [...path.slice(path.indexOf(name)), name];
    for (const n of loop) inCycle.add(n);
    diags.push(
      error(
        'Cycle in local values',
        `Local values refer to each other in a loop: ${loop.map((n) => `local.${n}`).join(' → ')}. Break the loop so that each value can be computed from the others.`,
        locals.get(name)?.nameRange,
      ),
    );
  };
  const finish = (name: string): void => {
    state.set(name, 'done');
    const def = locals.get(name);
    if (!def) return;
    const blocked = inCycle.has(name) || (deps.get(name) ?? []).some((d) => inCycle.has(d));
    if (blocked) {
      def.value = UNKNOWN;
    } else {
      const r = evalExpr(def.expr, evalCtx);
      diags.push(...refineReferenceErrors(def.expr, r.diagnostics, known));
      def.value = r.diagnostics.some((x) => x.severity === 'error') ? UNKNOWN : r.value;
    }
    localObj[name] = def.value;
  };
  // Depth-first, dependencies before dependents, with an explicit stack: a chain of
  // thousands of locals each naming the previous one must not recurse that deep.
  for (const root of [...locals.keys()].sort()) {
    if (state.get(root) !== undefined) continue;
    const path: string[] = [root];
    const work: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'visiting');
    while (work.length > 0) {
      const top = work[work.length - 1] as { name: string; next: number };
      const dep = (deps.get(top.name) ?? [])[top.next];
      if (dep === undefined) {
        work.pop();
        path.pop();
        finish(top.name);
        continue;
      }
      top.next++;
      const st = state.get(dep);
      if (st === 'done') continue;
      if (st === 'visiting') {
        reportCycle(dep, path);
        continue;
      }
      state.set(dep, 'visiting');
      path.push(dep);
      work.push({ name: dep, next: 0 });
    }
  }
}
