// The process the fuzz harness sends inputs to (over IPC): it writes the input into its own
// scratch directory and runs the CLI's entry point on it, in plain Node rather than inside
// Jest's module sandbox, so lazy imports behave as in the shipped CLI, and a hang or a heap
// blow-up costs this process, which the harness can kill, not the test runner.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface FuzzRequest {
  id: number;
  /** File name -> base64 content, written before the command runs. */
  files: Record<string, string>;
  args: string[];
  env?: Record<string, string>;
}

export interface FuzzReply {
  id: number;
  code: number;
  stderr: string;
  /** This process's peak resident memory so far, in MB. */
  peakMb: number;
}

const dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-fuzz-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('disconnect', () => process.exit(0));

process.on('message', (msg: FuzzRequest) => {
  void handle(msg).then((reply) => process.send?.(reply));
});

async function handle(req: FuzzRequest): Promise<FuzzReply> {
  for (const [name, b64] of Object.entries(req.files)) writeFileSync(path.join(dir, name), Buffer.from(b64, 'base64'));
  let stderr = '';
  const err = new PassThrough();
  err.on('data', (d: Buffer) => {
    // Keep enough to judge; a runaway renderer shows up in peakMb, not here.
    if (stderr.length < 1_000_000) stderr += d.toString();
  });
  const out = new PassThrough();
  out.resume();
  const io: CliIo = { stdout: out, stderr: err, stdin: new PassThrough(), env: { NO_COLOR: '1', CI: 'true', ...req.env }, cwd: dir };
  let code: number;
  try {
    code = await run(req.args, io);
  } catch (e) {
    // run() has its own top-level catch; anything escaping it is the bug we look for.
    code = 70;
    stderr += `internal error escaped run(): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  return { id: req.id, code, stderr, peakMb: process.resourceUsage().maxRSS / 1024 };
}
