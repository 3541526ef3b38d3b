// A build's private directory that the resource journal knows about: recorded before it
// exists, so `imgbuild cleanup` finds it after a crash, and struck once removed. Builders
// make one per build (container uppers and bundles, QEMU disks and sockets).
import { mkdir, rm } from 'node:fs/promises';
import type { JournalEntry } from './journal-types.js';
import type { StepContext } from './plugin.js';

export class JournaledDir {
  private entry: JournalEntry | null = null;
  private dir: string | null = null;

  async create(ctx: StepContext, dir: string, description: string): Promise<string> {
    this.entry = await ctx.journal.record('path', { path: dir }, description);
    this.dir = dir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Removes the dir with all it holds; a no-op when `create` never ran. */
  async remove(ctx: StepContext): Promise<void> {
    if (this.dir === null) return;
    await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
    if (this.entry) await ctx.journal.strike(this.entry);
    this.entry = null;
  }
}
