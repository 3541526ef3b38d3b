// The file-backed resource journal. One JSON-lines file per run: a header with the pid that
// owns it, then `record`, `complete` and `strike` lines, each fsynced before the call
// returns, so an entry exists on disk before the resource does and its id is on disk as
// soon as the create call answered. `imgbuild cleanup` (journal-cleanup.ts) replays the
// file and removes what was never struck, but only for runs whose process is gone.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, errorMessage } from './errors.js';
import type { Journal, JournalEntry } from './journal-types.js';

/** `$IMGBUILD_STATE_DIR/journal`, else `$XDG_STATE_HOME/imgbuild/journal`, else `~/.local/state/imgbuild/journal`. */
export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['IMGBUILD_STATE_DIR'];
  if (override) return join(override, 'journal');
  const xdg = env['XDG_STATE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.local', 'state'), 'imgbuild', 'journal');
}

export type JournalLine =
  | { type: 'run'; runId: string; pid: number; host: string; startedAt: string }
  | { type: 'record'; entry: JournalEntry }
  | { type: 'complete'; id: string; handle: Record<string, string>; at: string }
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
      record: async (kind, handle, description, opts = {}) => {
        const dependsOn = (opts.dependsOn ?? []).map((d) => d.id);
        const entry: JournalEntry = {
          id: randomUUID(),
          kind,
          handle: { ...handle },
          description,
          build,
          runId: this.runId,
          createdAt: new Date().toISOString(),
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
        };
        await this.append({ type: 'record', entry });
        this.open.set(entry.id, entry);
        return entry;
      },
      complete: async (entry, answer) => {
        const current = this.open.get(entry.id);
        if (!current) return entry;
        await this.append({ type: 'complete', id: entry.id, handle: { ...answer }, at: new Date().toISOString() });
        const completed = { ...current, handle: { ...current.handle, ...answer } };
        this.open.set(entry.id, completed);
        return completed;
      },
      strike: async (entry) => {
        if (!this.open.has(entry.id)) return;
        await this.append({ type: 'strike', id: entry.id, at: new Date().toISOString() });
        this.open.delete(entry.id);
      },
    };
  }

  /** What is still recorded and not struck, with completed handles. */
  unstruck(): JournalEntry[] {
    return [...this.open.values()];
  }

  /** Removes the file when everything was struck; keeps it for `imgbuild cleanup` otherwise. */
  async close(): Promise<void> {
    await this.queue;
    if (this.open.size === 0) await fs.rm(this.file, { force: true });
  }

  private append(line: JournalLine): Promise<void> {
    const next = this.queue.then(() => appendJournalLine(this.file, line));
    // One failed write must not wedge every later one; the caller still sees its own error.
    this.queue = next.catch(() => undefined);
    return next.catch((e: unknown) => {
      throw new EnvironmentError(`write journal ${this.file}: ${errorMessage(e)}`, { cause: e });
    });
  }
}

/** Appends one line and fsyncs it before returning. */
export async function appendJournalLine(file: string, line: JournalLine): Promise<void> {
  const fh = await fs.open(file, 'a', 0o600);
  try {
    await fh.write(`${JSON.stringify(line)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface JournalRun {
  runId: string;
  pid: number;
  host: string;
  file: string;
  /** Entries never struck, in the order they were recorded, with completed handles. */
  open: JournalEntry[];
}

/** Replays one run's file; null when it is unreadable or has no header. */
export async function readJournalRun(file: string): Promise<JournalRun | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  let header: Omit<JournalRun, 'open'> | null = null;
  const open = new Map<string, JournalEntry>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      // A torn last line from a killed process: everything before it is still valid.
      continue;
    }
    if (line.type === 'run') header = { runId: line.runId, pid: line.pid, host: line.host, file };
    else if (line.type === 'record') open.set(line.entry.id, line.entry);
    else if (line.type === 'strike') open.delete(line.id);
    else if (line.type === 'complete') {
      const e = open.get(line.id);
      if (e) open.set(line.id, { ...e, handle: { ...e.handle, ...line.handle } });
    }
  }
  return header ? { ...header, open: [...open.values()] } : null;
}

/** Every run file in `dir`, sorted; [] when the directory does not exist. */
export async function journalFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir))
      .filter((n) => n.endsWith('.jsonl'))
      .sort()
      .map((n) => join(dir, n));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EnvironmentError(`read journal directory ${dir}: ${errorMessage(e)}`, { cause: e });
  }
}
