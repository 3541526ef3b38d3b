// Evaluation is linear in the size of the expressions: each node is evaluated once per use,
// so a template twice as large, or a for expression over four times the data, does
// proportionally more work. Counted, not timed (timings: bench/eval-perf.ts).
import { parseHCL } from '../../hcl/parser.js';
import type { ValueObject } from '../../core/model/value.js';
import { evaluate } from './evaluate.js';
import { childScope } from './scope.js';
import { LARGE_SOURCE_VARS, largeSource, parseExpr, scopeOf } from './testing.js';

/**
 * The tree with every node wrapped so that reading its `kind` (what the evaluator does once
 * per node it evaluates) is counted: the work evaluation does, independent of the machine.
 */
function counted<T>(tree: T, counter: { visits: number }): T {
  const wrap = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(wrap);
    if (x === null || typeof x !== 'object') return x;
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) copy[k] = k === 'range' ? v : wrap(v);
    if (typeof copy['kind'] !== 'string') return copy;
    return new Proxy(copy, {
      get(target, prop, receiver) {
        if (prop === 'kind') counter.visits++;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  };
  return wrap(tree) as T;
}

/** Node evaluations for the first `lines` lines of the large template, per attribute evaluated. */
function templateWork(lines: number): { visits: number; attributes: number } {
  const { file, diagnostics } = parseHCL(largeSource(lines), 'large.pkr.hcl');
  expect(diagnostics).toEqual([]);
  const counter = { visits: 0 };
  const attrs = file.body.items.flatMap((item) => (item.kind === 'attribute' ? [item] : []));
  const scope = scopeOf(LARGE_SOURCE_VARS);
  const results: ValueObject = {};
  for (const a of attrs) {
    const r = evaluate(counted(a.expr, counter), scope);
    expect(r.diagnostics).toEqual([]);
    results[a.name] = r.value;
  }
  expect(results['a1']).toEqual(['S2', 'S3', 'S4', 'S5', 'S6', 'S7']);
  return { visits: counter.visits, attributes: attrs.length };
}

// Wall-clock figures (the 200 ms budget for 5,000 lines) are in bench/eval-perf.ts: a timed
// assertion fails on a loaded machine. These tests count the evaluator's work instead.
// Counts are exact, so small sizes prove the shape; the 5,000-line figure is the bench's.
test('a template is evaluated in one walk: the work per attribute does not grow with the template', () => {
  const half = templateWork(1000);
  const full = templateWork(2000);
  expect(full.attributes).toBeGreaterThan(1200);
  const perAttribute = (w: { visits: number; attributes: number }): number => w.visits / w.attributes;
  expect(perAttribute(full)).toBeLessThan(perAttribute(half) * 1.05);
  expect(perAttribute(full)).toBeGreaterThan(perAttribute(half) * 0.95);
});

test('the work of a for expression grows linearly with the data it walks', () => {
  const expr = parseExpr('{ for i, x in xs : "k${i}" => { v = "${x}-${i}", ok = x % 2 == 0 ? [x] : [] } }');
  const work = (n: number): number => {
    const counter = { visits: 0 };
    const r = evaluate(counted(expr, counter), scopeOf({ xs: Array.from({ length: n }, (_, i) => i) }));
    expect(Object.keys(r.value as object)).toHaveLength(n);
    return counter.visits;
  };
  const small = work(1000);
  const large = work(4000);
  // Four times the data is four times the node evaluations (quadratic would be ~16x).
  expect(large / small).toBeGreaterThan(3.9);
  expect(large / small).toBeLessThan(4.1);
});

test('deeply nested child scopes do not copy their parents', () => {
  let scope = scopeOf({ base: 1 });
  for (let i = 0; i < 2000; i++) scope = childScope(scope, { [`v${i}`]: i });
  expect(evaluate(parseExpr('base + v0 + v1999'), scope).value).toBe(2000);
});

test('a long chain of operators does not exhaust the stack', () => {
  const src = Array.from({ length: 20000 }, (_, i) => (i % 2 ? '2' : '1')).join(' + ');
  expect(evaluate(parseExpr(src), scopeOf({})).value).toBe(30000);
});

test('nesting too deep for the stack is a diagnostic, not a crash', () => {
  let expr = parseExpr('1');
  for (let i = 0; i < 100000; i++) expr = { kind: 'paren', expr, range: expr.range };
  const r = evaluate(expr, scopeOf({}));
  expect(r.diagnostics.map((d) => d.summary)).toEqual(['Expression too complex']);
});
