// The machines of a local cloud: each one a QEMU VM on a copy-on-write disk, moving through
// the states clouds report (pending -> running -> stopping -> stopped -> pending ...,
// shutting-down -> terminated) with delays a test can set, and transitions a test can make
// slow or fail. Cloud fakes (EC2, DigitalOcean) map their own API onto this one.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DiskStore } from './disk-store.js';
import { writeSeedIso, type MachineSeed } from './seed.js';
import { Vm } from './vm.js';

export type MachineState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** The moves a test can slow down or make fail. */
export type Transition = 'launch' | 'stop' | 'start' | 'terminate' | 'capture';

export interface Delays {
  /** pending -> running, after QEMU started. */
  launchMs: number;
  /** Time a stopped machine stays in `stopping` at least. */
  stopMs: number;
  /** shutting-down -> terminated. */
  terminateMs: number;
  /** How long a guest gets to power off after the power button before it is switched off. */
  powerOffGraceMs: number;
}

export const DEFAULT_DELAYS: Delays = { launchMs: 500, stopMs: 500, terminateMs: 500, powerOffGraceMs: 60_000 };

export interface TransitionFault {
  extraDelayMs: number;
  fail: boolean;
}

/** Asked at each transition; the cloud's fault injection answers. */
export type FaultHook = (t: Transition) => TransitionFault;

export interface StateReason {
  code: string;
  message: string;
}

export interface LaunchSpec {
  id: string;
  /** The disk the machine boots from (copied on write). */
  imageDisk: string;
  /** Size of the root disk; larger than the image grows it (cloud-init grows the partition). */
  rootSizeBytes?: number;
  seed: MachineSeed;
  memoryMb: number;
  cpus: number;
  uefi: boolean;
  /** Where the guest's SSH port is reached from the host. */
  ssh: { host: string; port: number };
  smbios: { manufacturer: string; product: string; serial: string };
  /** What a guest power-off means: `stop` keeps the machine, `terminate` deletes it. */
  shutdownBehavior: 'stop' | 'terminate';
}

export interface Machine {
  readonly spec: LaunchSpec;
  state: MachineState;
  /** Why the last transition happened or failed, in the cloud's words. */
  reason: StateReason | null;
  launchedAt: Date;
  /** The root disk's id in the store. */
  readonly disk: string;
  vm: Vm | null;
}

export class MachineBackend {
  readonly delays: Delays;
  private readonly machines = new Map<string, Machine>();
  /** Work in progress per machine, so transitions of one machine never overlap. */
  private readonly busy = new Map<string, Promise<void>>();
  private shuttingDown = false;
  /** Machines whose VM we are switching off ourselves (its exit is not the guest's doing). */
  private readonly halting = new Set<string>();

  constructor(
    private readonly store: DiskStore,
    private readonly dir: string,
    private readonly faults: FaultHook = () => ({ extraDelayMs: 0, fail: false }),
    delays: Partial<Delays> = {},
  ) {
    this.delays = { ...DEFAULT_DELAYS, ...delays };
  }

  get(id: string): Machine | undefined {
    return this.machines.get(id);
  }

  all(): Machine[] {
    return [...this.machines.values()];
  }

  /** Creates the machine in `pending` and boots it in the background. */
  launch(spec: LaunchSpec): Machine {
    const m: Machine = { spec, state: 'pending', reason: null, launchedAt: new Date(), disk: `${spec.id}-root`, vm: null };
    this.machines.set(spec.id, m);
    this.queue(m, async () => {
      const fault = this.faults('launch');
      await this.store.overlay(m.disk, spec.imageDisk, spec.rootSizeBytes);
      if (isGone(m)) return;
      if (fault.fail) throw new TransitionFailed('Server.InternalError', 'Server.InternalError: Internal error on launch');
      await this.boot(m);
      await sleep(this.delays.launchMs + fault.extraDelayMs);
      if (m.state === 'pending') m.state = 'running';
    }, async (e) => {
      m.reason = reasonOf(e, 'Server.InternalError');
      m.state = 'shutting-down';
      await this.destroy(m);
    });
    return m;
  }

  /** running -> stopping -> stopped: the power button, then the switch after the grace time. */
  stop(id: string, force = false): Machine {
    const m = this.require(id);
    if (m.state === 'stopped' || m.state === 'stopping' || isGone(m)) return m;
    m.state = 'stopping';
    m.reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    this.queue(m, async () => {
      const fault = this.faults('stop');
      await Promise.all([this.halt(m, force ? 0 : this.delays.powerOffGraceMs), sleep(this.delays.stopMs + fault.extraDelayMs)]);
      if (fault.fail) throw new TransitionFailed('Server.InternalError', 'Server.InternalError: Internal error on stop');
      if (m.state === 'stopping') m.state = 'stopped';
    }, (e) => {
      // A stop that failed leaves the machine off but reports why, as EC2 does.
      m.reason = reasonOf(e, 'Server.InternalError');
      if (m.state === 'stopping') m.state = 'stopped';
      return Promise.resolve();
    });
    return m;
  }

  /** stopped -> pending -> running, from the same disk (cloud-init sees the same instance id). */
  start(id: string): Machine {
    const m = this.require(id);
    if (m.state !== 'stopped') return m;
    m.state = 'pending';
    m.reason = null;
    this.queue(m, async () => {
      const fault = this.faults('start');
      if (fault.fail) throw new TransitionFailed('Server.InternalError', 'Server.InternalError: Internal error on start');
      await this.boot(m);
      await sleep(this.delays.launchMs + fault.extraDelayMs);
      if (m.state === 'pending') m.state = 'running';
    }, (e) => {
      m.reason = reasonOf(e, 'Server.InternalError');
      m.state = 'stopped';
      return Promise.resolve();
    });
    return m;
  }

  /** -> shutting-down -> terminated; the VM is switched off and its disk deleted. */
  terminate(id: string): Machine {
    const m = this.require(id);
    if (isGone(m)) return m;
    m.state = 'shutting-down';
    m.reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    // The plug is pulled at once (a stop waiting on a guest ends now); the disk goes after
    // any move in progress, so a launch never creates it after it was deleted.
    this.halting.add(m.spec.id);
    m.vm?.kill();
    this.queue(m, () => this.destroy(m), () => Promise.resolve());
    return m;
  }

  /**
   * Copies a machine's root disk into the store as `diskId`. A running machine is powered
   * off for the copy and booted again (EC2's CreateImage without NoReboot), so the copy is
   * never of a disk being written.
   */
  capture(id: string, diskId: string, reboot: boolean): Promise<void> {
    const m = this.require(id);
    return new Promise((resolve, reject) => {
      this.queue(m, async () => {
        const fault = this.faults('capture');
        const wasRunning = m.state === 'running' && reboot;
        if (wasRunning) await this.halt(m, this.delays.powerOffGraceMs);
        await sleep(fault.extraDelayMs);
        if (fault.fail) throw new TransitionFailed('Server.InternalError', 'Server.InternalError: Internal error on capture');
        await this.store.capture(diskId, m.disk);
        if (wasRunning && m.state === 'running') await this.boot(m);
        resolve();
      }, (e) => {
        reject(e instanceof Error ? e : new Error(String(e)));
        return Promise.resolve();
      });
    });
  }

  /** Switches every machine off at once (the cloud is going away); disks stay. */
  async shutdownAll(): Promise<void> {
    this.shuttingDown = true;
    const vms = this.all().map((m) => m.vm).filter((v): v is Vm => v !== null);
    for (const vm of vms) vm.kill();
    await Promise.all(vms.map((v) => v.exited));
  }

  /** Waits until no transition is in progress (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy.values()]);
  }

  private async boot(m: Machine): Promise<void> {
    if (this.shuttingDown) throw new TransitionFailed('Server.InternalError', 'Server.InternalError: the cloud is shutting down');
    const dir = path.join(this.dir, m.spec.id);
    const seedIso = path.join(dir, 'seed.iso');
    await mkdir(dir, { recursive: true });
    await writeSeedIso(m.spec.seed, seedIso);
    const vm = await Vm.start({
      name: m.spec.id,
      dir,
      disk: this.store.file(m.disk),
      diskFormat: this.store.format(m.disk),
      seedIso,
      sshHost: m.spec.ssh.host,
      sshPort: m.spec.ssh.port,
      memoryMb: m.spec.memoryMb,
      cpus: m.spec.cpus,
      uefi: m.spec.uefi,
      smbios: m.spec.smbios,
    });
    m.vm = vm;
    this.halting.delete(m.spec.id);
    void vm.exited.then(() => this.onVmExit(m, vm));
    if (isGone(m)) vm.kill();
  }

  /** A guest that powers itself off: stopped, or terminated with shutdown behavior terminate. */
  private onVmExit(m: Machine, vm: Vm): void {
    if (m.vm !== vm || this.shuttingDown || this.halting.has(m.spec.id)) return;
    m.vm = null;
    if (m.state !== 'running' && m.state !== 'pending') return;
    m.reason = { code: 'Client.InstanceInitiatedShutdown', message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown' };
    if (m.spec.shutdownBehavior === 'terminate') {
      m.state = 'shutting-down';
      void this.destroy(m);
    } else {
      m.state = 'stopping';
      this.queue(m, async () => {
        await sleep(this.delays.stopMs);
        if (m.state === 'stopping') m.state = 'stopped';
      }, () => Promise.resolve());
    }
  }

  private async halt(m: Machine, graceMs: number): Promise<void> {
    const vm = m.vm;
    if (!vm) return;
    this.halting.add(m.spec.id);
    if (graceMs === 0) {
      vm.kill();
      await vm.exited;
    } else {
      await vm.powerOff(graceMs);
    }
    if (m.vm === vm) m.vm = null;
  }

  private async destroy(m: Machine): Promise<void> {
    const fault = this.faults('terminate');
    const vm = m.vm;
    m.vm = null;
    if (vm) {
      this.halting.add(m.spec.id);
      vm.kill();
      await vm.exited;
    }
    await sleep(this.delays.terminateMs + fault.extraDelayMs);
    await this.store.remove(m.disk);
    await rm(path.join(this.dir, m.spec.id), { recursive: true, force: true });
    m.state = 'terminated';
  }

  private queue(m: Machine, work: () => Promise<void>, onError: (e: unknown) => Promise<void>): void {
    const prev = this.busy.get(m.spec.id) ?? Promise.resolve();
    const next = prev.then(work).catch(onError);
    this.busy.set(m.spec.id, next);
    void next.finally(() => {
      if (this.busy.get(m.spec.id) === next) this.busy.delete(m.spec.id);
    });
  }

  private require(id: string): Machine {
    const m = this.machines.get(id);
    if (!m) throw new Error(`no machine ${id}`);
    return m;
  }
}

export class TransitionFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function reasonOf(e: unknown, fallback: string): StateReason {
  if (e instanceof TransitionFailed) return { code: e.code, message: e.message };
  return { code: fallback, message: `${fallback}: ${e instanceof Error ? e.message : String(e)}` };
}

function isGone(m: Machine): boolean {
  return m.state === 'shutting-down' || m.state === 'terminated';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
