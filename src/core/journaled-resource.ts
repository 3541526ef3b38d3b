// A cloud resource a step creates, journaled the way `imgbuild cleanup` needs it: the entry
// is written before the create call (with the client token, name and scope in the handle),
// completed with the id when the answer comes, and removed through the kind's own remover,
// the same code `imgbuild cleanup` runs, so a step's cleanup finds a resource whose create
// call failed half-way (timeout, reset) by its client token or tag just as cleanup would.
import { newRemoveContext } from './journal-cleanup.js';
import type { JournalEntry, RemoveOutcome, ResourceKind } from './journal-types.js';
import type { StepContext } from './plugin.js';

export interface CreateSpec<T> {
  /** Scope (`region`, `profile`, `endpoint`), client token or name; never secrets. */
  handle: Record<string, string>;
  description: string;
  /** Resources this one uses: cleanup removes this one first. */
  dependsOn?: readonly JournaledResource<unknown>[];
  /** What the answer adds to the handle, usually `{ id }`. */
  answer: (created: T) => Record<string, string>;
}

export class JournaledResource<T> {
  private entry: JournalEntry | null = null;

  constructor(private readonly kind: ResourceKind) {}

  /** The journal entry, once `create` recorded it; null before and after removal. */
  get journalEntry(): JournalEntry | null {
    return this.entry;
  }

  /**
   * Records the entry, makes the create call, completes the entry with the answer. When
   * the call fails the entry stays: `remove` (or `imgbuild cleanup`) resolves it.
   */
  async create(ctx: StepContext, spec: CreateSpec<T>, call: () => Promise<T>): Promise<T> {
    const dependsOn = (spec.dependsOn ?? []).flatMap((r) => (r.entry ? [r.entry] : []));
    this.entry = await ctx.journal.record(this.kind.kind, spec.handle, spec.description, { dependsOn });
    const created = await call();
    this.entry = await ctx.journal.complete(this.entry, spec.answer(created));
    return created;
  }

  /** Removes it with the kind's remover and strikes the entry; null when nothing was recorded. */
  async remove(ctx: StepContext): Promise<RemoveOutcome | null> {
    const entry = this.entry;
    if (entry === null) return null;
    const outcome = await this.kind.remove(entry, newRemoveContext(ctx.signal));
    await ctx.journal.strike(entry);
    this.entry = null;
    return outcome;
  }
}
