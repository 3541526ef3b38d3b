// Resource kinds: how `imgbuild cleanup` removes each kind of journaled resource. Core owns
// the host kinds (`path`, `process`, `mount`); every other kind is declared by the plugin
// that journals it (`resourceKinds` on its definition) and registered here by the CLI, the
// one place that knows the plugins. A kind's runtime is imported only when a journal entry
// of that kind is met.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { EnvironmentError, ImgbuildError, errorMessage } from './errors.js';
import type { JournalEntry, RemoveOutcome, ResourceKind, ResourceKindSource } from './journal-types.js';

const execFileP = promisify(execFile);

const kinds = new Map<string, ResourceKind>();
const sources: ResourceKindSource[] = [];

/** A kind whose remover is already loaded (core's host kinds, tests). */
export function registerResourceKind(kind: ResourceKind): void {
  kinds.set(kind.kind, kind);
}

/** Kinds a plugin declares; loaded the first time an entry of one of `names` is resolved. */
export function registerResourceKindSource(source: ResourceKindSource): void {
  if (!sources.includes(source)) sources.push(source);
}

/** The remover of `kind`, loading the source that declares it; undefined when no one does. */
export async function resolveResourceKind(kind: string): Promise<ResourceKind | undefined> {
  const known = kinds.get(kind);
  if (known) return known;
  const source = sources.find((s) => s.names.includes(kind));
  if (!source) return undefined;
  for (const k of await source.load()) registerResourceKind(k);
  return kinds.get(kind);
}

registerResourceKind({
  kind: 'path',
  async remove(entry) {
    const p = requireHandle(entry, 'path');
    const existed = await fs.lstat(p).then(
      () => true,
      () => false,
    );
    await fs.rm(p, { recursive: true, force: true });
    return existed ? { removed: [p] } : { removed: [], detail: 'already gone' };
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
  async remove(entry, ctx): Promise<RemoveOutcome> {
    const pid = Number(requireHandle(entry, 'pid'));
    const gone: RemoveOutcome = { removed: [], detail: `process ${pid} already gone` };
    // A pid whose start time differs is someone else's now: ours is gone already.
    const start = entry.handle['start'];
    if (start !== undefined && (await processStartTime(pid)) !== start) return gone;
    // A negative pid signals the whole process group, so children die with the leader.
    const target = entry.handle['group'] === 'true' ? -pid : pid;
    if (!sendSignal(target, 'SIGTERM')) return gone;
    const removed = { removed: [`pid ${pid}`] };
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !ctx.signal.aborted) {
      await sleep(100);
      if (!sendSignal(target, 0)) return removed;
    }
    sendSignal(target, 'SIGKILL');
    return { ...removed, detail: 'killed: it ignored SIGTERM for 5 s' };
  },
});

registerResourceKind({
  kind: 'mount',
  async remove(entry) {
    const target = requireHandle(entry, 'target');
    try {
      await execFileP('umount', ['-l', target]);
      return { removed: [target] };
    } catch (e) {
      const raw = (e as { stderr?: unknown }).stderr;
      const stderr = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString() : '';
      if (/not mounted|no mount point|not found|No such file/i.test(stderr)) return { removed: [], detail: 'not mounted any more' };
      throw new EnvironmentError(`umount ${target}: ${stderr.trim() || errorMessage(e)}`, { cause: e });
    }
  },
});

/** The handle value a remover cannot do without. */
export function requireHandle(entry: JournalEntry, key: string): string {
  const v = entry.handle[key];
  if (v === undefined || v === '') {
    throw new ImgbuildError('E_JOURNAL', `journal entry of kind "${entry.kind}" has no "${key}"`, { source: 'internal' });
  }
  return v;
}

/** false when the process does not exist (ESRCH). */
export function sendSignal(pid: number, sig: NodeJS.Signals | 0): boolean {
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
