// Starts QEMU and connects to its monitor. The process is journaled the moment it exists
// (its pid is what `imgbuild cleanup` needs); cleanup asks QEMU to quit over QMP, then
// escalates to SIGTERM and SIGKILL, and tolerates a VM that is already gone.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BuildError } from '../../../src/core/errors.js';
import type { JournalEntry } from '../../../src/core/journal-types.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { qemuArgs } from '../args.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver, QemuProcess } from '../driver.js';
import { QEMU_ACCELERATOR, QEMU_BUILD_DIR, QEMU_CD, QEMU_DISK, QEMU_EFI_VARS, QEMU_FLOPPY, QEMU_SOURCE, QEMU_VM } from '../state.js';
import type { Qmp } from '../../../src/vm/qmp.js';

export class StepRunQemu implements Step {
  readonly name = 'run-qemu';
  private proc: QemuProcess | null = null;
  private qmp: Qmp | null = null;
  private entry: JournalEntry | null = null;
  private socketDir: string | null = null;
  private socketEntry: JournalEntry | null = null;

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const dir = ctx.state.require(QEMU_BUILD_DIR);
    const sshPort = await this.driver.freePort();
    const serialLog = path.join(dir, 'serial.log');
    const qemuLog = path.join(dir, 'qemu.log');
    let qmpSocket = path.join(dir, 'qmp.sock');
    if (Buffer.byteLength(qmpSocket) > 100) {
      // A long IMGBUILD_CACHE_DIR would overflow sun_path; the socket goes to a short
      // private directory instead, journaled and removed like the build dir.
      const short = path.join(tmpdir(), `imgbuild-qmp-${randomBytes(6).toString('hex')}`);
      this.socketEntry = await ctx.journal.record('path', { path: short }, `QMP socket dir for ${ctx.build.sourceFullName}`);
      this.socketDir = short;
      await mkdir(short, { mode: 0o700 });
      qmpSocket = path.join(short, 'qmp.sock');
    }
    const args = qemuArgs({
      config: this.config,
      accelerator: ctx.state.require(QEMU_ACCELERATOR),
      disk: ctx.state.require(QEMU_DISK),
      installIso: this.config.diskImage ? null : ctx.state.require(QEMU_SOURCE),
      cdIso: ctx.state.get(QEMU_CD) ?? null,
      efiVars: ctx.state.get(QEMU_EFI_VARS) ?? null,
      sshPort,
      qmpSocket,
      serialLog,
      noDisplay: !this.env['DISPLAY'] && !this.env['WAYLAND_DISPLAY'],
      floppy: ctx.state.get(QEMU_FLOPPY) ?? null,
    });
    const accel = ctx.state.require(QEMU_ACCELERATOR);
    if (this.config.cpuModel === 'host' && accel === 'tcg') ctx.ui.message('cpu_model "host" needs KVM, which is not usable here: the guest gets "max" under TCG.');
    ctx.ui.say(`Starting QEMU (${ctx.state.require(QEMU_ACCELERATOR)}, ${this.config.cpus} CPU, ${this.config.memoryMb} MiB); SSH forwarded from 127.0.0.1:${sshPort}`);
    ctx.ui.message(`${this.config.qemuBinary} ${args.join(' ')}`);
    this.proc = await this.driver.spawnQemu(this.config.qemuBinary, args, qemuLog);
    this.entry = await ctx.journal.record('process', this.proc.journalHandle, `QEMU for ${ctx.build.sourceFullName}`);
    try {
      this.qmp = await this.driver.connectQmp(qmpSocket, ctx.signal);
    } catch (e) {
      if (!this.proc.running) throw await exitedError(this.proc, qemuLog);
      throw e;
    }
    ctx.state.set(QEMU_VM, { process: this.proc, qmp: this.qmp, sshPort, serialLog, qemuLog });
  }

  async cleanup(ctx: StepContext): Promise<void> {
    const proc = this.proc;
    if (proc === null) {
      await this.removeSocketDir(ctx);
      return;
    }
    if (proc.running) {
      await this.qmp?.execute('quit').catch(() => undefined);
      if (!(await exitsWithin(proc, 3_000))) {
        proc.kill('SIGTERM');
        if (!(await exitsWithin(proc, 3_000))) {
          proc.kill('SIGKILL');
          await proc.exited;
        }
      }
    }
    this.qmp?.close();
    this.qmp = null;
    this.proc = null;
    ctx.state.delete(QEMU_VM);
    if (this.entry) await ctx.journal.strike(this.entry);
    this.entry = null;
    await this.removeSocketDir(ctx);
  }

  private async removeSocketDir(ctx: StepContext): Promise<void> {
    if (this.socketDir === null) return;
    await rm(this.socketDir, { recursive: true, force: true });
    this.socketDir = null;
    if (this.socketEntry) await ctx.journal.strike(this.socketEntry);
    this.socketEntry = null;
  }
}

async function exitsWithin(proc: QemuProcess, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (t = setTimeout(() => r(false), ms)));
  const done = await Promise.race([proc.exited.then(() => true as const), timeout]);
  clearTimeout(t);
  return done;
}

/** "QEMU exited with status 1: <last lines of its log>" */
export async function exitedError(proc: QemuProcess, qemuLog: string): Promise<BuildError> {
  const { code, signal } = await proc.exited;
  const log = (await readFile(qemuLog, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');
  return new BuildError(`QEMU exited ${signal ? `on ${signal}` : `with status ${code ?? '?'}`}${log ? `: ${log}` : ''}; check qemuargs and the disk/ISO paths`, { code: 'E_QEMU_EXIT' });
}
