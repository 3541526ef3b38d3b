// The OCI runtime driver contract: what the container builder and communicator need from
// runc, crun or bwrap. Everything with a side effect on the host goes through this, so the
// builder's steps can be unit-tested against a fake runtime.
import type { Readable } from 'node:stream';

/** Journal kind for a build container; handle `{ runtime, id }`. Its remover: containerResourceKind in index.ts. */
export const CONTAINER_RESOURCE_KIND = 'runc-container';

export type RuntimeName = 'runc' | 'crun' | 'bwrap';
export type NetworkMode = 'host' | 'none';

export interface MountSpec {
  /** Host path, or the filesystem name for `tmpfs` and friends. */
  source: string;
  /** Absolute path in the container. */
  destination: string;
  /** `bind` (default) or a filesystem type such as `tmpfs`. */
  type?: string;
  options?: string[];
  readonly?: boolean;
}

export interface ContainerSpec {
  /** Unique runtime id; also used for the journal. */
  id: string;
  /** The merged overlay directory. */
  rootfs: string;
  /** Private directory for config.json, process files and resolv.conf/hosts copies. */
  bundleDir: string;
  hostname?: string;
  /** `host` shares the host network (apt works); `none` gives an empty network namespace. */
  network: NetworkMode;
  /** KEY=VALUE, the image's environment plus the builder's. */
  env: string[];
  /** `uid[:gid]` or `name[:group]`, resolved against the rootfs's /etc/passwd. */
  user?: string;
  cwd?: string;
  mounts?: MountSpec[];
  privileged?: boolean;
  /** Capabilities added to Docker's default set, `CAP_` prefix optional, or `ALL`. */
  capAdd?: string[];
}

export interface ProcessOptions {
  args: string[];
  /** Added to (and overriding) the container's environment. */
  env?: Record<string, string>;
  cwd?: string;
  user?: string;
  stdin?: Readable | string;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Aborting kills the process (and, for runc/crun, everything in the container). */
  signal?: AbortSignal;
}

export interface ProcessResult {
  exitCode: number;
  signal?: string;
}

export interface RuntimeContainer {
  readonly id: string;
  readonly runtime: RuntimeName;
  exec(p: ProcessOptions): Promise<ProcessResult>;
  /** Kills every process and removes the container. Tolerates "already gone". */
  destroy(): Promise<void>;
}

export interface OciRuntime {
  readonly name: RuntimeName;
  /** Fails with one clear error when the runtime binary is missing. */
  check(): Promise<void>;
  /** Starts the container (a long-lived init for runc/crun) and returns its handle. */
  create(spec: ContainerSpec): Promise<RuntimeContainer>;
  /** Removes a container by id, for cleanup from a journal handle. Tolerates "already gone". */
  remove(id: string): Promise<void>;
}
