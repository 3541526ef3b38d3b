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
  fails: { summary: RegExp; at: string; detail?: RegExp } | null;
  env?: Record<string, string>;
}

const rep = (s: string, n: number): string => s.repeat(n);

const cases: Case[] = [
  {
    name: '1,300 nested parentheses',
    files: { 'parens.pkr.hcl': locals(`  x = ${rep('(', 1300)}1${rep(')', 1300)}`) },
    args: ['validate', 'parens.pkr.hcl'],
    fails: { summary: /Expression nested too deeply/, at: 'parens.pkr.hcl line 2' },
  },
  {
    name: 'nested "${"… interpolations',
    files: { 'interp.pkr.hcl': locals(`  x = ${rep('"${', 1300)}1${rep('}"', 1300)}`) },
    args: ['validate', 'interp.pkr.hcl'],
    fails: { summary: /Expression nested too deeply/, at: 'interp.pkr.hcl line 2' },
  },
  {
    name: 'a 7 KB nested JSON array in a .pkr.json',
    files: { 'deep.pkr.json': `{"locals": {"x": ${rep('[', 3500)}${rep(']', 3500)}}}` },
    args: ['validate', 'deep.pkr.json'],
    fails: { summary: /JSON nested too deeply/, at: 'deep.pkr.json line 1' },
  },
  {
    name: 'the nested JSON array, syntax only',
    files: { 'deep2.pkr.json': `{"locals": {"x": ${rep('[', 3500)}${rep(']', 3500)}}}` },
    args: ['validate', '-syntax-only', 'deep2.pkr.json'],
    fails: { summary: /JSON nested too deeply/, at: 'deep2.pkr.json line 1' },
  },
  {
    name: '3,000 nested blocks',
    files: { 'blocks.pkr.hcl': rep('a {\n', 3000) + rep('}\n', 3000) },
    args: ['validate', 'blocks.pkr.hcl'],
    fails: { summary: /nested too deeply/, at: 'blocks.pkr.hcl line 129' },
  },
  {
    name: '5,000 unary operators',
    files: { 'unary.pkr.hcl': locals(`  x = ${rep('!', 5000)}true`) },
    args: ['validate', 'unary.pkr.hcl'],
    fails: { summary: /Expression nested too deeply/, at: 'unary.pkr.hcl line 2' },
  },
  {
    name: 'a 5,000-step attribute traversal',
    files: { 'trav.pkr.hcl': locals(`  x = local${rep('.b', 5000)}`) },
    args: ['validate', 'trav.pkr.hcl'],
    fails: { summary: /Expression nested too deeply/, at: 'trav.pkr.hcl line 2' },
  },
  {
    name: 'a 20,000-term a + a + … chain evaluates',
    files: { 'chain.pkr.hcl': locals(`  a = 1\n  x = ${Array(20000).fill('local.a').join(' + ')}`) },
    args: ['validate', 'chain.pkr.hcl'],
    fails: null,
  },
  {
    name: 'a 20,000-term a && a && … chain evaluates',
    files: { 'and.pkr.hcl': locals(`  a = true\n  x = ${Array(20000).fill('local.a').join(' && ')}`) },
    args: ['validate', 'and.pkr.hcl'],
    fails: null,
  },
  {
    name: 'a chain of 20,000 locals, each referring to the previous one, evaluates',
    files: { 'lchain.pkr.hcl': locals(['  l0 = 1', ...Array.from({ length: 19999 }, (_, i) => `  l${i + 1} = local.l${i} + 1`)].join('\n')) },
    args: ['validate', 'lchain.pkr.hcl'],
    fails: null,
  },
  {
    name: 'file("/dev/zero")',
    files: { 'devzero.pkr.hcl': locals('  x = file("/dev/zero")') },
    args: ['validate', 'devzero.pkr.hcl'],
    fails: { summary: /Error in function call/, at: 'devzero.pkr.hcl line 2', detail: /\/dev\/zero is not a regular file/ },
  },
  {
    name: 'a file past IMGBUILD_MAX_FILE_SIZE',
    files: { 'big.txt': 'x'.repeat(2000), 'bigfile.pkr.hcl': locals('  x = filesha256("big.txt")') },
    args: ['validate', 'bigfile.pkr.hcl'],
    env: { IMGBUILD_MAX_FILE_SIZE: '1KiB' },
    fails: { summary: /Error in function call/, at: 'bigfile.pkr.hcl line 2', detail: /is 2000 bytes, more than the 1024-byte limit/ },
  },
  {
    name: 'templatefile including itself',
    files: { 'self.tpl': '${templatefile("self.tpl", {})}', 'self.pkr.hcl': locals('  x = templatefile("self.tpl", {})') },
    args: ['validate', 'self.pkr.hcl'],
    fails: { summary: /Error in function call/, at: 'self.pkr.hcl line 2', detail: /cannot recursively call templatefile/ },
  },
  {
    name: 'regex("(a+)+$", "aaaa…b"), a backtracking bomb',
    files: { 'regex.pkr.hcl': locals(`  x = regex("(a+)+$", "${'a'.repeat(50000)}b")`) },
    args: ['validate', 'regex.pkr.hcl'],
    fails: { summary: /Error in function call/, at: 'regex.pkr.hcl line 2', detail: /pattern did not match/ },
  },
  {
    name: 'can(regex(…)) and replace with a backtracking bomb evaluate',
    files: {
      'canre.pkr.hcl': locals(`  s = "${'a'.repeat(50000)}b"\n  x = can(regex("(a|aa)+$", local.s))\n  y = replace(local.s, "/(a+)+$/", "")`),
    },
    args: ['validate', 'canre.pkr.hcl'],
    fails: null,
  },
  {
    name: 'length, substr, strrev and format widths on a 200,000-character string evaluate',
    files: {
      'long.pkr.hcl': locals(
        `  s = "${'a'.repeat(200_000)}"\n  n = length(local.s)\n  p = substr(local.s, 0, 5)\n  r = strrev(local.s)\n  f = format("%300000s", local.s)`,
      ),
    },
    args: ['validate', 'long.pkr.hcl'],
    fails: null,
  },
  {
    name: 'yamldecode of a 2 MB nested document',
    files: {
      'nested.yaml': Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
      'yaml.pkr.hcl': locals('  x = yamldecode(file("nested.yaml"))'),
    },
    args: ['validate', 'yaml.pkr.hcl'],
    fails: { summary: /Error in function call/, at: 'yaml.pkr.hcl line 2', detail: /yamldecode reads at most 1048576/ },
  },
  {
    name: 'yamldecode of 200 KB of nested flow sequences',
    files: { 'flow.yaml': `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'flow.pkr.hcl': locals('  x = yamldecode(file("flow.yaml"))') },
    args: ['validate', 'flow.pkr.hcl'],
    fails: { summary: /Error in function call/, at: 'flow.pkr.hcl line 2', detail: /nests 100000 levels deep; the limit is 256/ },
  },
  {
    name: 'a file with 50,000 errors',
    files: { 'many.pkr.hcl': rep('x = = =\n', 50000) },
    args: ['validate', 'many.pkr.hcl'],
    fails: { summary: /Too many errors/, at: 'many.pkr.hcl line 1' },
  },
  {
    name: 'one line of 50,000 NUL bytes',
    files: { 'nul.pkr.hcl': rep('\0', 50000) + '\n' },
    args: ['validate', 'nul.pkr.hcl'],
    fails: { summary: /Invalid character/, at: 'nul.pkr.hcl line 1' },
  },
  {
    name: '1 MB of NUL lines',
    files: { 'nuls.pkr.hcl': rep(`${rep('\0', 7)}\n`, 131072) },
    args: ['validate', 'nuls.pkr.hcl'],
    fails: { summary: /Too many errors/, at: 'nuls.pkr.hcl line 1' },
  },
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
  test.each(cases)('$name', async ({ files, args, fails, env }) => {
    for (const [name, content] of Object.entries(files)) put(name, content);
    const r = await runCliMeasured(args, { cwd: dir, timeoutMs: HANG_GUARD_MS, ...(env ? { env } : {}) });
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack|heap out of memory|\n\s+at /);
    if (fails !== null) expect(r.stderr).toMatch(fails.detail ?? /./);
    expect(r.peakMb).toBeLessThan(PEAK_MB);
    if (fails === null) {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(fails.summary);
      expect(r.stderr).toContain(`on ${fails.at}`);
      // Output stays linear in the input: capped diagnostics, long lines cut to a window.
      expect(r.stderr.length).toBeLessThan(200_000);
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
