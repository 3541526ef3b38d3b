// The resource journal: every external thing a build creates (container, mount, VM
// process, cloud instance, key pair, temp dir...) is written here before it is created and
// struck when it is removed, so `imgbuild cleanup` can remove what a killed build left.
//
// A cloud resource gets its id only from the answer to its create call, and a process
// killed between the call and the answer never hears it. So its entry is recorded before
// the call with what will identify it anyway (the client token, the unique name, the
// `imgbuild:run-id` tag the create call sets), then completed with the id once the answer
// comes. Cleanup removes by id when it has one, and otherwise finds the resource by what
// the entry holds.

export interface JournalEntry {
  /** Unique id of the entry. */
  id: string;
  /** Resource kind, e.g. "path", "mount", "process", "runc-container", "ec2-instance". */
  kind: string;
  /**
   * Everything needed to remove it later, without the build's memory: ids, paths, and for
   * cloud resources the scope a client needs (`region`, `profile`, `endpoint`) and what
   * finds it before its id is known (`clientToken`, `name`). Never secrets.
   */
  handle: Record<string, string>;
  /** Human description for `imgbuild cleanup --dry-run`. */
  description: string;
  build: string;
  /** Also the value of the `imgbuild:run-id` tag cloud resources are created with. */
  runId: string;
  createdAt: string;
  /** Entries of resources this one uses: cleanup removes this one before them. */
  dependsOn?: string[];
}

export interface RecordOptions {
  /** Resources this one uses (the instance uses its key pair and security group). */
  dependsOn?: readonly JournalEntry[];
}

export interface Journal {
  /** Writes the entry durably before the caller creates the resource. */
  record(kind: string, handle: Record<string, string>, description: string, opts?: RecordOptions): Promise<JournalEntry>;
  /**
   * Adds what the create call answered (`{ id: "i-0abc" }`) to the handle of an entry
   * recorded before the call, durably; returns the entry with the merged handle.
   */
  complete(entry: JournalEntry, answer: Record<string, string>): Promise<JournalEntry>;
  /** Strikes the entry once the resource is gone. */
  strike(entry: JournalEntry): Promise<void>;
}

/** What `remove` did, for `imgbuild cleanup` to report. */
export interface RemoveOutcome {
  /** Ids (or paths) of what was removed; empty when nothing was there any more. */
  removed: string[];
  /** How it was found, or why nothing was there: "found by client token imgbuild-1f3a". */
  detail?: string;
}

/** What a remover gets from `imgbuild cleanup` (and from a build's own cleanup). */
export interface RemoveContext {
  signal: AbortSignal;
  /**
   * One client per key for the whole cleanup: a kind keys it by the scope in the handle
   * (profile, region, endpoint) and builds it the way its builder's driver does, so
   * cleanup uses the same credentials and settings the build used.
   */
  client<T>(key: string, create: () => T | Promise<T>): Promise<T>;
}

/**
 * How to remove one kind of resource. `remove` must find the resource by the entry alone:
 * by id when the handle has one, else by client token, name or the `imgbuild:run-id` tag
 * (`entry.runId`); "already gone" is success with nothing removed.
 */
export interface ResourceKind {
  kind: string;
  remove(entry: JournalEntry, ctx: RemoveContext): Promise<RemoveOutcome>;
}

/**
 * The kinds a plugin journals, declared by the plugin; `load` imports the runtime code that
 * removes them only when `imgbuild cleanup` meets one of `names`.
 */
export interface ResourceKindSource {
  names: readonly string[];
  load(): Promise<readonly ResourceKind[]>;
}
