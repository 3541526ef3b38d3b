// `imgbuild cleanup`: replays the journal of every run whose process is gone and removes
// what it recorded and never struck. Within a run, a resource is removed before the ones it
// uses (an instance before its security group and key pair), otherwise newest first; one
// that cannot be removed keeps what it uses, with the reason. Each removal is struck at
// once, so an interrupted cleanup resumes where it stopped.
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { errorMessage } from './errors.js';
import { appendJournalLine, journalFiles, readJournalRun, type JournalRun } from './journal.js';
import { resolveResourceKind, sendSignal } from './journal-kinds.js';
import type { JournalEntry, RemoveContext, RemoveOutcome } from './journal-types.js';

export interface CleanupOptions {
  /** Report what would be removed; touch nothing. */
  dryRun?: boolean;
  /** Also clean runs whose process still looks alive (pid reused, other host...). */
  force?: boolean;
  signal?: AbortSignal;
}

export interface CleanupReport {
  /** Removed, in removal order, with what the remover found. */
  removed: { entry: JournalEntry; outcome: RemoveOutcome }[];
  /** With dryRun: what would be removed, in that order. */
  wouldRemove: JournalEntry[];
  failed: { entry: JournalEntry; error: string }[];
  /** Runs left alone because their process is still running. */
  skippedRuns: { runId: string; pid: number; file: string }[];
  /** Journal files deleted because nothing in them was left. */
  finishedRuns: string[];
}

export async function cleanupJournal(dir: string, opts: CleanupOptions = {}): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], wouldRemove: [], failed: [], skippedRuns: [], finishedRuns: [] };
  const signal = opts.signal ?? new AbortController().signal;
  const ctx = newRemoveContext(signal);
  for (const file of await journalFiles(dir)) {
    const run = await readJournalRun(file);
    if (!run) continue;
    if (!opts.force && isLive(run)) {
      report.skippedRuns.push({ runId: run.runId, pid: run.pid, file });
      continue;
    }
    const failures = await cleanRun(run, ctx, opts.dryRun === true, report);
    if (!opts.dryRun && failures === 0 && !signal.aborted) {
      await rm(file, { force: true });
      report.finishedRuns.push(run.runId);
    }
  }
  return report;
}

/** Removes one run's open entries in dependency order; returns how many could not be. */
async function cleanRun(run: JournalRun, ctx: RemoveContext, dryRun: boolean, report: CleanupReport): Promise<number> {
  const failed = new Map<string, JournalEntry>();
  let failures = 0;
  for (const entry of removalOrder(run.open)) {
    if (ctx.signal.aborted) break;
    const user = run.open.find((u) => failed.has(u.id) && (u.dependsOn ?? []).includes(entry.id));
    if (user) {
      fail(entry, `kept: ${user.kind} ${user.description} still uses it and could not be removed`);
      continue;
    }
    const kind = await resolveResourceKind(entry.kind).catch((e: unknown) => {
      fail(entry, `load the remover of "${entry.kind}": ${errorMessage(e)}`);
      return null;
    });
    if (kind === null) continue;
    if (kind === undefined) {
      fail(entry, `no plugin declares resource kind "${entry.kind}" (is the plugin that created it installed?)`);
      continue;
    }
    if (dryRun) {
      report.wouldRemove.push(entry);
      continue;
    }
    try {
      const outcome = await kind.remove(entry, ctx);
      await appendJournalLine(run.file, { type: 'strike', id: entry.id, at: new Date().toISOString() });
      report.removed.push({ entry, outcome });
    } catch (e) {
      fail(entry, errorMessage(e));
    }
  }
  return failures;

  function fail(entry: JournalEntry, error: string): void {
    failures++;
    failed.set(entry.id, entry);
    report.failed.push({ entry, error });
  }
}

/**
 * Newest first, except that an entry comes after every entry that uses it (lists it in
 * `dependsOn`), wherever those were recorded.
 */
export function removalOrder(entries: readonly JournalEntry[]): JournalEntry[] {
  const remaining = [...entries];
  const order: JournalEntry[] = [];
  const users = (e: JournalEntry): JournalEntry[] => remaining.filter((u) => u !== e && (u.dependsOn ?? []).includes(e.id));
  while (remaining.length > 0) {
    // A cycle cannot come from record() (an entry can only name earlier ones); if a hand-
    // edited file has one, newest first still ends.
    let i = remaining.length - 1;
    while (i >= 0 && users(remaining[i] as JournalEntry).length > 0) i--;
    const [next] = remaining.splice(i >= 0 ? i : remaining.length - 1, 1);
    if (next) order.push(next);
  }
  return order;
}

/** Every unstruck entry in the directory, without removing anything (for `cleanup --list`). */
export async function listJournal(dir: string): Promise<{ runId: string; pid: number; alive: boolean; entries: JournalEntry[] }[]> {
  const out: { runId: string; pid: number; alive: boolean; entries: JournalEntry[] }[] = [];
  for (const file of await journalFiles(dir).catch(() => [])) {
    const run = await readJournalRun(file);
    if (run) out.push({ runId: run.runId, pid: run.pid, alive: isLive(run), entries: run.open });
  }
  return out;
}

function isLive(run: JournalRun): boolean {
  return run.pid !== process.pid && run.host === hostname() && sendSignal(run.pid, 0);
}

/** One client per key for the whole cleanup, however many entries share a scope. */
export function newRemoveContext(signal: AbortSignal): RemoveContext {
  const clients = new Map<string, Promise<unknown>>();
  return {
    signal,
    client<T>(key: string, create: () => T | Promise<T>): Promise<T> {
      let c = clients.get(key);
      if (!c) {
        c = Promise.resolve().then(create);
        clients.set(key, c);
        c.catch(() => clients.delete(key));
      }
      return c as Promise<T>;
    },
  };
}
