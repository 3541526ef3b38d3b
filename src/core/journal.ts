// The file-backed resource journal. One JSON-lines file per run: a header with the pid that
// owns it, then `record` and `strike` lines, each fsynced before the call returns, so an
// entry exists on disk before the resource does. `imgbuild cleanup` replays the file and
// removes what was never struck, but only for runs whose process is gone.
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvironmentError, ImgbuildError, errorMessage } from './errors.js';
import type { Journal, JournalEntry, ResourceKind } from './journal-types.js';

const execFileP = promisify(execFile);

/** `$IMGBUILD_STATE_DIR/journal`, else `$XDG_STATE_HOME/imgbuild/journal`, else `~/.local/state/imgbuild/journal`. */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['IMGBUILD_STATE_DIR'];
  if (override) return join(override, 'journal');
  const xdg = env['XDG_STATE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.local', 'state'), 'imgbuild', 'journal');
}

type Line =
  | { type: 'run'; runId: string; pid: number; host: string; startedAt: string }
  | { type: 'record'; entry: JournalEntry }
  | { type: 'strike'; id: string; at: string };

/** The journal of one run; `forBuild` gives the Journal a build's steps use. */
export class RunJournal {
  private queue: Promise<void> = Promise.resolve();
  private readonly open = new Map<string, JournalEntry>();

  private constructor(
    readonly runId: string,
    readonly file: string,
  ) {}

  static async create(dir: string, runId: string): Promise<RunJournal> {
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new EnvironmentError(`create journal directory ${dir}: ${errorMessage(e)}`, { cause: e });
    }
    const j = new RunJournal(runId, join(dir, `${runId}.jsonl`));
    await j.append({ type: 'run', runId, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
    // The new file's directory entry must survive a crash too, or the journal is lost with it.
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    return j;
  }

  forBuild(build: string): Journal {
    return {
      record: async (kind, handle, description) => {
        const entry: JournalEntry = {
          id: randomUUID(),
          kind,
          handle: { ...handle },
          description,
          build,
          runId: this.runId,
          createdAt: new Date().toISOString(),
        };
        await this.append({ type: 'record', entry });
        this.open.set(entry.id, entry);
        return entry;
      },
      strike: async (entry) => {
        if (!this.open.has(entry.id)) return;
        await this.append({ type: 'strike', id: entry.id, at: new Date().toISOString() });
        this.open.delete(entry.id);
      },
    };
  }

  /** What is still recorded and not struck. */
  unstruck(): JournalEntry[] {
    return [...this.open.values()];
  }

  /** Removes the file when everything was struck; keeps it for `imgbuild cleanup` otherwise. */
  async close(): Promise<void> {
    await this.queue;
    if (this.open.size === 0) await fs.rm(this.file, { force: true });
  }

  private append(line: Line): Promise<void> {
    const run = async (): Promise<void> => {
      const fh = await fs.open(this.file, 'a', 0o600);
      try {
        await fh.write(`${JSON.stringify(line)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
    };
    const next = this.queue.then(run);
    // One failed write must not wedge every later one; the caller still sees its own error.
    this.queue = next.catch(() => undefined);
    return next.catch((e: unknown) => {
      throw new EnvironmentError(`write journal ${this.file}: ${errorMessage(e)}`, { cause: e });
    });
  }
}

/* ------------------------------------------------------------------------------------------
 * Resource kinds
 * ---------------------------------------------------------------------------------------- */

const kinds = new Map<string, ResourceKind>();

/** Plugins call this at module load for each kind of resource they journal. */
export function registerResourceKind(kind: ResourceKind): void {
  kinds.set(kind.kind, kind);
}

export function resourceKind(kind: string): ResourceKind | undefined {
  return kinds.get(kind);
}

registerResourceKind({
  kind: 'path',
  async remove(handle) {
    const p = requireHandle(handle, 'path', 'path');
    await fs.rm(p, { recursive: true, force: true });
  },
});

/**
 * The journal handle of a running process: its pid and the kernel's start time for it, so
 * a later `imgbuild cleanup` never signals another process that has since taken the pid.
 */
export async function processHandle(pid: number, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const start = await processStartTime(pid);
  return { pid: String(pid), ...(start === null ? {} : { start }), ...extra };
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); null when the process is gone. */
async function processStartTime(pid: number): Promise<string | null> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

registerResourceKind({
  kind: 'process',
  async remove(handle, signal) {
    const pid = Number(requireHandle(handle, 'pid', 'process'));
    // A pid whose start time differs is someone else's now: ours is gone already.
    const start = handle['start'];
    if (start !== undefined && (await processStartTime(pid)) !== start) return;
    // A negative pid signals the whole process group, so children die with the leader.
    const target = handle['group'] === 'true' ? -pid : pid;
    if (!sendSignal(target, 'SIGTERM')) return;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !signal?.aborted) {
      await sleep(100);
      if (!sendSignal(target, 0)) return;
    }
    sendSignal(target, 'SIGKILL');
  },
});

registerResourceKind({
  kind: 'mount',
  async remove(handle) {
    const target = requireHandle(handle, 'target', 'mount');
    try {
      await execFileP('umount', ['-l', target]);
    } catch (e) {
      const raw = (e as { stderr?: unknown }).stderr;
      const stderr = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString() : '';
      if (/not mounted|no mount point|not found|No such file/i.test(stderr)) return;
      throw new EnvironmentError(`umount ${target}: ${stderr.trim() || errorMessage(e)}`, { cause: e });
    }
  },
});

function requireHandle(handle: Record<string, string>, key: string, kind: string): string {
  const v = handle[key];
  if (v === undefined || v === '') {
    throw new ImgbuildError('E_JOURNAL', `journal entry of kind "${kind}" has no "${key}"`, { source: 'internal' });
  }
  return v;
}

/** false when the process does not exist (ESRCH). */
function sendSignal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return true;
    throw e;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/* ------------------------------------------------------------------------------------------
 * imgbuild cleanup
 * ---------------------------------------------------------------------------------------- */

export interface CleanupOptions {
  /** Report what would be removed; touch nothing. */
  dryRun?: boolean;
  /** Also clean runs whose process still looks alive (pid reused, other host...). */
  force?: boolean;
  signal?: AbortSignal;
  /**
   * Called for a kind no one registered yet; should load the plugins that register kinds
   * (the CLI passes a loader of every known plugin). Returns nothing; lookup is retried.
   */
  loadKinds?: () => Promise<void>;
}

export interface CleanupReport {
  /** Removed (or, with dryRun, would be removed), in removal order. */
  removed: JournalEntry[];
  failed: { entry: JournalEntry; error: string }[];
  /** Runs left alone because their process is still running. */
  skippedRuns: { runId: string; pid: number; file: string }[];
  /** Journal files deleted because nothing in them was left. */
  finishedRuns: string[];
}

/** Removes every unstruck entry of dead runs, newest first within a run, and strikes it. */
export async function cleanupJournal(dir: string, opts: CleanupOptions = {}): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], failed: [], skippedRuns: [], finishedRuns: [] };
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw new EnvironmentError(`read journal directory ${dir}: ${errorMessage(e)}`, { cause: e });
  }
  let kindsLoaded = false;
  for (const name of names) {
    const file = join(dir, name);
    const run = await readRun(file);
    if (!run) continue;
    if (!opts.force && run.pid !== process.pid && run.host === hostname() && sendSignal(run.pid, 0)) {
      report.skippedRuns.push({ runId: run.runId, pid: run.pid, file });
      continue;
    }
    let failures = 0;
    for (const entry of run.open.reverse()) {
      if (opts.signal?.aborted) break;
      let kind = resourceKind(entry.kind);
      if (!kind && !kindsLoaded && opts.loadKinds) {
        kindsLoaded = true;
        await opts.loadKinds();
        kind = resourceKind(entry.kind);
      }
      if (!kind) {
        failures++;
        report.failed.push({ entry, error: `no handler for resource kind "${entry.kind}" (is its plugin installed?)` });
        continue;
      }
      if (opts.dryRun) {
        report.removed.push(entry);
        continue;
      }
      try {
        await kind.remove(entry.handle, opts.signal);
        await appendLine(file, { type: 'strike', id: entry.id, at: new Date().toISOString() });
        report.removed.push(entry);
      } catch (e) {
        failures++;
        report.failed.push({ entry, error: errorMessage(e) });
      }
    }
    if (!opts.dryRun && failures === 0 && !opts.signal?.aborted) {
      await fs.rm(file, { force: true });
      report.finishedRuns.push(run.runId);
    }
  }
  return report;
}

/** Every unstruck entry in the directory, without removing anything (for `cleanup --list`). */
export async function listJournal(dir: string): Promise<{ runId: string; pid: number; alive: boolean; entries: JournalEntry[] }[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
  const out: { runId: string; pid: number; alive: boolean; entries: JournalEntry[] }[] = [];
  for (const name of names) {
    const run = await readRun(join(dir, name));
    if (run) out.push({ runId: run.runId, pid: run.pid, alive: run.host === hostname() && sendSignal(run.pid, 0), entries: run.open });
  }
  return out;
}

interface ReadRun {
  runId: string;
  pid: number;
  host: string;
  open: JournalEntry[];
}

async function readRun(file: string): Promise<ReadRun | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  let header: ReadRun | null = null;
  const open = new Map<string, JournalEntry>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      // A torn last line from a killed process: everything before it is still valid.
      continue;
    }
    if (line.type === 'run') header = { runId: line.runId, pid: line.pid, host: line.host, open: [] };
    else if (line.type === 'record') open.set(line.entry.id, line.entry);
    else if (line.type === 'strike') open.delete(line.id);
  }
  if (!header) return null;
  header.open = [...open.values()];
  return header;
}

async function appendLine(file: string, line: Line): Promise<void> {
  const fh = await fs.open(file, 'a', 0o600);
  try {
    await fh.write(`${JSON.stringify(line)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
