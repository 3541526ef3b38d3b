// The SSH communicator, on ssh2. It connects lazily and again after the connection drops
// (a provisioner that reboots the machine), retrying until `ssh_timeout` like Packer's
// StepConnectSSH, and when it gives up it says everything it tried. Files move over SFTP;
// servers without the sftp subsystem get plain `cat` through exec, which needs nothing but
// a POSIX shell on the guest (scp would need the scp binary there and the size up front).
import { constants as osConstants } from 'node:os';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { minimatch } from 'minimatch';
import type { ClientChannel, SFTPWrapper, Stats } from 'ssh2';
import { BuildError, CancelledError, errorMessage } from '../../core/errors.js';
import type { Communicator, ExecOptions, ExecResult, UploadOptions } from '../../core/plugin.js';
import { dirUploadTarget, localDirOf, type RemoteKind } from '../upload-rules.js';
import { connectWithRetry, type SshConnection, type SshConnectOptions } from './connect.js';

export type { SshConnectOptions, SshEndpoint } from './connect.js';
export { connectWithRetry, SshConnectError } from './connect.js';
export { generateEd25519KeyPair, generateRsaKeyPair, generateSshKeyPair, type SshKeyPair, type SshKeyType } from './keys.js';

/** The connection dropped while a command ran: a reboot, or the machine went away. */
export class SshDisconnectedError extends BuildError {
  constructor(what: string, endpoint: string) {
    super(
      `ssh: connection to ${endpoint} dropped while running ${what}; if the command reboots or shuts down the machine, set expect_disconnect = true on the provisioner`,
      { code: 'E_COMM_DISCONNECTED' },
    );
  }
}

export class SshCommunicator implements Communicator {
  readonly type = 'ssh';
  private conn: SshConnection | null = null;
  private connecting: Promise<SshConnection> | null = null;
  /** 'none': the server has no sftp subsystem; files go through exec. */
  private sftpState: { conn: SshConnection; sftp: SFTPWrapper | 'none' } | null = null;

  constructor(private readonly opts: SshConnectOptions) {}

  get endpoint(): string {
    return `${this.opts.username}@${this.opts.host}:${this.opts.port}`;
  }

  /** Connects now (the builder's wait-for-SSH step); later calls reuse the connection. */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.connection(signal);
  }

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const conn = await this.connection(opts.signal);
    const full = opts.env && Object.keys(opts.env).length > 0 ? `${envPrefix(opts.env)}${cmd}` : cmd;
    const ch = await this.guard(conn, cmd, openExec(conn, full, this.endpoint, cmd), opts.signal);
    return runChannel(ch, conn, opts, this.endpoint, cmd);
  }

  async upload(dst: string, src: Readable | Buffer, opts: UploadOptions = {}): Promise<void> {
    const conn = await this.connection(opts.signal);
    const stream = Buffer.isBuffer(src) ? Readable.from([src]) : src;
    await this.guard(conn, `upload ${dst}`, this.uploadOn(dst, stream, opts), opts.signal).catch((e: unknown) => {
      stream.destroy();
      throw e;
    });
  }

  private async uploadOn(dst: string, stream: Readable, opts: UploadOptions): Promise<void> {
    const sftp = await this.sftp(opts.signal);
    try {
      if (sftp === 'none') {
        await this.execUpload(dst, stream, opts.mode ?? 0o644, opts.signal);
        return;
      }
      await sftpMkdirp(sftp, path.posix.dirname(dst));
      await pipeline(stream, sftp.createWriteStream(dst, { mode: opts.mode ?? 0o644 }), opts.signal ? { signal: opts.signal } : {});
      // The remote umask narrowed the create mode; set the asked one exactly.
      if (opts.mode !== undefined) await sftpCall<void>((cb) => sftp.chmod(dst, opts.mode ?? 0o644, cb));
    } catch (e) {
      if (sftp !== 'none' && (await this.remoteKind(sftp, dst).catch(() => 'missing')) === 'directory') throw isDirectoryError(dst);
      throw this.transferError('upload', dst, e, opts.signal);
    }
  }

  async uploadDir(dst: string, src: string, opts: { exclude?: string[]; signal?: AbortSignal } = {}): Promise<void> {
    const exclude = opts.exclude ?? [];
    const sftp = await this.sftp(opts.signal);
    const into = dirUploadTarget(src, dst, await this.remoteKind(sftp, dst, opts.signal));
    const walk = async (localDir: string, remoteDir: string, rel: string): Promise<void> => {
      if (opts.signal?.aborted) throw new CancelledError();
      const mode = (await lstat(localDir)).mode & 0o7777;
      await this.mkdirRemote(sftp, remoteDir, mode, opts.signal);
      const entries = (await readdir(localDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
        if (exclude.some((g) => minimatch(relPath, g, { dot: true }))) continue;
        const l = path.join(localDir, e.name);
        const r = path.posix.join(remoteDir, e.name);
        if (e.isDirectory()) await walk(l, r, relPath);
        else if (e.isSymbolicLink()) await this.symlinkRemote(await readlink(l), r, opts.signal);
        else if (e.isFile()) await this.upload(r, createReadStream(l), { mode: (await lstat(l)).mode & 0o7777, ...(opts.signal ? { signal: opts.signal } : {}) });
        // Sockets, fifos and devices are not uploaded, as with Packer's communicators.
      }
    };
    try {
      await this.guard(await this.connection(opts.signal), `upload ${src}`, walk(localDirOf(src), into, ''), opts.signal);
    } catch (e) {
      if (e instanceof BuildError || e instanceof CancelledError) throw e;
      throw this.transferError('upload directory', `${src} to ${dst}`, e, opts.signal);
    }
  }

  async download(src: string, dst: Writable, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const conn = await this.connection(opts.signal);
    await this.guard(conn, `download ${src}`, this.downloadOn(src, dst, opts), opts.signal);
  }

  private async downloadOn(src: string, dst: Writable, opts: { signal?: AbortSignal }): Promise<void> {
    const sftp = await this.sftp(opts.signal);
    try {
      if (sftp === 'none') {
        await this.execDownload(src, dst, opts.signal);
        return;
      }
      const st = await sftpCall<Stats>((cb) => sftp.stat(src, cb));
      if (st.isDirectory()) throw new BuildError(`download ${src}: is a directory; end the source with / to download a directory`);
      await pipeline(sftp.createReadStream(src), dst, opts.signal ? { signal: opts.signal } : {});
    } catch (e) {
      if (e instanceof BuildError) throw e;
      throw this.transferError('download', src, e, opts.signal);
    }
  }

  async downloadDir(src: string, dst: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const sftp = await this.sftp(opts.signal);
    if (sftp === 'none') {
      throw new BuildError(`download ${src}: ${this.endpoint} has no sftp subsystem, which directory downloads need; enable "Subsystem sftp" in the guest's sshd_config`);
    }
    const into = src.endsWith('/') ? dst : path.join(dst, path.posix.basename(src));
    const walk = async (remote: string, local: string): Promise<void> => {
      if (opts.signal?.aborted) throw new CancelledError();
      const st = await sftpCall<Stats>((cb) => sftp.stat(remote, cb));
      if (!st.isDirectory()) throw new BuildError(`download ${remote}: not a directory on ${this.endpoint}`);
      await mkdir(local, { recursive: true, mode: st.mode & 0o7777 });
      const list = await sftpCall<{ filename: string; attrs: Stats }[]>((cb) => sftp.readdir(remote, cb));
      for (const e of list.sort((a, b) => (a.filename < b.filename ? -1 : 1))) {
        const r = path.posix.join(remote, e.filename);
        const l = path.join(local, e.filename);
        if (e.attrs.isDirectory()) await walk(r, l);
        else if (e.attrs.isFile()) {
          await pipeline(sftp.createReadStream(r), createWriteStream(l, { mode: e.attrs.mode & 0o7777 }), opts.signal ? { signal: opts.signal } : {});
        }
      }
    };
    try {
      await this.guard(await this.connection(opts.signal), `download ${src}`, walk(src.endsWith('/') ? src.slice(0, -1) || '/' : src, into), opts.signal);
    } catch (e) {
      if (e instanceof BuildError) throw e;
      throw this.transferError('download directory', src, e, opts.signal);
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    this.sftpState = null;
    if (c) c.close();
    await Promise.resolve();
  }

  /* -------------------------------------------------------------------------------------- */

  /**
   * `p`, or a disconnect error as soon as `conn` is gone (ssh2 never answers it then), or
   * a cancel as soon as `signal` aborts (a Ctrl-C must not wait on a dead connection).
   */
  private guard<T>(conn: SshConnection, what: string, p: Promise<T>, signal?: AbortSignal): Promise<T> {
    const gone = conn.whenClosed.then((): never => {
      throw new SshDisconnectedError(JSON.stringify(firstLine(what)), this.endpoint);
    });
    gone.catch(() => undefined);
    if (signal === undefined) return Promise.race([p, gone]);
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new CancelledError());
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    return Promise.race([p, gone, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
  }

  private async connection(signal?: AbortSignal): Promise<SshConnection> {
    if (this.conn && !this.conn.closed) return this.conn;
    this.conn = null;
    this.connecting ??= connectWithRetry(this.opts, signal).finally(() => {
      this.connecting = null;
    });
    const conn = await this.connecting;
    this.conn = conn;
    return conn;
  }

  private async sftp(signal?: AbortSignal): Promise<SFTPWrapper | 'none'> {
    const conn = await this.connection(signal);
    if (this.sftpState && this.sftpState.conn === conn) return this.sftpState.sftp;
    const sftp = await this.guard(
      conn,
      'sftp',
      new Promise<SFTPWrapper | 'none'>((resolve) => {
        conn.client.sftp((err, s) => resolve(err ? 'none' : s));
      }),
      signal,
    );
    this.sftpState = { conn, sftp };
    return sftp;
  }

  private async execUpload(dst: string, src: Readable, mode: number, signal?: AbortSignal): Promise<void> {
    const dir = path.posix.dirname(dst);
    // Written beside the target and renamed, so a half-sent file never takes its place.
    const tmp = `${dst}.imgbuild-upload`;
    // scp and docker cp refuse a file onto a directory; a bare `mv` would move it inside.
    const cmd = `if [ -d ${shq(dst)} ]; then echo ${shq(IS_A_DIRECTORY)} >&2; exit 1; fi; mkdir -p ${shq(dir)} && cat > ${shq(tmp)} && chmod ${mode.toString(8)} ${shq(tmp)} && mv -f ${shq(tmp)} ${shq(dst)}`;
    let stderr = '';
    const res = await this.exec(cmd, { stdin: src, onStderr: (c) => (stderr += c), ...(signal ? { signal } : {}) });
    if (res.exitCode !== 0) throw new BuildError(`upload ${dst} to ${this.endpoint}: ${stderr.trim() || `exit status ${res.exitCode}`}`);
  }

  private async execDownload(src: string, dst: Writable, signal?: AbortSignal): Promise<void> {
    let stderr = '';
    const conn = await this.connection(signal);
    const cmd = `if [ -d ${shq(src)} ]; then echo 'is a directory; end the source with / to download a directory' >&2; exit 21; fi; cat ${shq(src)}`;
    const ch = await openExec(conn, cmd, this.endpoint, `download ${src}`);
    // The local write must be finished, not just the channel closed, before we return.
    const written = pipeline(ch, dst);
    // Awaited below; when the command fails first, its error is the one that matters.
    written.catch(() => undefined);
    const res = await runChannel(ch, conn, { onStderr: (c) => (stderr += c), ...(signal ? { signal } : {}) }, this.endpoint, `download ${src}`, false);
    await written;
    if (res.exitCode !== 0) throw new BuildError(`download ${src} from ${this.endpoint}: ${stderr.trim() || `exit status ${res.exitCode}`}`);
  }

  /** What `p` is on the target, following symlinks as scp's stat does. */
  private async remoteKind(sftp: SFTPWrapper | 'none', p: string, signal?: AbortSignal): Promise<RemoteKind> {
    if (sftp !== 'none') {
      const st = await sftpCall<Stats>((cb) => sftp.stat(p, cb)).catch(() => null);
      return st === null ? 'missing' : st.isDirectory() ? 'directory' : 'other';
    }
    let out = '';
    const q = shq(p);
    await this.exec(`if [ -d ${q} ]; then echo directory; elif [ -e ${q} ]; then echo other; else echo missing; fi`, { onStdout: (c) => (out += c), ...(signal ? { signal } : {}) });
    const kind = out.trim();
    return kind === 'directory' || kind === 'other' ? kind : 'missing';
  }

  private async mkdirRemote(sftp: SFTPWrapper | 'none', dir: string, mode: number, signal?: AbortSignal): Promise<void> {
    if (sftp === 'none') {
      const res = await this.exec(`mkdir -p ${shq(dir)} && chmod ${mode.toString(8)} ${shq(dir)}`, signal ? { signal } : {});
      if (res.exitCode !== 0) throw new BuildError(`upload: cannot create directory ${dir} on ${this.endpoint} (exit status ${res.exitCode})`);
      return;
    }
    await sftpMkdirp(sftp, dir);
    await sftpCall<void>((cb) => sftp.chmod(dir, mode, cb));
  }

  private async symlinkRemote(target: string, linkPath: string, signal?: AbortSignal): Promise<void> {
    // Through the shell rather than SFTP: OpenSSH's sftp-server swaps SYMLINK's arguments.
    const res = await this.exec(`ln -sfn ${shq(target)} ${shq(linkPath)}`, signal ? { signal } : {});
    if (res.exitCode !== 0) throw new BuildError(`upload: cannot create symlink ${linkPath} on ${this.endpoint} (exit status ${res.exitCode})`);
  }

  private transferError(op: string, what: string, e: unknown, signal?: AbortSignal): Error {
    if (signal?.aborted) return new CancelledError();
    if (e instanceof BuildError || e instanceof CancelledError) return e;
    return new BuildError(`${op} ${what} on ${this.endpoint}: ${sftpMessage(e)}`, { cause: e });
  }
}

/* ------------------------------------------------------------------------------------------ */

function openExec(conn: SshConnection, cmd: string, endpoint: string, what: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      conn.client.exec(cmd, (err, ch) => {
        if (err) {
          if (conn.closed) reject(new SshDisconnectedError(JSON.stringify(firstLine(what)), endpoint));
          else reject(new BuildError(`ssh: cannot start a command on ${endpoint}: ${err.message}`, { cause: err }));
        } else resolve(ch);
      });
    } catch {
      // ssh2 throws synchronously when the socket is already gone.
      conn.markClosed();
      reject(new SshDisconnectedError(JSON.stringify(firstLine(what)), endpoint));
    }
  });
}

function runChannel(
  ch: ClientChannel,
  conn: SshConnection,
  opts: ExecOptions,
  endpoint: string,
  what: string,
  emitStdout = true,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let code: number | undefined;
    let sig: string | undefined;
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    if (emitStdout) ch.on('data', (d: Buffer) => opts.onStdout?.(out.write(d)));
    ch.stderr.on('data', (d: Buffer) => opts.onStderr?.(err.write(d)));
    ch.on('exit', (c: number | null, s?: string) => {
      if (c !== null && c !== undefined) code = c;
      else if (s !== undefined) sig = s.startsWith('SIG') ? s : `SIG${s}`;
    });
    let settled = false;
    const onAbort = (): void => {
      // sshd kills the command's process group on a "signal" request (OpenSSH >= 7.9, and
      // not in root sessions, which it refuses); the channel is closed without waiting for
      // the command, since one that survives must not hold the build.
      signalChannel(ch, 'KILL');
      ch.close();
      settled = true;
      reject(new CancelledError());
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      opts.signal?.removeEventListener('abort', onAbort);
      settled = true;
      const tailOut = out.end();
      const tailErr = err.end();
      if (emitStdout && tailOut) opts.onStdout?.(tailOut);
      if (tailErr) opts.onStderr?.(tailErr);
      if (code !== undefined) return resolve({ exitCode: code });
      if (sig !== undefined) {
        const n = (osConstants.signals as Record<string, number | undefined>)[sig];
        return resolve({ exitCode: n === undefined ? 255 : 128 + n, signal: sig });
      }
      // No exit status and no signal: the connection went away under the command.
      conn.markClosed();
      reject(new SshDisconnectedError(JSON.stringify(firstLine(what)), endpoint));
    };
    ch.on('close', () => {
      if (!settled) finish();
    });
    // A connection that dies under the command (a reboot, a keepalive timeout) may never
    // close the channel: the exit status, if it came, still counts.
    void conn.whenClosed.then(() => {
      if (!settled) finish();
    });
    if (opts.signal?.aborted) onAbort();
    if (opts.stdin === undefined) ch.end();
    else if (typeof opts.stdin === 'string') ch.end(opts.stdin);
    else {
      opts.stdin.on('error', () => ch.close());
      opts.stdin.pipe(ch);
    }
  });
}

/**
 * ssh2's Channel.signal() sends nothing once our side of the channel is ended, which it is
 * as soon as stdin is done; the protocol call underneath has no such condition.
 */
function signalChannel(ch: ClientChannel, name: string): void {
  const inner = ch as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal(id: number, s: string): void } } };
  try {
    const id = inner.outgoing?.id;
    if (id !== undefined && (inner.outgoing?.state === 'open' || inner.outgoing?.state === 'eof')) inner._client?._protocol?.signal(id, name);
    else ch.signal(name);
  } catch {
    /* the channel or connection is already gone */
  }
}

const IS_A_DIRECTORY = 'is a directory on the target; end the destination with / to upload into it';

function isDirectoryError(dst: string): BuildError {
  return new BuildError(`upload ${dst}: ${IS_A_DIRECTORY}`);
}

function firstLine(s: string): string {
  const l = s.split('\n')[0] ?? '';
  return l.length > 80 ? `${l.slice(0, 77)}...` : l;
}

function sftpCall<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

async function sftpMkdirp(sftp: SFTPWrapper, dir: string): Promise<void> {
  if (dir === '/' || dir === '.' || dir === '') return;
  try {
    const st = await sftpCall<Stats>((cb) => sftp.stat(dir, cb));
    if (st.isDirectory()) return;
    throw new BuildError(`upload: ${dir} exists and is not a directory`);
  } catch (e) {
    if (e instanceof BuildError) throw e;
  }
  await sftpMkdirp(sftp, path.posix.dirname(dir));
  await sftpCall<void>((cb) => sftp.mkdir(dir, cb)).catch(async (e: unknown) => {
    // Lost a race with another creator, or it exists now: only a missing directory is a failure.
    const st = await sftpCall<Stats>((cb) => sftp.stat(dir, cb)).catch(() => null);
    if (!st?.isDirectory()) throw e;
  });
}

/** ssh2's SFTP errors carry a numeric status code; give the OpenSSH wording. */
function sftpMessage(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 2) return 'no such file or directory';
  if (code === 3) return 'permission denied';
  return errorMessage(e);
}

function envPrefix(env: Record<string, string>): string {
  // sshd drops most variables sent with the env request (AcceptEnv), so they go in the command.
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${shq(v)}; `)
    .join('');
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}
