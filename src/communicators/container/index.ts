// The container communicator: commands run in the build container through the OCI runtime,
// files move through the overlay's merged directory on the host. Every container-side path
// is resolved inside the root (symlinks followed as the container sees them, never out of
// it), and files are created with O_NOFOLLOW|O_EXCL, so a hostile image cannot turn an
// upload or download into a write or read of the host.
import { constants, createWriteStream } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, readdir, readlink, rm, symlink, lchown, open } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { minimatch } from 'minimatch';
import { BuildError } from '../../core/errors.js';
import type { Communicator, ExecOptions, ExecResult, UploadOptions } from '../../core/plugin.js';
import { resolveInRoot } from '../../runtime/rootfs-path.js';
import type { RuntimeContainer } from '../../runtime/types.js';
import { dirUploadTarget, localDirOf, type RemoteKind } from '../upload-rules.js';

/** One provisioner's view of the build container: its rootfs and a lazily started container. */
export interface ContainerSession {
  /** The overlay's merged directory. */
  rootfs: string;
  /** Starts the container on first use (a file-only provisioner never needs one). */
  container(): Promise<RuntimeContainer>;
  /** `fix_upload_owner`: uploaded files get this owner instead of root. */
  uploadOwner?: { uid: number; gid: number };
}

export class ContainerCommunicator implements Communicator {
  readonly type = 'container';
  private session: ContainerSession | null;

  constructor(session: ContainerSession | null = null) {
    this.session = session;
  }

  /** The builder points the communicator at each provisioner's fresh overlay. */
  attach(session: ContainerSession): void {
    this.session = session;
  }

  detach(): void {
    this.session = null;
  }

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const s = this.current();
    const container = await s.container();
    const res = await container.exec({
      args: ['/bin/sh', '-c', cmd],
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      ...(opts.onStdout ? { onStdout: opts.onStdout } : {}),
      ...(opts.onStderr ? { onStderr: opts.onStderr } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return res.signal === undefined ? { exitCode: res.exitCode } : { exitCode: res.exitCode, signal: res.signal };
  }

  async upload(dst: string, src: Readable | Buffer, opts: UploadOptions = {}): Promise<void> {
    const s = this.current();
    const target = await resolveInRoot(s.rootfs, dst);
    await mkdir(path.dirname(target), { recursive: true });
    await replaceWith(target);
    const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, opts.mode ?? 0o644);
    try {
      // The umask narrowed the create mode; set the asked one exactly, before writing.
      if (opts.mode !== undefined) await fh.chmod(opts.mode);
      if (s.uploadOwner) await fh.chown(s.uploadOwner.uid, s.uploadOwner.gid);
    } catch (e) {
      await fh.close();
      throw new BuildError(`upload ${dst}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const stream = Buffer.isBuffer(src) ? Readable.from([src]) : src;
      // The write stream owns the handle from here and closes it on finish or error.
      await pipeline(stream, fh.createWriteStream(), opts.signal ? { signal: opts.signal } : {});
    } catch (e) {
      throw new BuildError(`upload ${dst}: ${(e as Error).message}`, { cause: e });
    }
  }

  async uploadDir(dst: string, src: string, opts: { exclude?: string[]; signal?: AbortSignal } = {}): Promise<void> {
    const s = this.current();
    const into = dirUploadTarget(src, dst, await kindInRoot(s.rootfs, dst));
    const exclude = opts.exclude ?? [];
    const walk = async (localDir: string, remoteDir: string, rel: string): Promise<void> => {
      opts.signal?.throwIfAborted();
      const hostDir = await resolveInRoot(s.rootfs, remoteDir);
      const st = await lstat(localDir);
      await mkdirFresh(hostDir, st.mode & 0o7777);
      if (s.uploadOwner) await chown(hostDir, s.uploadOwner.uid, s.uploadOwner.gid);
      const entries = (await readdir(localDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
        if (exclude.some((g) => minimatch(relPath, g, { dot: true }))) continue;
        const local = path.join(localDir, e.name);
        const remote = path.posix.join(remoteDir, e.name);
        if (e.isDirectory()) {
          await walk(local, remote, relPath);
          continue;
        }
        // The entry itself is created, not followed: lstat semantics for the last component.
        const host = path.join(await resolveInRoot(s.rootfs, remoteDir), e.name);
        await replaceWith(host);
        if (e.isSymbolicLink()) {
          await symlink(await readlink(local), host);
          if (s.uploadOwner) await lchown(host, s.uploadOwner.uid, s.uploadOwner.gid);
        } else if (e.isFile()) {
          await copyFile(local, host, constants.COPYFILE_EXCL);
          await chmod(host, (await lstat(local)).mode & 0o7777);
          if (s.uploadOwner) await chown(host, s.uploadOwner.uid, s.uploadOwner.gid);
        }
        // Sockets, fifos and devices are not uploaded, as with Packer's communicators.
      }
    };
    try {
      await walk(localDirOf(src), into, '');
    } catch (e) {
      if (e instanceof BuildError) throw e;
      throw new BuildError(`upload directory ${src} to ${dst}: ${(e as Error).message}`, { cause: e });
    }
  }

  async download(src: string, dst: Writable, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.current();
    const host = await resolveInRoot(s.rootfs, src);
    let fh;
    try {
      fh = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      throw new BuildError(`download ${src}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file in the container' : (e as Error).message}`, { cause: e });
    }
    if ((await fh.stat()).isDirectory()) {
      await fh.close();
      throw new BuildError(`download ${src}: is a directory; end the source with / to download a directory`);
    }
    await pipeline(fh.createReadStream(), dst, opts.signal ? { signal: opts.signal } : {});
  }

  async downloadDir(src: string, dst: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.current();
    const into = src.endsWith('/') ? dst : path.join(dst, path.posix.basename(src));
    const walk = async (remote: string, local: string): Promise<void> => {
      opts.signal?.throwIfAborted();
      const hostDir = await resolveInRoot(s.rootfs, remote);
      const st = await lstat(hostDir);
      if (!st.isDirectory()) throw new BuildError(`download ${remote}: not a directory in the container`);
      await mkdir(local, { recursive: true, mode: st.mode & 0o7777 });
      for (const e of await readdir(hostDir, { withFileTypes: true })) {
        const hostPath = path.join(hostDir, e.name);
        const localPath = path.join(local, e.name);
        if (e.isDirectory()) await walk(path.posix.join(remote, e.name), localPath);
        else if (e.isSymbolicLink()) {
          await rm(localPath, { force: true });
          await symlink(await readlink(hostPath), localPath);
        } else if (e.isFile()) {
          await rm(localPath, { force: true });
          const fh = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
          const mode = (await fh.stat()).mode & 0o777;
          await pipeline(fh.createReadStream(), createWriteStream(localPath, { mode }));
        }
      }
    };
    try {
      await walk(src.endsWith('/') && src !== '/' ? src.slice(0, -1) : src, into);
    } catch (e) {
      if (e instanceof BuildError) throw e;
      throw new BuildError(`download directory ${src} to ${dst}: ${(e as Error).message}`, { cause: e });
    }
  }

  close(): Promise<void> {
    this.session = null;
    return Promise.resolve();
  }

  private current(): ContainerSession {
    if (!this.session) {
      throw new BuildError('container communicator: no build container is attached (provisioner run outside the build step)', {
        source: 'internal',
      });
    }
    return this.session;
  }
}

/** What `dst` is inside the container, following its symlinks as `docker cp` does. */
async function kindInRoot(rootfs: string, dst: string): Promise<RemoteKind> {
  try {
    const st = await lstat(await resolveInRoot(rootfs, dst));
    return st.isDirectory() ? 'directory' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw e;
  }
}

/** Makes room for a new entry at `host`: a file or link is removed, a directory kept as is. */
async function replaceWith(host: string): Promise<void> {
  try {
    const st = await lstat(host);
    if (st.isDirectory()) throw new BuildError(`${host}: is a directory in the container; choose a file path or end the destination with /`);
    await rm(host, { force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** A directory at `host` (existing one kept, its mode left alone, as `cp -r` does). */
async function mkdirFresh(host: string, mode: number): Promise<void> {
  try {
    const st = await lstat(host);
    if (st.isDirectory()) return;
    await rm(host, { force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(host, { recursive: true });
  await chmod(host, mode);
}

