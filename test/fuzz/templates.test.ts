// The fuzz suite of issue 14, seeded and bounded so that `npm test` runs the same inputs
// every time in a few seconds: mutated corpus templates (also with invalid UTF-8), templates
// generated from the grammar and the function library, and pathological nestings. Every
// input must end with exit 0, 1 (with a located diagnostic) or 2, never an internal error.
// Jest's timeout is the hang guard; nothing is timed. bench/fuzz.ts runs the same
// properties with tens of thousands of inputs.
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { CORPUS_DIR } from '../helpers/cli.js';
import { corpusSeeds, FuzzWorker, judge, type Outcome } from './harness.js';
import { generatedTemplate, mutated, pathological, withInvalidBytes } from './generators.js';

const SEED = 1414;
const PEAK_MB = 300;
const dir = new FuzzWorker();
afterAll(() => dir.stop());

const seeds = existsSync(CORPUS_DIR) ? corpusSeeds(CORPUS_DIR) : [];

async function acceptable(outcome: Promise<Outcome>, allowed?: number[]): Promise<void> {
  const problem = judge(await outcome, allowed);
  if (problem !== null) throw new Error(problem);
}

test('the Packer corpus is there to mutate', () => {
  expect(seeds.length).toBeGreaterThanOrEqual(40);
});

test('mutated corpus templates validate to 0 or a located diagnostic, and fmt -check survives them', async () => {
  await fc.assert(
    fc.asyncProperty(mutated(seeds), async (text) => {
      await acceptable(dir.validate(text));
      // 3: "would reformat", a fine answer.
      await acceptable(dir.run(['fmt', '-check', 'fuzz.pkr.hcl']), [0, 1, 3]);
    }),
    { seed: SEED, numRuns: 120 },
  );
}, 300_000);

test('mutated templates with invalid UTF-8 are refused with a located diagnostic', async () => {
  await fc.assert(
    fc.asyncProperty(withInvalidBytes(mutated(seeds)), async (bytes) => {
      const o = await dir.validate(bytes);
      expect(o.code).toBe(1);
      expect(o.stderr).toMatch(/Invalid character encoding[\s\S]*on fuzz\.pkr\.hcl line \d+/);
    }),
    { seed: SEED, numRuns: 30 },
  );
}, 120_000);

test('generated expressions over the whole function library evaluate or fail with a located diagnostic', async () => {
  await fc.assert(
    fc.asyncProperty(generatedTemplate, async (text) => acceptable(dir.validate(text))),
    { seed: SEED, numRuns: 250 },
  );
}, 300_000);

test('pathological nestings and repetitions end with a located diagnostic or evaluate', async () => {
  await fc.assert(
    fc.asyncProperty(pathological, async ({ text }) => acceptable(dir.validate(text))),
    { seed: SEED, numRuns: 15 },
  );
}, 300_000);

test('no input took the worker past 300 MB of memory', () => {
  expect(dir.peakMb).toBeGreaterThan(0);
  expect(dir.peakMb).toBeLessThan(PEAK_MB);
});
