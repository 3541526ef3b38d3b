// The fuzz harness (issue 14): sends one input at a time to a worker process (worker.ts)
// that runs `imgbuild validate` (or fmt) on it through the CLI's own entry point —
// argument parsing, loading, evaluation, rendering and the top-level catch — and judges the
// outcome. Shared by the seeded suite in `npm test` and the long run in bench/fuzz.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzReply, FuzzRequest } from './worker.js';

export interface Outcome {
  code: number;
  stderr: string;
  peakMb: number;
}

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.js');

export class FuzzWorker {
  private child: ChildProcess | null = null;
  private next = 1;
  /** Highest peak memory any worker reached, in MB. */
  peakMb = 0;

  /**
   * `hangGuardMs` is far above any normal run; past it the worker is killed (and replaced)
   * and the input reported as a hang. Nothing compares times.
   */
  constructor(private readonly hangGuardMs = 60_000) {}

  validate(template: string | Buffer, name = 'fuzz.pkr.hcl', extraArgs: readonly string[] = []): Promise<Outcome> {
    return this.run(['validate', ...extraArgs, name], { [name]: template });
  }

  run(args: readonly string[], files: Record<string, string | Buffer> = {}): Promise<Outcome> {
    const child = this.worker();
    const id = this.next++;
    const req: FuzzRequest = { id, args: [...args], files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        finish({ code: -1, stderr: `no answer within ${this.hangGuardMs} ms (hang guard)`, peakMb: 0 });
        this.stop();
      }, this.hangGuardMs);
      const onMessage = (reply: FuzzReply): void => {
        if (reply.id !== id) return;
        this.peakMb = Math.max(this.peakMb, reply.peakMb);
        finish({ code: reply.code, stderr: reply.stderr, peakMb: reply.peakMb });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        finish({ code: -1, stderr: `the worker died (exit ${code ?? 'none'}, signal ${signal ?? 'none'})`, peakMb: 0 });
        this.child = null;
      };
      const finish = (o: Outcome): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(o);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send(req);
    });
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  private worker(): ChildProcess {
    this.child ??= fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NO_COLOR: '1' } });
    return this.child;
  }
}

/**
 * What every input must give: exit 0, 1 or 2 (fmt -check: 3); never an internal error; and
 * when it fails with 1, at least one diagnostic located in a file ("on fuzz.pkr.hcl line
 * 3"). Returns the problem, or null when the outcome is acceptable.
 */
export function judge(o: Outcome, allowed: readonly number[] = [0, 1, 2]): string | null {
  if (!allowed.includes(o.code)) return `exit status ${o.code}:\n${o.stderr.slice(0, 2000)}`;
  if (/internal error|Maximum call stack|\n\s+at \S+ \(/.test(o.stderr)) return `internal error:\n${o.stderr.slice(0, 2000)}`;
  if (o.code === 1 && !/\bon \S+ line \d+/.test(o.stderr)) return `exit 1 without a located diagnostic:\n${o.stderr.slice(0, 2000)}`;
  return null;
}

/** The HCL files of the Packer corpus beside the repository (../shared/packer-corpus). */
export function corpusSeeds(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.pkr(vars)?\.hcl$/.test(name)) out.push(readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}
