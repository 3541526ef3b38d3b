// Everything the qemu builder does to the host, behind one interface so its steps can be
// unit-tested with a fake: downloads and hashes, qemu-img, the KVM probe, the QEMU process,
// QMP, CD images, the HTTP server and the SSH communicator.
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, openSync, closeSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rename, rm, writeFile, access, constants as fsConstants } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { BuildError, CancelledError, EnvironmentError, errorMessage } from '../../src/core/errors.js';
import { processHandle } from '../../src/core/journal-kinds.js';
import { SshCommunicator, type SshConnectOptions } from '../../src/communicators/ssh/index.js';
import type { ConnectableCommunicator, SshConnector } from '../../src/communicators/ssh/steps/step-connect.js';
import { defaultCacheDir } from '../../src/oci/cache-dir.js';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from '../../src/vm/http-server.js';
import { makeFloppy } from '../../src/vm/floppy.js';
import { makeIso, type IsoSpec } from '../../src/vm/iso.js';
import { connectQmp, type Qmp } from '../../src/vm/qmp.js';
import type { FloppySpec } from './config.js';

const execFileP = promisify(execFile);

export interface QemuProcess {
  readonly pid: number;
  /** What the resource journal records for it (pid and start time: see processHandle). */
  readonly journalHandle: Record<string, string>;
  /** Resolves when QEMU exits, with its exit code (null when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  readonly running: boolean;
  kill(signal: NodeJS.Signals): void;
}

/** A communicator that can be told to connect now (the shared wait-for-SSH step). */
export type VmCommunicator = ConnectableCommunicator;

export interface QemuDriver extends SshConnector {
  readonly cacheDir: string;
  download(url: string, dest: string, signal: AbortSignal): Promise<void>;
  hashFile(file: string, algorithm: string, signal: AbortSignal): Promise<string>;
  /** Runs qemu-img; returns stdout. */
  qemuImg(args: string[], signal: AbortSignal): Promise<string>;
  /** true only when a guest really runs under KVM here (see kvmWorks). */
  kvmWorks(qemuBinary: string): Promise<boolean>;
  freePort(): Promise<number>;
  spawnQemu(binary: string, args: string[], logFile: string): Promise<QemuProcess>;
  /** A FAT floppy image (floppy_files, floppy_dirs, floppy_content). */
  makeFloppy(spec: FloppySpec, out: string, signal: AbortSignal): Promise<void>;
  connectQmp(socketPath: string, signal: AbortSignal): Promise<Qmp>;
  makeIso(spec: IsoSpec, staging: string, out: string, signal: AbortSignal): Promise<void>;
  startHttp(opts: HttpServerOptions): Promise<HttpServerHandle>;
  communicator(opts: SshConnectOptions): VmCommunicator;
  copyFile(src: string, dst: string): Promise<void>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export class HostQemuDriver implements QemuDriver {
  constructor(readonly cacheDir: string = defaultCacheDir()) {}

  async download(url: string, dest: string, signal: AbortSignal): Promise<void> {
    const part = `${dest}.part`;
    try {
      const res = await fetch(url, { signal });
      if (!res.ok || !res.body) throw new BuildError(`download ${url}: HTTP ${res.status} ${res.statusText}; check the URL, or download the file yourself and give its path`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(part), { signal });
      await rename(part, dest);
    } catch (e) {
      await rm(part, { force: true });
      if (signal.aborted) throw new CancelledError();
      if (e instanceof BuildError) throw e;
      throw new BuildError(`download ${url}: ${errorMessage(e)}; check the URL and the network, or download it yourself and give its path`, { cause: e });
    }
  }

  async hashFile(file: string, algorithm: string, signal: AbortSignal): Promise<string> {
    const h = createHash(algorithm);
    await pipeline(createReadStream(file), h, { signal });
    return h.digest('hex');
  }

  async qemuImg(args: string[], signal: AbortSignal): Promise<string> {
    try {
      const { stdout } = await execFileP('qemu-img', args, { signal, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (e) {
      if (signal.aborted) throw new CancelledError();
      const stderr = (e as { stderr?: unknown }).stderr;
      const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : errorMessage(e);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new EnvironmentError('qemu-img not found; install it with apt-get install qemu-utils');
      throw new BuildError(`qemu-img ${args[0] ?? ''}: ${detail}`, { cause: e });
    }
  }

  /**
   * /dev/kvm opening is not enough: under some nested hypervisors KVM runs real-mode and
   * long-mode test code but hangs real kernels. So a guest is booted: a boot sector that
   * enters long mode and writes to the serial port, then, when the host has a kernel in
   * /boot, that kernel until it prints its banner. Either failing means TCG.
   */
  async kvmWorks(qemuBinary: string): Promise<boolean> {
    try {
      await access('/dev/kvm', fsConstants.R_OK | fsConstants.W_OK);
    } catch {
      return false;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'imgbuild-kvm-probe-'));
    try {
      const sector = path.join(dir, 'probe.raw');
      const code = Buffer.from(PROBE_SECTOR_HEX, 'hex');
      const img = Buffer.alloc(512);
      code.copy(img);
      img[510] = 0x55;
      img[511] = 0xaa;
      await writeFile(sector, img);
      const sectorOk = await runProbe(qemuBinary, ['-drive', `file=${sector},format=raw,if=ide`], path.join(dir, 'sector.out'), 'B', 5_000);
      if (!sectorOk) return false;
      const kernel = (await readdir('/boot').catch(() => [] as string[])).filter((f) => f.startsWith('vmlinuz')).sort().pop();
      if (kernel === undefined) return true;
      return await runProbe(
        qemuBinary,
        ['-m', '256', '-kernel', path.join('/boot', kernel), '-append', 'console=ttyS0 earlyprintk=ttyS0 panic=-1'],
        path.join(dir, 'kernel.out'),
        'Linux version',
        5_000,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const port = typeof a === 'object' && a ? a.port : 0;
        s.close(() => resolve(port));
      });
    });
  }

  spawnQemu(binary: string, args: string[], logFile: string): Promise<QemuProcess> {
    return spawnLogged(binary, args, logFile, `${binary} not found; install it with apt-get install qemu-system-x86 or set qemu_binary`);
  }

  makeFloppy(spec: FloppySpec, out: string, signal: AbortSignal): Promise<void> {
    return makeFloppy(spec, out, signal);
  }

  connectQmp(socketPath: string, signal: AbortSignal): Promise<Qmp> {
    return connectQmp(socketPath, { timeoutMs: 15_000, signal });
  }

  makeIso(spec: IsoSpec, staging: string, out: string, signal: AbortSignal): Promise<void> {
    return makeIso(spec, staging, out, signal);
  }

  startHttp(opts: HttpServerOptions): Promise<HttpServerHandle> {
    return startHttpServer(opts);
  }

  communicator(opts: SshConnectOptions): VmCommunicator {
    return new SshCommunicator(opts);
  }

  copyFile(src: string, dst: string): Promise<void> {
    return copyFile(src, dst);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new CancelledError());
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(new CancelledError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Real mode -> long mode with identity paging, writing "A" then "B" to COM1, then hlt. */
const PROBE_SECTOR_HEX =
  'fa31c08ed88ec08ed0bc007cbaf803b041eebf0010b9003031c0f3aa66c70600100320000066c70600200330000066c7060030830000000f0116907c0f20e06683c8200f22e066b8001000000f22d866b9800000c00f32660d000100000f300f20c0660d010000800f22c0ea707c080066baf803b042eef4ebfd660f1f440000000000000000000000000000009a20000f00807c';

async function runProbe(binary: string, extra: string[], serialFile: string, expect: string, timeoutMs: number): Promise<boolean> {
  const child = spawn(
    binary,
    ['-accel', 'kvm', '-machine', 'pc', '-m', '64', '-display', 'none', '-nodefaults', '-no-reboot', '-serial', `file:${serialFile}`, ...extra],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => {
    child.once('exit', () => r());
    child.once('error', () => r());
  });
  const deadline = Date.now() + timeoutMs;
  let ok = false;
  while (Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 100));
    const out = await readFile(serialFile, 'utf8').catch(() => '');
    if (out.includes(expect)) {
      ok = true;
      break;
    }
  }
  child.kill('SIGKILL');
  await exited;
  return ok;
}

/** A long-running helper process with its output in `logFile`, journaled by its caller. */
async function spawnLogged(binary: string, args: string[], logFile: string, missing: string): Promise<QemuProcess> {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 127, signal: null }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) =>
        reject(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? new EnvironmentError(missing)
            : new BuildError(`start ${binary}: ${e.message}`, { cause: e }),
        ),
      );
    });
    let running = true;
    void exited.then(() => (running = false));
    const pid = child.pid ?? 0;
    return {
      pid,
      journalHandle: await processHandle(pid),
      exited,
      get running() {
        return running;
      },
      kill: (sig) => {
        if (running) child.kill(sig);
      },
    };
  } finally {
    closeSync(fd);
  }
}
