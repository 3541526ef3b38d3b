// Wall-clock cost of expression evaluation, the figures src/template/eval/perf.test.ts used to
// assert (a timed assertion fails on a loaded machine; the test now counts the work):
//   - a 5,000-line template's worth of expressions, best of five: target < 200 ms;
//   - a for expression over 5,000 and 20,000 elements: the time ratio, ~4x when linear
//     (quadratic behaviour shows as ~16x).
// Run: npx tsc -p . && node dist/bench/eval-perf.js
import { parseHCL } from '../src/hcl/parser.js';
import type { ValueObject } from '../src/core/model/value.js';
import { evaluate } from '../src/template/eval/evaluate.js';
import { LARGE_SOURCE_VARS, largeSource, parseExpr, scopeOf } from '../src/template/eval/testing.js';

const TEMPLATE_BUDGET_MS = 200;

function timeOf(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Best of five after a warm-up run: the machine is shared, and a busy neighbour is not our cost. */
function best(fn: () => void): number {
  fn();
  return Math.min(...Array.from({ length: 5 }, () => timeOf(fn)));
}

function templateMs(): number {
  const { file, diagnostics } = parseHCL(largeSource(5000), 'large.pkr.hcl');
  if (diagnostics.length > 0) throw new Error('the generated template does not parse');
  const attrs = file.body.items.flatMap((item) => (item.kind === 'attribute' ? [item] : []));
  const scope = scopeOf(LARGE_SOURCE_VARS);
  const results: ValueObject = {};
  return best(() => {
    for (const a of attrs) results[a.name] = evaluate(a.expr, scope).value;
  });
}

function forRatio(): { small: number; large: number } {
  const expr = parseExpr('{ for i, x in xs : "k${i}" => { v = "${x}-${i}", ok = x % 2 == 0 ? [x] : [] } }');
  const run = (n: number) => (): void => void evaluate(expr, scopeOf({ xs: Array.from({ length: n }, (_, i) => i) }));
  return { small: best(run(5000)), large: best(run(20000)) };
}

const ms = templateMs();
const { small, large } = forRatio();
console.log(`5,000-line template: ${ms.toFixed(1)} ms (target < ${TEMPLATE_BUDGET_MS} ms: ${ms < TEMPLATE_BUDGET_MS ? 'met' : 'MISSED'})`);
console.log(`for over 5,000 / 20,000 elements: ${small.toFixed(1)} ms / ${large.toFixed(1)} ms, ratio ${(large / small).toFixed(2)}x (linear ~4x)`);
