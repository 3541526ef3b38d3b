// The resource journal: every external thing a build creates (container, mount, VM
// process, cloud instance, key pair, temp dir...) is written here before it is created and
// struck when it is removed, so `imgbuild cleanup` can remove what a killed build left.

export interface JournalEntry {
  /** Unique id of the entry. */
  id: string;
  /** Resource kind, e.g. "path", "mount", "process", "runc-container", "ec2-instance". */
  kind: string;
  /** Everything needed to remove it later, without the build's memory (ids, paths, region). */
  handle: Record<string, string>;
  /** Human description for `imgbuild cleanup --dry-run`. */
  description: string;
  build: string;
  runId: string;
  createdAt: string;
}

export interface Journal {
  /** Writes the entry durably before the caller creates the resource. */
  record(kind: string, handle: Record<string, string>, description: string): Promise<JournalEntry>;
  /** Strikes the entry once the resource is gone. */
  strike(entry: JournalEntry): Promise<void>;
}

/** How to remove one kind of resource from its handle; registered by core and plugins. */
export interface ResourceKind {
  kind: string;
  remove(handle: Record<string, string>, signal?: AbortSignal): Promise<void>;
}
