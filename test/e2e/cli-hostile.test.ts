// Hostile and pathological templates through the real `imgbuild` (issue 14): each input is
// generated here, run as a child process under GNU time, and must end with exit 0 (valid
// input) or exit 1 with a located diagnostic — never an internal error, a crash or a hang —
// with peak memory under 300 MB. Time is not asserted: the timeout is a hang guard only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliMeasured } from '../helpers/measure.js';

const PEAK_MB = 300;
/** Far above a normal run (about a second); only there so a hang fails instead of blocking CI. */
const HANG_GUARD_MS = 90_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(name: string, content: string | Buffer): string {
  writeFileSync(path.join(dir, name), content);
  return name;
}

const locals = (body: string): string => `locals {\n${body}\n}\n`;

interface Case {
  name: string;
  files: Record<string, string | Buffer>;
  args: string[];
  /** null: valid, exit 0. Otherwise the summary and the `file line N` the diagnostic must show. */
  fails: { summary: RegExp; at: string } | null;
}

const cases: Case[] = [
  {
    name: 'invalid UTF-8 in a string',
    files: { 'latin1.pkr.hcl': Buffer.from('locals {\n  x = "caf\xe9"\n}\n', 'latin1') },
    args: ['validate', 'latin1.pkr.hcl'],
    fails: { summary: /Invalid character encoding/, at: 'latin1.pkr.hcl line 2' },
  },
  {
    name: 'invalid UTF-8 in a heredoc, syntax only',
    files: { 'heredoc.pkr.hcl': Buffer.from(locals('  x = <<EOT\n  ok\n  bad \xff\xfe\nEOT'), 'latin1') },
    args: ['validate', '-syntax-only', 'heredoc.pkr.hcl'],
    fails: { summary: /Invalid character encoding/, at: 'heredoc.pkr.hcl line 4' },
  },
  {
    name: 'a bare CR',
    files: { 'cr.pkr.hcl': locals('  a = 1\r  b = 2') },
    args: ['validate', 'cr.pkr.hcl'],
    fails: { summary: /Invalid character/, at: 'cr.pkr.hcl line 2' },
  },
  {
    name: 'a bare CR in a quoted string',
    files: { 'crq.pkr.hcl': locals('  a = "x\ry"') },
    args: ['validate', 'crq.pkr.hcl'],
    fails: { summary: /Invalid multi-line string/, at: 'crq.pkr.hcl line 2' },
  },
  {
    name: 'a byte order mark in mid-file',
    files: { 'bom.pkr.hcl': `\ufefflocals {\n  a = 1\n  \ufeffb = 2\n}\n` },
    args: ['validate', 'bom.pkr.hcl'],
    fails: { summary: /Invalid character/, at: 'bom.pkr.hcl line 3' },
  },
  {
    name: 'a valid .pkr.json template, syntax only',
    files: { 'ok.pkr.json': JSON.stringify({ locals: { x: 1 }, variable: { v: { default: 'a' } } }) },
    args: ['validate', '-syntax-only', 'ok.pkr.json'],
    fails: null,
  },
  {
    name: 'a valid JSON var file, syntax only',
    files: { 'v.pkr.hcl': 'variable "v" {\n  default = "a"\n}\n', 'vals.pkrvars.json': '{"v": "b"}' },
    args: ['validate', '-syntax-only', '-var-file=vals.pkrvars.json', 'v.pkr.hcl'],
    fails: null,
  },
  {
    name: 'an invalid .pkr.json template, syntax only',
    files: { 'bad.pkr.json': '{\n  "locals": {\n    "x": [1,,]\n  }\n}\n' },
    args: ['validate', '-syntax-only', 'bad.pkr.json'],
    fails: { summary: /./, at: 'bad.pkr.json line 3' },
  },
];

describe('imgbuild on hostile input', () => {
  test.each(cases)('$name', async ({ files, args, fails }) => {
    for (const [name, content] of Object.entries(files)) put(name, content);
    const r = await runCliMeasured(args, { cwd: dir, timeoutMs: HANG_GUARD_MS });
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack|heap out of memory|\n\s+at /);
    expect(r.peakMb).toBeLessThan(PEAK_MB);
    if (fails === null) {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(fails.summary);
      expect(r.stderr).toContain(`on ${fails.at}`);
    }
  });
});

describe('wrong results pinned', () => {
  test('a malformed -var is a usage error (exit 2) in every command, -syntax-only included', async () => {
    put('plain.pkr.hcl', locals('  a = 1'));
    for (const command of [['validate', '-syntax-only'], ['validate'], ['inspect'], ['build']]) {
      const r = await runCliMeasured([...command, '-var', 'foo', 'plain.pkr.hcl'], { cwd: dir, timeoutMs: HANG_GUARD_MS });
      expect({ command, code: r.code }).toEqual({ command, code: 2 });
      expect(r.stderr).toContain('The given -var option "foo" is not correctly specified');
    }
  });

  test('fmt leaves a file with invalid UTF-8 byte for byte unchanged and says where the bad byte is', async () => {
    const latin1 = Buffer.from('locals {\n    x   =   "caf\xe9"\n}\n', 'latin1');
    put('fmt-latin1.pkr.hcl', latin1);
    const r = await runCliMeasured(['fmt', 'fmt-latin1.pkr.hcl'], { cwd: dir, timeoutMs: HANG_GUARD_MS });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Invalid character encoding[\s\S]*on fmt-latin1.pkr.hcl line 2/);
    expect(readFileSync(path.join(dir, 'fmt-latin1.pkr.hcl')).equals(latin1)).toBe(true);
  });

  test('fmt of invalid UTF-8 on stdin fails instead of printing replaced bytes', async () => {
    const r = await runCliMeasured(['fmt', '-'], { cwd: dir, input: Buffer.from('a = "\xe9"\n', 'latin1'), timeoutMs: HANG_GUARD_MS });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Invalid character encoding/);
  });
});
