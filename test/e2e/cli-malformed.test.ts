// Every malformed template in test/fixtures/malformed through the real `imgbuild validate`:
// the full rendered stderr and the exit code are pinned by snapshots, and independently of
// the snapshot each must fail with status 1, show no stack trace, and point at the file and
// line named by the fixture's `# expect:` comment (or its .expect file).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { mapLimit, REPO_ROOT, runCli, shellWords, type CliResult } from '../helpers/cli.js';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'malformed');

interface Fixture {
  name: string;
  target: string;
  args: string[];
  /** "file:line" the output must mention, or null when the problem is on the command line. */
  expect: string | null;
  /** 1, or what the fixture's `# exit: N` line says (2 for a usage error). */
  exit: number;
}

function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const entry of readdirSync(DIR).sort()) {
    const full = path.join(DIR, entry);
    const isDir = statSync(full).isDirectory();
    if (!isDir && !/\.pkr\.(hcl|json)$/.test(entry)) continue;
    const name = entry.replace(/\.pkr\.(hcl|json)$/, '');
    const argsFile = path.join(DIR, `${name}.args`);
    const args = existsSync(argsFile) ? shellWords(readFileSync(argsFile, 'utf8').trim()) : [];
    const declared = /^# exit: (\d+)/m.exec(isDir ? '' : readFileSync(full, 'utf8'))?.[1];
    out.push({ name, target: entry, args, expect: expectation(full, isDir, name), exit: declared === undefined ? 1 : Number(declared) });
  }
  return out;
}

function expectation(full: string, isDir: boolean, name: string): string | null {
  const texts: string[] = [];
  const sidecar = path.join(DIR, `${name}.expect`);
  if (existsSync(sidecar)) texts.push(readFileSync(sidecar, 'utf8'));
  const files = isDir ? readdirSync(full).map((f) => path.join(full, f)) : [full];
  for (const f of files) texts.push(readFileSync(f, 'utf8'));
  for (const t of texts) {
    const m = /expect: (\S+:\d+)/.exec(t);
    if (m?.[1] !== undefined) return m[1];
  }
  for (const t of texts) if (/expect: no location/.test(t)) return null;
  throw new Error(`fixture ${name} has no "# expect:" line`);
}

/**
 * Output independent of where the repository is checked out, and of which plugins exist:
 * "imgbuild has these builders: ..." grows with every plugin added, which says nothing
 * about the diagnostic being pinned.
 */
function normalise(text: string): string {
  return text
    .split(DIR + path.sep)
    .join('')
    .split(DIR)
    .join('.')
    .split(REPO_ROOT)
    .join('<repo>')
    .replace(/(imgbuild has these [a-z-]+s): (?:"[^"]+"(?:, )?)+\./g, '$1: <list>.');
}

/** `file:line`, or the `on file line N` form of HCL's renderer. */
function mentionsLocation(stderr: string, loc: string): boolean {
  const [file, line] = loc.split(/:(?=\d+$)/) as [string, string];
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${esc}:${line}\\b`).test(stderr) || new RegExp(`on ${esc} line ${line}\\b`).test(stderr);
}

const ALL = fixtures();
const results = new Map<string, CliResult>();

beforeAll(async () => {
  const runs = await mapLimit(ALL, 4, (f) => runCli(['validate', ...f.args, f.target], { cwd: DIR }));
  ALL.forEach((f, i) => {
    const r = runs[i];
    if (r !== undefined) results.set(f.name, r);
  });
}, 240000);

test('there are at least 60 malformed fixtures', () => {
  expect(ALL.length).toBeGreaterThanOrEqual(60);
});

describe.each(ALL)('imgbuild validate $name', (f) => {
  const result = (): CliResult => {
    const r = results.get(f.name);
    if (r === undefined) throw new Error(`no result for ${f.name}`);
    return r;
  };

  test('output and exit status match the snapshot', () => {
    const r = result();
    expect({ exit: r.code, stderr: normalise(r.stderr), stdout: normalise(r.stdout) }).toMatchSnapshot();
  });

  test(`fails with status ${f.exit} and no stack trace`, () => {
    const r = result();
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(f.exit);
  });

  test(`points at ${f.expect ?? 'the command line'}`, () => {
    const r = result();
    if (f.expect !== null) expect(mentionsLocation(normalise(r.stderr), f.expect)).toBe(true);
    else expect(r.stderr).toMatch(/Error/);
  });
});
