// The long run of the fuzz suite (issue 14): the properties of test/fuzz/templates.test.ts
// with tens of thousands of inputs instead of a few hundred, seeded so a failure can be
// replayed. Prints the figures bench/RESULTS.md records.
// Usage: bash bench/fuzz.sh [mutations=20000] [generated=10000] [pathological=300] [seed=1]
import fc from 'fast-check';
import { CORPUS_DIR } from '../test/helpers/cli.js';
import { corpusSeeds, FuzzWorker, judge, type Outcome } from '../test/fuzz/harness.js';
import { generatedTemplate, mutated, pathological, withInvalidBytes } from '../test/fuzz/generators.js';

const [mutations = 20_000, generated = 10_000, patho = 300, seed = 1] = process.argv.slice(2).map(Number);
const seeds = corpusSeeds(CORPUS_DIR);
const worker = new FuzzWorker();

interface Tally {
  inputs: number;
  byCode: Map<number, number>;
  failures: string[];
  ms: number;
}

async function campaign(name: string, arb: fc.Arbitrary<string | Buffer>, runs: number, check: (input: string | Buffer) => Promise<Outcome[]>): Promise<Tally> {
  const tally: Tally = { inputs: 0, byCode: new Map(), failures: [], ms: 0 };
  const start = Date.now();
  // fc.sample draws the same inputs fc.assert would for this seed, without stopping at the first failure.
  for (const input of fc.sample(arb, { seed, numRuns: runs })) {
    tally.inputs++;
    for (const o of await check(input)) {
      tally.byCode.set(o.code, (tally.byCode.get(o.code) ?? 0) + 1);
      const problem = judge(o, [0, 1, 2, 3]);
      if (problem !== null && tally.failures.length < 5) tally.failures.push(`${problem}\n--- input (first 500 chars) ---\n${input.toString().slice(0, 500)}`);
    }
  }
  tally.ms = Date.now() - start;
  const codes = [...tally.byCode].sort(([a], [b]) => a - b).map(([c, n]) => `exit ${c}: ${n}`).join(', ');
  console.log(`${name}: ${tally.inputs} inputs in ${(tally.ms / 1000).toFixed(0)} s (${(tally.inputs / (tally.ms / 1000)).toFixed(1)}/s); ${codes}; problems: ${tally.failures.length}`);
  for (const f of tally.failures) console.log(f);
  return tally;
}

const results = [
  await campaign('corpus mutations (validate + fmt -check)', mutated(seeds), mutations, async (t) => [await worker.validate(t), await worker.run(['fmt', '-check', 'fuzz.pkr.hcl'])]),
  await campaign('corpus mutations with invalid UTF-8', withInvalidBytes(mutated(seeds)), Math.ceil(mutations / 10), async (t) => [await worker.validate(t)]),
  await campaign('generated expressions', generatedTemplate, generated, async (t) => [await worker.validate(t)]),
  await campaign('pathological nestings', pathological.map((p) => p.text), patho, async (t) => [await worker.validate(t)]),
];
worker.stop();
const total = results.reduce((n, r) => n + r.inputs, 0);
const problems = results.reduce((n, r) => n + r.failures.length, 0);
console.log(`total: ${total} inputs, ${problems} problems, worker peak RSS ${worker.peakMb.toFixed(0)} MB, seed ${seed}`);
process.exitCode = problems > 0 ? 1 : 0;
