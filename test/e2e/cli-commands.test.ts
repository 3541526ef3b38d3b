// The commands through the real process: help, version, usage errors and exit codes, what
// --help and validate load, validate / inspect / fmt / console / cleanup on small inputs.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const HELLO = path.join(REPO_ROOT, 'templates', 'null-hello');
const MALFORMED = path.join(REPO_ROOT, 'test', 'fixtures', 'malformed');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-cli-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('version and help', () => {
  test('version prints the package version and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['version']);
    expect(r).toMatchObject({ code: 0, stdout: `imgbuild v${pkg.version}\n`, stderr: '' });
    expect((await runCli(['-v'])).stdout).toBe(`${pkg.version}\n`);
  });

  test('--help lists every command and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['build', 'validate', 'inspect', 'fmt', 'console', 'cleanup', 'version']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    expect(r.stdout).toContain('Exit codes:');
  });

  test('build --help documents the build flags with examples', async () => {
    const r = await runCli(['build', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--var', '--var-file', '--only', '--except', '--on-error', '--parallel-builds', '--force', '--debug', '--machine-readable', '--json', '--timestamp-ui', '--no-color']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('Examples:');
  });

  test('-help written Packer-style works too', async () => {
    const r = await runCli(['validate', '-help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--syntax-only');
  });
});

describe('usage errors exit 2 without a stack trace', () => {
  test.each([
    [['frobnicate']],
    [['validate', '--nope', HELLO]],
    [['validate']],
    [['build', '-on-error=explode', HELLO]],
    [['build', '-parallel-builds=-1', HELLO]],
  ])('imgbuild %j', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Error|error/);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });
});

describe('lazy loading', () => {
  // A module-resolution hook that appends every resolved URL to a file: what a command loads.
  const hook = `import {appendFileSync} from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.TRACE_FILE, r.url + '\\n'); return r; }`;
  const register = `import {register} from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

  async function loadedModules(args: string[]): Promise<{ code: number | null; urls: string[] }> {
    const trace = path.join(tmp, `trace-${args.join('_').replace(/\W/g, '')}.txt`);
    writeFileSync(trace, '');
    const r = await runCli(args, {
      env: { TRACE_FILE: trace },
      nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(register)}`],
    });
    return { code: r.code, urls: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
  }

  test('--help loads no renderer, archive, builder or cloud code', async () => {
    const { code, urls } = await loadedModules(['--help']);
    expect(code).toBe(0);
    expect(urls.some((u) => u.includes('/dist/src/cli/main.js'))).toBe(true);
    expect(urls.filter((u) => /listr2|node_modules\/tar\/|@aws-sdk|\/builders\/|\/provisioners\/|\/post-processors\/|\/template\/|\/hcl\//.test(u))).toEqual([]);
  });

  test('validate loads neither listr2 nor tar nor any cloud SDK', async () => {
    const { code, urls } = await loadedModules(['validate', HELLO]);
    expect(code).toBe(0);
    expect(urls.filter((u) => /listr2|node_modules\/tar\/|@aws-sdk|openapi-fetch|ssh2|\/builders\/(?!null\/)/.test(u))).toEqual([]);
  });
});

describe('validate', () => {
  test('accepts a valid template and says so', async () => {
    const r = await runCli(['validate', HELLO]);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: 'The configuration is valid.\n' });
  });

  test('accepts Packer single-dash flags: -var, -var-file=, -only=', async () => {
    const vars = path.join(tmp, 'team.pkrvars.hcl');
    writeFileSync(vars, 'team = "platform"\n');
    const r = await runCli(['validate', '-var', 'greeting=hi', `-var-file=${vars}`, '-only=hello.null.hello', HELLO]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('-syntax-only passes a template whose only problem is semantic', async () => {
    const r = await runCli(['validate', '-syntax-only', '36-undeclared-variable.pkr.hcl'], { cwd: MALFORMED });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Syntax-only check passed');
  });

  test('-syntax-only fails on a syntax error and points at it', async () => {
    const r = await runCli(['validate', '-syntax-only', '03-unterminated-string.pkr.hcl'], { cwd: MALFORMED });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/03-unterminated-string\.pkr\.hcl(:| line )4/);
  });

  test('a missing template is a user error, not a crash', async () => {
    const r = await runCli(['validate', path.join(tmp, 'nope.pkr.hcl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|^ {4}at /m);
  });
});

describe('inspect', () => {
  test('lists variables, locals, sources and the build with provisioners in order', async () => {
    const r = await runCli(['inspect', HELLO]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    for (const s of ['var.greeting: "hello"', 'var.team: "imgbuild"', 'local.stamp:', 'null.hello', '> hello:', 'manifest']) {
      expect(out).toContain(s);
    }
    const provisioners = out.slice(out.indexOf('provisioners:'), out.indexOf('post-processors:'));
    expect(provisioners.match(/shell-local/g)).toHaveLength(2);
  });

  test('shows -var values and masks sensitive variables', async () => {
    const dir = path.join(tmp, 'sensitive');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 't.pkr.hcl'),
      'variable "token" {\n  sensitive = true\n  default   = "s3cr3t-token"\n}\nvariable "name" {\n  default = "x"\n}\nsource "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n',
    );
    const r = await runCli(['inspect', '-var', 'name=from-cli', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('var.name: "from-cli"');
    expect(r.stdout).toContain('var.token: <sensitive>');
    expect(r.stdout).not.toContain('s3cr3t-token');
  });
});

describe('fmt', () => {
  const UNFORMATTED = 'variable "a" {\n  default = 1\n  description="the a"\n}\n';

  function project(): string {
    const dir = mkdtempSync(path.join(tmp, 'fmt-'));
    writeFileSync(path.join(dir, 'a.pkr.hcl'), UNFORMATTED);
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'b.pkrvars.hcl'), 'x=1\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'x=1\n');
    return dir;
  }

  test('-check exits 3, lists the unformatted file and writes nothing', async () => {
    const dir = project();
    const r = await runCli(['fmt', '-check', dir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(`${path.join(dir, 'a.pkr.hcl')}\n`);
    expect(readFileSync(path.join(dir, 'a.pkr.hcl'), 'utf8')).toBe(UNFORMATTED);
  });

  test('-check -diff prints a unified diff', async () => {
    const r = await runCli(['fmt', '-check', '-diff', 'a.pkr.hcl'], { cwd: project() });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('--- old/a.pkr.hcl\n+++ new/a.pkr.hcl\n@@ ');
    expect(r.stdout).toMatch(/^-  description="the a"$/m);
  });

  test('formats in place, then -check passes; -recursive reaches subdirectories', async () => {
    const dir = project();
    const first = await runCli(['fmt', '-recursive', '.'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('a.pkr.hcl\nsub/b.pkrvars.hcl\n');
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('x=1\n');
    expect(readFileSync(path.join(dir, 'sub', 'b.pkrvars.hcl'), 'utf8')).toBe('x = 1\n');
    const again = await runCli(['fmt', '-check', '-recursive', '.'], { cwd: dir });
    expect(again).toMatchObject({ code: 0, stdout: '' });
  });

  test('-write=false lists but does not write', async () => {
    const dir = project();
    const r = await runCli(['fmt', '-write=false', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('a.pkr.hcl');
    expect(readFileSync(path.join(dir, 'a.pkr.hcl'), 'utf8')).toBe(UNFORMATTED);
  });

  test('- formats stdin to stdout', async () => {
    const r = await runCli(['fmt', '-'], { input: 'x=1\nlonger_name=2\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'x           = 1\nlonger_name = 2\n' });
  });

  test('a file that does not parse exits 1 with a diagnostic', async () => {
    const r = await runCli(['fmt', '-check', '01-unclosed-brace.pkr.hcl'], { cwd: MALFORMED });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/01-unclosed-brace\.pkr\.hcl/);
  });
});

describe('console', () => {
  test('evaluates one expression per stdin line and prints values HCL-style', async () => {
    const r = await runCli(['console'], { input: 'upper("a")\n1 + 2\n[for s in ["a", "b"] : s]\n{ b = 1, a = "x" }\n' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('A\n3\n[\n  "a",\n  "b",\n]\n{\n  "a" = "x"\n  "b" = 1\n}\n');
  });

  test('has the template variables and locals in scope', async () => {
    const r = await runCli(['console', '-var', 'greeting=salut', HELLO], { input: 'var.greeting\nlength(local.stamp)\n' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('salut\n15\n');
  });

  test('a bad line prints a diagnostic, the others still run, and the exit status is 1', async () => {
    const r = await runCli(['console'], { input: 'nope(1)\n"ok"\n' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toContain('nope');
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });
});

describe('build', () => {
  test('fails when -only or -except leaves nothing to build, naming the builds there are', async () => {
    const only = await runCli(['build', '-only=nomatch.*', HELLO]);
    expect(only.code).toBe(1);
    expect(only.stderr).toContain('Warning: -only "nomatch.*" matches no build');
    expect(only.stderr).toContain('The builds are: hello.null.hello.');
    expect(only.stderr).toContain("Error: No builds to run: none of the template's builds (hello.null.hello) is selected by -only=nomatch.*.\n");
    const except = await runCli(['build', '-except=hello.*', HELLO]);
    expect(except.code).toBe(1);
    expect(except.stderr).toContain('is selected by -except=hello.*');
  });

  test('--json and -machine-readable together are a usage error', async () => {
    const r = await runCli(['build', '--json', '-machine-readable', HELLO]);
    expect(r.code).toBe(2);
  });
});

describe('cache', () => {
  test('du and prune work on an empty cache', async () => {
    const env = { IMGBUILD_CACHE_DIR: path.join(tmp, 'cache-empty') };
    const du = await runCli(['cache', 'du'], { env });
    expect(du.code).toBe(0);
    expect(du.stdout).toMatch(/^entries\s+0$/m);
    const prune = await runCli(['cache', 'prune', '-older-than=7d'], { env });
    expect(prune).toMatchObject({ code: 0, stderr: '' });
  });

  test('a bad prune age is a usage error', async () => {
    const r = await runCli(['cache', 'prune', '--older-than=soon'], { env: { IMGBUILD_CACHE_DIR: path.join(tmp, 'c') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--older-than');
  });
});

describe('cleanup', () => {
  test('with an empty journal says there is nothing to do', async () => {
    const dir = path.join(tmp, 'journal-empty');
    const r = await runCli(['cleanup', '--dry-run', '--journal-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing to clean up');
  });
});
