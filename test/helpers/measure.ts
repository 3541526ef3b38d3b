// Runs the real CLI under GNU time (Debian's `time` package, installed by scripts/setup.sh)
// to learn the child's peak resident memory: what a CI runner would see, including Node's
// own heap growth, which no in-process counter measures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv, collect, REPO_ROOT, type CliResult } from './cli.js';

export interface MeasuredResult extends CliResult {
  /** Peak resident set size of the imgbuild process, in MB. */
  peakMb: number;
}

/** `timeoutMs` is a hang guard only, far above any normal run; nothing asserts on time. */
export async function runCliMeasured(args: readonly string[], opts: { cwd?: string; input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<MeasuredResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-measure-'));
  const out = path.join(dir, 'rss');
  try {
    const child = spawn('/usr/bin/time', ['-q', '-f', '%M', '-o', out, process.execPath, BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (opts.input !== undefined) child.stdin.write(opts.input);
    const result = await collect(child, { timeoutMs: opts.timeoutMs ?? 60_000 });
    const kb = Number.parseInt(readFileSync(out, 'utf8').trim().split('\n').pop() ?? '', 10);
    return { ...result, peakMb: kb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
