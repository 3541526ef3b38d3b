// `imgbuild build -machine-readable` read the way Packer's consumers read it: every line
// `timestamp,target,type,data...`; terratest's rule that the first `artifact,N,id` line is
// the builder's artifact; a failing build giving `error-count` and `TARGET,error` records and
// no artifact list; commas and newlines escaped as Packer escapes them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-machine-'));
  writeFileSync(
    path.join(dir, 'build.pkr.hcl'),
    `source "null" "ok" {
  communicator = "none"
}

source "null" "bad" {
  communicator = "none"
}

build {
  sources = ["source.null.ok"]
  provisioner "shell-local" {
    inline = ["echo 'one,two'"]
  }
  post-processor "checksum" {
    checksum_types = ["sha256"]
    output         = "sums.txt"
  }
}

build {
  name    = "failing"
  sources = ["source.null.bad"]
  provisioner "shell-local" {
    inline = ["exit 3"]
  }
}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface MachineRecord {
  timestamp: number;
  target: string;
  type: string;
  data: string[];
}

/** Packer's documented reading: split on commas, then unescape each data field. */
function parse(stdout: string): MachineRecord[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [ts = '', target = '', type = '', ...data] = line.split(',');
      return { timestamp: Number(ts), target, type, data: data.map((d) => d.replace(/%!\(PACKER_COMMA\)/g, ',').replace(/\\n/g, '\n')) };
    });
}

/** terratest's modules/packer extractArtifactID: the first `artifact,N,id,[region:]ID` line. */
function terratestArtifactId(stdout: string): string | null {
  const m = /.+artifact,\d+?,id,(?:.+?:|)(.+)/.exec(stdout);
  return m?.[1] ?? null;
}

test('one passing and one failing build: ui records untargeted, the builder artifact first, then the failure records', async () => {
  const r = await runCli(['build', '-machine-readable', '.'], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('');
  const records = parse(r.stdout);
  expect(records.length).toBeGreaterThan(5);
  for (const rec of records) expect(Number.isInteger(rec.timestamp) && rec.timestamp > 1_600_000_000).toBe(true);
  // Human text is a `ui` record with an empty target, the build named in the text.
  expect(records.filter((rec) => rec.type === 'ui').every((rec) => rec.target === '')).toBe(true);
  expect(records.filter((rec) => rec.type === 'ui').map((rec) => rec.data[0])).not.toContain(undefined);
  expect(records.some((rec) => rec.type === 'ui' && rec.data[1] === '    null.ok: one,two')).toBe(true);
  expect(r.stdout).toContain(',ui,message,    null.ok: one%!(PACKER_COMMA)two\n');
  expect(r.stdout).not.toContain('output will be in this color');

  // The failure: error-count, then TARGET,error.
  expect(records.find((rec) => rec.type === 'error-count')).toMatchObject({ target: '', data: ['1'] });
  const err = records.find((rec) => rec.type === 'error');
  expect(err?.target).toBe('failing.null.bad');
  expect(err?.data.join(',')).toMatch(/exit (status|code) 3/);

  // The artifacts: the builder's first (checksum keeps its input), then the chain's.
  const artifacts = records.filter((rec) => rec.type === 'artifact' && rec.target === 'null.ok');
  expect(records.find((rec) => rec.type === 'artifact-count')).toMatchObject({ target: 'null.ok', data: ['2'] });
  expect(artifacts.filter((rec) => rec.data[1] === 'builder-id').map((rec) => [rec.data[0], rec.data[2]])).toEqual([
    ['0', 'fnoeding.null'],
    ['1', 'packer.post-processor.checksum'],
  ]);
  expect(terratestArtifactId(r.stdout)).toBe('Null');
  expect(artifacts.find((rec) => rec.data[0] === '1' && rec.data[1] === 'file')?.data[3]).toMatch(/sums\.txt$/);
});

test('only a failing build: no artifact list, the error records, exit 1', async () => {
  const r = await runCli(['build', '-machine-readable', '-only=failing.*', '.'], { cwd: dir });
  expect(r.code).toBe(1);
  const records = parse(r.stdout);
  expect(records.filter((rec) => rec.type === 'error-count')).toEqual([expect.objectContaining({ target: '', data: ['1'] })]);
  expect(records.filter((rec) => rec.type === 'error').map((rec) => rec.target)).toEqual(['failing.null.bad']);
  expect(records.some((rec) => rec.type === 'artifact' || rec.type === 'artifact-count')).toBe(false);
  expect(r.stdout).not.toContain('The artifacts of successful builds are');
  expect(terratestArtifactId(r.stdout)).toBeNull();
});
