// Runs the real `bin/imgbuild` as a child process, the way users and CI run it: e2e tests
// go through the launcher, argv normalisation, the top-level catch and real exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/helpers/cli.js. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(REPO_ROOT, 'bin', 'imgbuild');
export const CORPUS_DIR = path.resolve(REPO_ROOT, '../shared/packer-corpus');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Arguments for node itself, before the launcher (e.g. --import hooks). */
  nodeArgs?: string[];
}

/** Environment without CI/TTY-dependent switches, so output is the plain, colorless kind. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  delete env['PACKER_LOG'];
  delete env['IMGBUILD_LOG'];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function startCli(args: readonly string[], opts: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cleanEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, opts);
  return collect(child, opts);
}

export function collect(child: ChildProcess, opts: Pick<CliOptions, 'input' | 'timeoutMs'> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // On timeout, SIGINT first, as a user would press Ctrl-C: the build then stops its VMs
    // and containers itself, where SIGKILL would leave them running after the test.
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('close', () => clearTimeout(killer));
      reject(new Error(`imgbuild did not exit within ${opts.timeoutMs ?? 60000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** Resolves once `pattern` appears in the child's stdout or stderr. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${String(pattern)}; output so far:\n${seen}`));
    }, timeoutMs);
    const onData = (d: Buffer | string): void => {
      seen += d.toString();
      if (pattern.test(seen)) {
        cleanup();
        resolve();
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`process exited before ${String(pattern)} appeared; output:\n${seen}`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('close', onClose);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', onClose);
  });
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Splits an `.args` line the way a POSIX shell would for the simple quoting fixtures use. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const ch of line) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
