// The shared Packer corpus through the real CLI: every template passes
// `validate -syntax-only`; `inspect` lists its variables, sources and builds with the
// provisioners in file order; full `validate` names each plugin type imgbuild lacks at its
// file and line; and `fmt` is idempotent and keeps every comment.
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerBuiltins } from '../../src/cli/plugins.js';
import { knownPlugins } from '../../src/core/registry.js';
import { CORPUS_DIR, mapLimit, runCli, type CliResult } from '../helpers/cli.js';
import {
  corpusTemplates,
  pluginTypesInText,
  provisionerTypesInText,
  requiredVarArgs,
  varFileArgs,
  type CorpusTemplate,
} from '../helpers/corpus.js';

const TEMPLATES = corpusTemplates();
/** Templates that fail before any plugin is looked at, in packer too: no plugin check to expect. */
const STOPS_BEFORE_PLUGINS: Record<string, string> = {
  '07-hashicorp__packer__hcl2template__testdata__format__unformatted.pkr.hcl':
    'a formatter fixture whose build names sources it never declares',
  '10-chef__bento__packer_templates':
    'its parallels-iso source reads var.parallels_boot_command, which it never declares (packer rejects it too)',
  '31-jenkins-infra__packer-images__root': 'its locals read YAML files the corpus copy does not include',
  '37-tenminutevpn__tenminutevpn__packer': 'its sources read cloud-init files the corpus copy does not include',
};
/** Templates inspect cannot list (none: values that cannot be computed become warnings). */
const CANNOT_INSPECT: Record<string, string> = {};
// Set before the describe blocks below are collected, which is when lackingTypes runs.
let known: Record<string, Set<string>> | null = null;
/** Where users run packer: in the template's folder, so relative file() paths resolve. */
const cwdOf = (t: CorpusTemplate): string => (t.isDir ? t.path : path.dirname(t.path));
const args = (t: CorpusTemplate): string[] => [...varFileArgs(t), ...requiredVarArgs(t), t.path];

interface Runs {
  syntax: CliResult;
  inspect: CliResult;
  validate: CliResult;
}
const runs = new Map<string, Runs>();

beforeAll(async () => {
  const results = await mapLimit(TEMPLATES, 4, async (t) => ({
    syntax: await runCli(['validate', '-syntax-only', ...varFileArgs(t), t.path], { cwd: cwdOf(t) }),
    inspect: await runCli(['inspect', ...args(t)], { cwd: cwdOf(t) }),
    validate: await runCli(['validate', ...args(t)], { cwd: cwdOf(t) }),
  }));
  TEMPLATES.forEach((t, i) => {
    const r = results[i];
    if (r !== undefined) runs.set(t.id, r);
  });
}, 300000);

function runsOf(t: CorpusTemplate): Runs {
  const r = runs.get(t.id);
  if (r === undefined) throw new Error(`no runs for ${t.id}`);
  return r;
}

test('the corpus is there', () => {
  expect(TEMPLATES.length).toBeGreaterThan(25);
});

describe.each(TEMPLATES.map((t) => [t.id, t] as const))('%s', (_id, t) => {
  test('passes validate -syntax-only', () => {
    const r = runsOf(t).syntax;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  const inspectable = CANNOT_INSPECT[t.id.split(' ')[0] ?? ''] === undefined;
  (inspectable ? test : test.skip)('inspect lists its variables, sources and provisioners in file order', () => {
    const r = runsOf(t).inspect;
    expect(r.stderr).not.toMatch(/^Error:/m);
    expect(r.code).toBe(0);
    const texts = t.files.map((f) => readFileSync(f, 'utf8'));
    for (const text of texts) {
      for (const m of text.matchAll(/^variable\s+"?([\w-]+)"?\s*\{/gm)) expect(r.stdout).toContain(`var.${m[1] ?? ''}:`);
      for (const m of text.matchAll(/^source\s+"?([\w-]+)"?\s+"?([\w-]+)"?\s*\{/gm)) {
        expect(r.stdout).toContain(`  ${m[1] ?? ''}.${m[2] ?? ''}  (`);
      }
    }
    const listed = inspectedProvisioners(r.stdout);
    const written = provisionerTypesInText(t.files);
    if (texts.some((x) => /dynamic\s+"provisioner"/.test(x))) {
      // Dynamic blocks add provisioners the text does not name: the written ones keep their order.
      expect(isSubsequence(written, listed)).toBe(true);
    } else {
      expect(listed).toEqual(written);
    }
  });

  const lacking = STOPS_BEFORE_PLUGINS[t.id.split(' ')[0] ?? ''] === undefined ? lackingTypes(t) : [];
  (lacking.length > 0 ? test : test.skip)(`validate names the plugin types imgbuild lacks (${lacking.join(', ') || 'none'})`, () => {
    const r = runsOf(t).validate;
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    const diags = diagnosticBlocks(r.stderr);
    for (const type of lacking) {
      const about = diags.filter((d) => d.summary.includes(`"${type}"`));
      expect({ type, reported: about.length > 0 }).toEqual({ type, reported: true });
      for (const d of about) {
        expect(d.location).not.toBeNull();
        if (d.location === null) continue;
        const line = readFileSync(d.location.file, 'utf8').split('\n')[d.location.line - 1] ?? '';
        expect({ type, line }).toEqual({ type, line: expect.stringMatching(new RegExp(`"?${type}"?`)) });
      }
    }
  });
});

describe('fmt on a copy of the corpus', () => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-corpus-fmt-'));
    cpSync(CORPUS_DIR, copy, { recursive: true });
    makeWritable(copy);
  });
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  test('-check reports the unformatted fixture with status 3, then fmt is idempotent and keeps comments', async () => {
    const before = hclFiles(copy).map((f) => ({ f, text: readFileSync(f, 'utf8') }));
    const check = await runCli(['fmt', '-check', '-recursive', copy]);
    expect(check.code).toBe(3);
    expect(check.stdout).toContain('07-hashicorp__packer__hcl2template__testdata__format__unformatted.pkr.hcl');

    const fmt = await runCli(['fmt', '-recursive', copy]);
    expect(fmt.stderr).toBe('');
    expect(fmt.code).toBe(0);
    const again = await runCli(['fmt', '-check', '-recursive', copy]);
    expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });

    for (const { f, text } of before) {
      const after = readFileSync(f, 'utf8');
      const kept = new Set(after.split('\n').map((l) => l.trim()));
      for (const c of commentLines(text)) expect({ file: f, comment: c, kept: kept.has(c) }).toEqual({ file: f, comment: c, kept: true });
    }
  }, 120000);

  test('formatting changes no meaning: inspect prints the same before and after', async () => {
    const formatted = corpusTemplates(copy);
    const same = await mapLimit(formatted, 4, async (t) => {
      const original = TEMPLATES.find((o) => o.id === t.id);
      const before = original ? runsOf(original).inspect : null;
      if (before === null || before.code !== 0) return null;
      const after = await runCli(['inspect', ...args(t)], { cwd: cwdOf(t) });
      return { id: t.id, after: withoutClock(after.stdout.split(copy).join(CORPUS_DIR)), before: withoutClock(before.stdout) };
    });
    for (const s of same) if (s !== null) expect(s.after).toBe(s.before);
  }, 120000);
});

/** Locals may call timestamp() or uuid(), which differ between runs: keep only their names. */
function withoutClock(text: string): string {
  return text.replace(/^(local\.[\w-]+): .*$/gm, '$1');
}

/** Provisioner types from inspect's `provisioners:` sections, build after build. */
function inspectedProvisioners(out: string): string[] {
  const types: string[] = [];
  let inSection = false;
  for (const line of out.split('\n')) {
    if (/^ {4}provisioners:$/.test(line)) inSection = true;
    else if (/^ {4}\S|^ {2}> /.test(line)) inSection = false;
    else if (inSection && /^ {6}\S/.test(line)) types.push(line.trim().split(' ')[0] ?? '');
  }
  return types;
}

function isSubsequence(needle: readonly string[], hay: readonly string[]): boolean {
  let i = 0;
  for (const h of hay) if (i < needle.length && h === needle[i]) i++;
  return i === needle.length;
}

/** Plugin types the template uses that no imgbuild plugin provides. */
function lackingTypes(t: CorpusTemplate): string[] {
  if (known === null) {
    registerBuiltins();
    known = {
      builder: new Set(knownPlugins('builder')),
      provisioner: new Set(knownPlugins('provisioner')),
      'post-processor': new Set(knownPlugins('post-processor')),
    };
  }
  const k = known;
  const text = t.files.map((f) => readFileSync(f, 'utf8')).join('\n');
  const used = pluginTypesInText(t.files).filter(
    // A source no build refers to is never prepared, so it is not an error; neither is a
    // block whose only/except may leave it out of every build.
    (p) =>
      !(k[p.kind]?.has(p.type) ?? false) &&
      !p.filtered &&
      (p.kind !== 'builder' || text.includes(`source.${p.type}.`)),
  );
  return [...new Set(used.map((p) => p.type))];
}

interface DiagBlock {
  summary: string;
  location: { file: string; line: number } | null;
}

function diagnosticBlocks(stderr: string): DiagBlock[] {
  return stderr
    .split(/^(?=Error: |Warning: )/m)
    .filter((b) => /^(Error|Warning): /.test(b))
    .map((b) => {
      const summary = b.split('\n')[0] ?? '';
      const m = /^ {2}on (.+?) line (\d+)[,:]/m.exec(b);
      return { summary, location: m ? { file: m[1] ?? '', line: Number(m[2]) } : null };
    });
}

function hclFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(pkr|pkrvars)\.hcl$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = path.join(e.parentPath, e.name);
    chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
  }
}

/** Whole-line comments, trimmed: what fmt must keep word for word. */
function commentLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#') || l.startsWith('//'));
}
