// Renderer and color choice on a real terminal, through `script(1)`'s pseudo-terminal:
// listr2 on a sized TTY, plain lines under CI=true, and no ANSI color with -color=false
// or NO_COLOR.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, cleanEnv, REPO_ROOT } from '../helpers/cli.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const maybe = hasScript ? test : test.skip;
const ANSI = /\x1b\[[0-9;]*m/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-tty-'));
  cpSync(path.join(REPO_ROOT, 'templates', 'null-hello'), dir, { recursive: true });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function onTty(args: string, env: Record<string, string | undefined>): { code: number | null; out: string } {
  const quoted = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args}`;
  const r = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${quoted}`, '/dev/null'], {
    encoding: 'utf8',
    env: cleanEnv({ NO_COLOR: undefined, CI: undefined, IMGBUILD_STATE_DIR: path.join(dir, '.state'), ...env }),
    timeout: 60000,
  });
  return { code: r.status, out: r.stdout };
}

maybe('a sized terminal gets the listr2 task view', () => {
  const r = onTty(`build ${dir}`, {});
  expect(r.code).toBe(0);
  expect(r.out).toContain('hello.null.hello: finished after');
  expect(r.out).not.toContain('==> hello.null.hello: Running local shell script');
});

maybe('CI=true on a terminal gets colored plain lines', () => {
  const r = onTty(`build ${dir}`, { CI: 'true' });
  expect(r.code).toBe(0);
  expect(r.out).toContain('==> hello.null.hello: Running local shell script');
  expect(r.out).toMatch(ANSI);
});

maybe('-color=false and NO_COLOR turn color off on a terminal', () => {
  const flag = onTty(`build -color=false ${dir}`, { CI: 'true' });
  expect(flag.code).toBe(0);
  expect(flag.out).toContain('==> hello.null.hello:');
  expect(flag.out).not.toMatch(ANSI);
  const env = onTty(`build ${dir}`, { CI: 'true', NO_COLOR: '1' });
  expect(env.out).not.toMatch(ANSI);
});

maybe('diagnostics are colored on a terminal unless -color=false', () => {
  const bad = path.join(REPO_ROOT, 'test', 'fixtures', 'malformed', '36-undeclared-variable.pkr.hcl');
  expect(onTty(`validate ${bad}`, {}).out).toMatch(ANSI);
  const plain = onTty(`validate -color=false ${bad}`, {});
  expect(plain.code).toBe(1);
  expect(plain.out).toMatch(/^Error: /m);
  expect(plain.out).not.toMatch(ANSI);
});

maybe('-machine-readable on a terminal still prints machine-readable lines', () => {
  const r = onTty(`build -machine-readable ${dir}`, {});
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^\d+,,ui,say,==> hello\.null\.hello: /m);
});

maybe('console is an interactive prompt on a terminal, and a bad line does not end it', () => {
  const quoted = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} console`;
  const r = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${quoted}`, '/dev/null'], {
    encoding: 'utf8',
    input: 'upper("abc")\n1 +\nlength([1, 2])\nexit\n',
    env: cleanEnv({ NO_COLOR: '1', CI: undefined }),
    timeout: 30000,
  });
  expect(r.status).toBe(0);
  // Piped input arrives before the prompt is redrawn, so a result may follow a prompt.
  const screen = r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  expect(screen).toContain('> ');
  expect(screen).toMatch(/^(> )?ABC\r?$/m);
  expect(screen).toMatch(/^(> )?Error: /m);
  expect(screen).toMatch(/^(> )?2\r?$/m);
});
