/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
// The qemu builder's steps against a fake driver: what each step asks of the host, the
// errors it gives, and that everything it creates is gone after success, failure and abort
// (the runner unwinds the cleanups; the fake records what is still alive).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BuildError } from '../../src/core/errors.js';
import { MemorySink, makeUi } from '../../src/core/events.js';
import { FORCE } from '../../src/core/orchestrator.js';
import type { Communicator, ExecOptions, ExecResult, Step, StepContext } from '../../src/core/plugin.js';
import { PROVISION_STEP } from '../../src/core/plugin.js';
import { COMMUNICATOR, GENERATED_DATA } from '../../src/core/build-state.js';
import { runSteps } from '../../src/core/runner.js';
import { StateBag } from '../../src/core/state.js';
import { rawConfig } from '../../src/core/testing.js';
import type { SshConnectOptions } from '../../src/communicators/ssh/connect.js';
import type { HttpServerHandle, HttpServerOptions } from '../../src/vm/http-server.js';
import type { FloppySpec } from './config.js';
import type { IsoSpec } from '../../src/vm/iso.js';
import type { Qmp } from '../../src/vm/qmp.js';
import { prepareQemu, type QemuConfig } from './config.js';
import type { QemuDriver, QemuProcess, VmCommunicator } from './driver.js';
import { qemuArtifact, qemuSteps } from './index.js';
import { QEMU_ACCELERATOR, QEMU_BUILD_DIR, QEMU_DISK, QEMU_SOURCE, QEMU_VM } from './state.js';
import { StepAccelerator } from './steps/step-accelerator.js';
import { StepBuildDir } from './steps/step-build-dir.js';
import { StepConnect } from './steps/step-connect.js';
import { StepCreateDisk } from './steps/step-create-disk.js';
import { StepDownload, checksumFromFile } from './steps/step-download.js';
import { StepResizeDisk } from './steps/step-resize-disk.js';
import { StepRunQemu } from './steps/step-run-qemu.js';
import { StepShutdown } from './steps/step-shutdown.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-qemu-steps-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

function config(values: Record<string, unknown> = {}): QemuConfig {
  const dir = path.join(work, `t${++n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'base.qcow2'), 'image');
  const prepared = prepareQemu(
    rawConfig({ iso_url: 'base.qcow2', iso_checksum: 'none', disk_image: true, ssh_username: 'root', ssh_password: 'pw', boot_wait: '0s', ...values }),
    { templateDir: dir, sourceFullName: 'qemu.vm', buildName: '' },
  );
  if (!prepared.config) throw new Error(JSON.stringify(prepared.errors));
  return prepared.config;
}

class FakeProcess implements QemuProcess {
  readonly pid = 4242;
  readonly journalHandle = { pid: '4242' };
  running = true;
  private done!: (v: { code: number | null; signal: string | null }) => void;
  readonly exited = new Promise<{ code: number | null; signal: string | null }>((r) => (this.done = r));
  readonly signals: string[] = [];
  /** false: ignores SIGTERM (a wedged VM). */
  constructor(private readonly obeys = true) {}
  kill(sig: NodeJS.Signals): void {
    this.signals.push(sig);
    if (sig === 'SIGKILL' || this.obeys) this.exit(null, sig);
  }
  exit(code: number | null, signal: string | null = null): void {
    if (!this.running) return;
    this.running = false;
    this.done({ code, signal });
  }
}

class FakeComm implements VmCommunicator {
  readonly type = 'ssh';
  closed = 0;
  commands: string[] = [];
  constructor(
    private readonly onExec: (cmd: string) => Promise<ExecResult> = async () => ({ exitCode: 0 }),
    private readonly connectFails: Error | null = null,
  ) {}
  async connect(): Promise<void> {
    if (this.connectFails) throw this.connectFails;
  }
  async exec(cmd: string, _opts?: ExecOptions): Promise<ExecResult> {
    this.commands.push(cmd);
    return this.onExec(cmd);
  }
  async upload(): Promise<void> {}
  async uploadDir(): Promise<void> {}
  async download(): Promise<void> {}
  async close(): Promise<void> {
    this.closed++;
  }
}

class FakeDriver implements QemuDriver {
  readonly cacheDir: string;
  calls: string[][] = [];
  kvm = false;
  proc = new FakeProcess();
  qmpCommands: string[] = [];
  httpOpen = 0;
  comm = new FakeComm();
  commOpts: SshConnectOptions | null = null;
  virtualSize = 1024;
  hashes: Record<string, string> = {};
  /** Quit over QMP makes QEMU exit, as it does. */
  quitExits = true;

  constructor() {
    this.cacheDir = path.join(work, `cache${++n}`);
  }
  async download(url: string, dest: string): Promise<void> {
    this.calls.push(['download', url]);
    writeFileSync(dest, `from ${url}`);
  }
  async hashFile(file: string): Promise<string> {
    return this.hashes[path.basename(file)] ?? 'beef';
  }
  async qemuImg(args: string[]): Promise<string> {
    this.calls.push(['qemu-img', ...args]);
    if (args[0] === 'info') return JSON.stringify({ format: 'qcow2', 'virtual-size': this.virtualSize });
    const out = args[args.length - 1];
    if ((args[0] === 'create' || args[0] === 'convert') && out) writeFileSync(out, 'disk');
    return '';
  }
  async kvmWorks(): Promise<boolean> {
    return this.kvm;
  }
  async freePort(): Promise<number> {
    return 40022;
  }
  async spawnQemu(binary: string, args: string[]): Promise<QemuProcess> {
    this.calls.push([binary, ...args]);
    return this.proc;
  }
  async connectQmp(): Promise<Qmp> {
    return {
      events: [],
      execute: async <T>(cmd: string): Promise<T> => {
        this.qmpCommands.push(cmd);
        if (cmd === 'quit' && this.quitExits) this.proc.exit(0);
        return {} as T;
      },
      close: () => undefined,
    };
  }
  async makeIso(spec: IsoSpec, _staging: string, out: string): Promise<void> {
    this.calls.push(['iso', spec.label, JSON.stringify(spec.content)]);
    writeFileSync(out, 'iso');
  }
  async makeFloppy(spec: FloppySpec, out: string): Promise<void> {
    this.calls.push(['floppy', spec.label, JSON.stringify(spec.content)]);
    writeFileSync(out, 'floppy');
  }
  async startHttp(_opts: HttpServerOptions): Promise<HttpServerHandle> {
    this.httpOpen++;
    return { port: 8123, close: async () => void this.httpOpen-- };
  }
  communicator(opts: SshConnectOptions): VmCommunicator {
    this.commOpts = opts;
    return this.comm;
  }
  async copyFile(): Promise<void> {}
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new BuildError('aborted');
    if (ms > 0) await new Promise((r) => setTimeout(r, 1));
  }
}

function context(sink = new MemorySink(), signal = new AbortController().signal): StepContext & { sink: MemorySink; journaled: Set<string> } {
  const journaled = new Set<string>();
  let id = 0;
  return {
    sink,
    journaled,
    state: new StateBag(),
    signal,
    ui: makeUi('qemu.vm', sink),
    journal: {
      record: async (kind, handle, description) => {
        const e = { id: String(++id), kind, handle, description, build: 'qemu.vm', runId: 'r', createdAt: '' };
        journaled.add(`${kind}:${JSON.stringify(handle)}`);
        return e;
      },
      complete: async (e) => e,
      strike: async (e) => void journaled.delete(`${e.kind}:${JSON.stringify(e.handle)}`),
    },
    build: { buildName: '', sourceFullName: 'qemu.vm', sourceType: 'qemu', sourceName: 'vm', runId: 'run0123456789', templateDir: work },
  };
}

/** The builder's steps with PROVISION_STEP replaced by `provision`. */
function steps(c: QemuConfig, d: FakeDriver, provision: Step = { name: 'provision', run: async () => undefined }): Step[] {
  return qemuSteps(c, d).map((s) => (s === PROVISION_STEP ? provision : s));
}

describe('the whole step list with a fake host', () => {
  test('a successful build leaves the output and nothing else: VM stopped, build dir gone, journal struck', async () => {
    const c = config({ shutdown_command: 'poweroff', http_content: { '/seed': 'x' }, cd_content: { 'user-data': 'key: {{ .SSHPublicKey }}' }, format: 'qcow2', disk_compression: true });
    const d = new FakeDriver();
    d.comm = new FakeComm(async (cmd) => {
      if (cmd === 'poweroff') d.proc.exit(0);
      return { exitCode: 0 };
    });
    const ctx = context();
    let buildDir = '';
    await runSteps(
      steps(c, d, {
        name: 'provision',
        run: async (x) => {
          buildDir = x.state.require(QEMU_BUILD_DIR);
          expect(x.state.get(COMMUNICATOR)).toBe(d.comm);
          expect(x.state.get(GENERATED_DATA)).toMatchObject({ Host: '127.0.0.1', Port: 40022, User: 'root', PackerHTTPAddr: '10.0.2.2:8123' });
        },
      }),
      ctx,
    );
    expect(existsSync(buildDir)).toBe(false);
    expect(existsSync(path.join(c.outputDirectory, c.vmName))).toBe(true);
    expect(d.proc.running).toBe(false);
    expect(d.httpOpen).toBe(0);
    expect(d.comm.closed).toBeGreaterThan(0);
    expect(ctx.journaled.size).toBe(0);
    const convert = d.calls.find((x) => x[1] === 'convert' && x.includes('-c'));
    expect(convert?.slice(-1)[0]).toBe(path.join(c.outputDirectory, c.vmName));
    // A password build has no temporary key: the placeholder is left for the user to see.
    expect(d.calls.find((x) => x[0] === 'iso')?.[2]).toContain('{{ .SSHPublicKey }}');
    const artifact = qemuArtifact(c, ctx.state);
    expect(artifact).toMatchObject({ builderId: 'transcend.qemu', id: 'packer-vm', files: [path.join(c.outputDirectory, 'packer-vm')] });
  });

  test('a failing provisioner: QEMU is stopped, the HTTP server closed, the build dir removed, no output', async () => {
    const c = config({ http_directory: '.' });
    const d = new FakeDriver();
    const ctx = context();
    let buildDir = '';
    await expect(
      runSteps(
        steps(c, d, {
          name: 'provision',
          run: async (x) => {
            buildDir = x.state.require(QEMU_BUILD_DIR);
            throw new BuildError('script failed');
          },
        }),
        ctx,
      ),
    ).rejects.toThrow('script failed');
    expect(d.proc.running).toBe(false);
    expect(d.qmpCommands).toContain('quit');
    expect(d.httpOpen).toBe(0);
    expect(existsSync(buildDir)).toBe(false);
    expect(existsSync(c.outputDirectory)).toBe(false);
    expect(ctx.journaled.size).toBe(0);
  });

  test('a temporary key is generated when no credentials are given and rendered into cd_content', async () => {
    const c = config({ ssh_password: undefined, cd_content: { 'user-data': 'ssh_authorized_keys: ["{{ .SSHPublicKey }}"]' } });
    expect(c.ssh.temporaryKey).toBe(true);
    const d = new FakeDriver();
    const ctx = context();
    await runSteps(
      steps(c, d, {
        name: 'provision',
        run: async (x) => {
          expect(String(x.state.get(GENERATED_DATA)?.['SSHPrivateKey'])).toContain('BEGIN OPENSSH PRIVATE KEY');
        },
      }),
      ctx,
    );
    expect(d.calls.find((x) => x[0] === 'iso')?.[2]).toMatch(/ssh_authorized_keys: \[\\"ssh-ed25519 AAAA[^"]+ imgbuild-run01234\\"\]/);
    expect(d.commOpts?.privateKey).toContain('OPENSSH PRIVATE KEY');
    expect(d.commOpts?.password).toBeUndefined();
  });
});

describe('steps', () => {
  test('an existing output_directory is refused without -force and replaced with it', async () => {
    const c = config();
    mkdirSync(c.outputDirectory, { recursive: true });
    const d = new FakeDriver();
    const step = new StepBuildDir(c, d);
    await expect(step.run(context())).rejects.toThrow(`output_directory ${c.outputDirectory} already exists; remove it, choose another output_directory, or run with -force to replace it`);
    const ctx = context();
    ctx.state.set(FORCE, true);
    await step.run(ctx);
    expect(existsSync(c.outputDirectory)).toBe(false);
    await step.cleanup(ctx);
  });

  test('a checksum mismatch names the file, both digests and the likely cause', async () => {
    const c = config({ iso_checksum: 'sha256:abcd' });
    const d = new FakeDriver();
    d.hashes['base.qcow2'] = 'ffff';
    await expect(new StepDownload(c, d).run(context())).rejects.toThrow(/iso_checksum: .*base\.qcow2 has sha256 ffff, expected abcd; the file is corrupt/);
  });

  test('http sources are downloaded once into the cache, then reused after verification; iso_urls fall through', async () => {
    const c = config({ iso_url: 'http://127.0.0.1:1/missing.img', iso_urls: ['https://example.invalid/base.img'], iso_checksum: 'md5:0123456789abcdef0123456789abcdef' });
    const d = new FakeDriver();
    d.download = async (url: string, dest: string) => {
      d.calls.push(['download', url]);
      if (url.includes('missing')) throw new BuildError('download failed: HTTP 404');
      writeFileSync(dest, 'img');
    };
    d.hashFile = async () => '0123456789abcdef0123456789abcdef';
    const ctx = context();
    await new StepDownload(c, d).run(ctx);
    const file = ctx.state.require(QEMU_SOURCE);
    expect(file.startsWith(path.join(d.cacheDir, 'downloads'))).toBe(true);
    expect(file.endsWith('-base.img')).toBe(true);
    const second = context();
    await new StepDownload(c, d).run(second);
    expect(second.state.require(QEMU_SOURCE)).toBe(file);
    expect(d.calls.filter((x) => x[0] === 'download' && x[1]?.includes('example'))).toHaveLength(1);
  });

  test('iso_checksum = "file:..." takes the digest for the image from a GNU or BSD checksum file', async () => {
    const sums = path.join(work, `SHA256SUMS${++n}`);
    writeFileSync(sums, `${'a'.repeat(64)}  other.img\n${'b'.repeat(64)} *base.qcow2\n`);
    const d = new FakeDriver();
    d.hashFile = async () => 'b'.repeat(64);
    await new StepDownload(config({ iso_checksum: `file:${sums}` }), d).run(context());
    d.hashFile = async () => 'c'.repeat(64);
    await expect(new StepDownload(config({ iso_checksum: `file:${sums}` }), d).run(context())).rejects.toThrow(`has sha256 ${'c'.repeat(64)}, expected ${'b'.repeat(64)}`);
    expect(checksumFromFile(`SHA512 (dir/base.qcow2) = ${'D'.repeat(128)}\n`, 'base.qcow2')).toEqual({ algorithm: 'sha512', hex: 'd'.repeat(128) });
    writeFileSync(sums, `${'a'.repeat(64)}  other.img\n`);
    await expect(new StepDownload(config({ iso_checksum: `file:${sums}` }), d).run(context())).rejects.toThrow(`iso_checksum: checksum file ${sums} has no line for base.qcow2`);
  });

  test('use_backing_file makes a qcow2 overlay naming the source and its format', async () => {
    const c = config({ use_backing_file: true });
    const d = new FakeDriver();
    const ctx = context();
    ctx.state.set(QEMU_BUILD_DIR, work);
    ctx.state.set(QEMU_SOURCE, '/images/base.qcow2');
    await new StepCreateDisk(c, d).run(ctx);
    expect(d.calls.find((x) => x[1] === 'create')).toEqual(['qemu-img', 'create', '-f', 'qcow2', '-b', '/images/base.qcow2', '-F', 'qcow2', path.join(work, 'disk.qcow2')]);
  });

  test('disk_size grows the disk and refuses to shrink it', async () => {
    const d = new FakeDriver();
    d.virtualSize = 2 * 1024 ** 3;
    const ctx = context();
    ctx.state.set(QEMU_DISK, '/d.qcow2');
    await new StepResizeDisk(config({ disk_size: '4G' }), d).run(ctx);
    expect(d.calls.find((x) => x[1] === 'resize')).toEqual(['qemu-img', 'resize', '-f', 'qcow2', '/d.qcow2', String(4 * 1024 ** 3)]);
    await expect(new StepResizeDisk(config({ disk_size: '1024' }), d).run(ctx)).rejects.toThrow(/disk_size: 1073741824 bytes is smaller than the image's 2147483648 bytes/);
  });

  test('accelerator: KVM only when the probe boots a guest; an explicit kvm that fails is an error', async () => {
    const d = new FakeDriver();
    const ctx = context();
    await new StepAccelerator(config(), d).run(ctx);
    expect(ctx.state.get(QEMU_ACCELERATOR)).toBe('tcg');
    d.kvm = true;
    await new StepAccelerator(config(), d).run(ctx);
    expect(ctx.state.get(QEMU_ACCELERATOR)).toBe('kvm');
    d.kvm = false;
    await expect(new StepAccelerator(config({ accelerator: 'kvm' }), d).run(ctx)).rejects.toMatchObject({ code: 'E_KVM' });
  });

  test('QEMU dying while SSH is awaited ends the wait with its exit status and the serial console tail', async () => {
    const c = config();
    const d = new FakeDriver();
    const ctx = context();
    const serialLog = path.join(work, `serial${++n}.log`);
    writeFileSync(serialLog, 'booting\nKernel panic - not syncing: VFS: Unable to mount root fs\n');
    const qemuLog = path.join(work, `qemu${n}.log`);
    writeFileSync(qemuLog, '');
    ctx.state.set(QEMU_VM, { process: d.proc, qmp: await d.connectQmp(), sshPort: 40022, serialLog, qemuLog });
    d.comm = new FakeComm(undefined, new BuildError('ssh: could not connect'));
    d.proc.exit(1);
    await expect(new StepConnect(c, d).run(ctx)).rejects.toThrow(/QEMU exited with status 1 while waiting for SSH; serial console ended with: booting \| Kernel panic - not syncing/);
  });

  test('shutdown: a dropped connection is expected; a VM that does not stop in time is powered off with a warning', async () => {
    const c = config({ shutdown_command: 'shutdown -P now', shutdown_timeout: '1ms' });
    const d = new FakeDriver();
    const ctx = context();
    ctx.state.set(QEMU_VM, { process: d.proc, qmp: await d.connectQmp(), sshPort: 1, serialLog: '', qemuLog: '' });
    const comm: Communicator = new FakeComm(async () => {
      throw Object.assign(new BuildError('dropped', { code: 'E_COMM_DISCONNECTED' }));
    });
    ctx.state.set(COMMUNICATOR, comm);
    await new StepShutdown(c, d).run(ctx);
    expect(d.qmpCommands).toEqual(['quit']);
    expect(ctx.sink.events.some((e) => e.type === 'message' && e.level === 'warn' && e.text.includes('did not stop within shutdown_timeout (1ms)'))).toBe(true);
  });

  /** StepRunQemu run with the state the earlier steps leave, in `buildDir`. */
  async function runQemuStep(d: FakeDriver, buildDir: string): Promise<{ step: StepRunQemu; ctx: ReturnType<typeof context> }> {
    const ctx = context();
    ctx.state.set(QEMU_BUILD_DIR, buildDir);
    ctx.state.set(QEMU_ACCELERATOR, 'tcg');
    ctx.state.set(QEMU_DISK, '/d.qcow2');
    ctx.state.set(QEMU_SOURCE, '/s.qcow2');
    const step = new StepRunQemu(config(), d);
    await step.run(ctx);
    return { step, ctx };
  }

  test('a build dir too deep for a unix socket path gets its QMP socket in a short journaled dir, removed after', async () => {
    const d = new FakeDriver();
    const { step, ctx } = await runQemuStep(d, path.join(work, 'x'.repeat(90)));
    const qmpArg = d.calls[0]?.find((a) => a.startsWith('unix:')) ?? '';
    const sock = qmpArg.slice('unix:'.length).split(',')[0] ?? '';
    expect(sock.startsWith(path.join(tmpdir(), 'imgbuild-qmp-'))).toBe(true);
    expect(existsSync(path.dirname(sock))).toBe(true);
    await step.cleanup(ctx);
    expect(existsSync(path.dirname(sock))).toBe(false);
    expect(ctx.journaled.size).toBe(0);
  });

  test('cleanup escalates from QMP quit to SIGTERM to SIGKILL for a wedged QEMU', async () => {
    const d = new FakeDriver();
    d.quitExits = false;
    d.proc = new FakeProcess(false);
    const { step, ctx } = await runQemuStep(d, work);
    expect(ctx.journaled.has('process:{"pid":"4242"}')).toBe(true);
    await step.cleanup(ctx);
    expect(d.qmpCommands).toEqual(['quit']);
    expect(d.proc.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(ctx.journaled.size).toBe(0);
  }, 15_000);
});
