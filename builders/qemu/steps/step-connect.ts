// Waits for SSH on the forwarded port and leaves the communicator in state for the
// provisioners. If QEMU exits while we wait, the wait ends at once with QEMU's log and the
// tail of the serial console, which is where a guest says why it did not come up.
import { readFile } from 'node:fs/promises';
import { NoneCommunicator } from '../../../src/core/none-communicator.js';
import type { SshConnectOptions } from '../../../src/communicators/ssh/connect.js';
import { BuildError, CancelledError } from '../../../src/core/errors.js';
import { formatDuration } from '../../../src/core/duration.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { COMMUNICATOR, GENERATED_DATA } from '../../../src/core/build-state.js';
import type { QemuConfig } from '../config.js';
import type { QemuDriver, VmCommunicator } from '../driver.js';
import { QEMU_SSH_PRIVATE_KEY, QEMU_VM } from '../state.js';
import { exitedError } from './step-run-qemu.js';

export class StepConnect implements Step {
  readonly name = 'connect';
  private comm: VmCommunicator | null = null;

  constructor(
    private readonly config: QemuConfig,
    private readonly driver: QemuDriver,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async run(ctx: StepContext): Promise<void> {
    if (this.config.communicator === 'none') {
      ctx.state.set(COMMUNICATOR, new NoneCommunicator());
      return;
    }
    const vm = ctx.state.require(QEMU_VM);
    const ssh = this.config.ssh;
    const privateKey = ctx.state.get(QEMU_SSH_PRIVATE_KEY);
    const agent = this.env['SSH_AUTH_SOCK'];
    if (ssh.agentAuth && !agent) throw new BuildError('ssh_agent_auth = true but SSH_AUTH_SOCK is not set; start ssh-agent or use a key file');
    const opts: SshConnectOptions = {
      host: ssh.host ?? '127.0.0.1',
      port: ssh.port ?? vm.sshPort,
      username: ssh.username,
      timeoutMs: ssh.timeoutMs,
      handshakeAttempts: ssh.handshakeAttempts,
      keepAliveIntervalMs: ssh.keepAliveIntervalMs,
      onRetry: (n, last) => ctx.ui.message(`SSH attempt ${n}: ${last}`),
      ...(ssh.password !== null ? { password: ssh.password } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(ssh.agentAuth && agent ? { agent } : {}),
    };
    if (ssh.bastion) {
      const b = ssh.bastion;
      opts.bastion = {
        host: b.host,
        port: b.port,
        username: b.username,
        ...(b.password !== null ? { password: b.password } : {}),
        ...(b.privateKeyFile !== null ? { privateKey: await readFile(b.privateKeyFile, 'utf8') } : {}),
        ...(b.agentAuth && agent ? { agent } : {}),
      };
    }
    if (ssh.pauseBeforeConnectingMs > 0) {
      ctx.ui.say(`Pausing ${formatDuration(ssh.pauseBeforeConnectingMs)} before connecting...`);
      await this.driver.sleep(ssh.pauseBeforeConnectingMs, ctx.signal);
    }
    ctx.ui.say(`Waiting for SSH on ${opts.username}@${opts.host}:${opts.port} (up to ${formatDuration(ssh.timeoutMs)})...`);
    const comm = this.driver.communicator(opts);
    this.comm = comm;
    const died = new AbortController();
    void vm.process.exited.then(() => died.abort());
    try {
      await comm.connect(AbortSignal.any([ctx.signal, died.signal]));
    } catch (e) {
      if (ctx.signal.aborted) throw new CancelledError();
      if (!vm.process.running) {
        const err = await exitedError(vm.process, vm.qemuLog);
        const serial = (await readFile(vm.serialLog, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');
        throw new BuildError(`${err.message.replace(/; check qemuargs.*$/, '')} while waiting for SSH${serial ? `; serial console ended with: ${serial}` : ''}`, { code: 'E_QEMU_EXIT' });
      }
      throw e;
    }
    ctx.ui.say('Connected to SSH');
    ctx.state.set(COMMUNICATOR, comm);
    ctx.state.set(GENERATED_DATA, {
      ...(ctx.state.get(GENERATED_DATA) ?? {}),
      Host: opts.host,
      Port: opts.port,
      User: opts.username,
      ...(ssh.password !== null ? { Password: ssh.password } : {}),
      ...(privateKey !== undefined ? { SSHPrivateKey: privateKey } : {}),
    });
  }

  async cleanup(ctx: StepContext): Promise<void> {
    const c = this.comm;
    this.comm = null;
    if (c) await c.close();
    ctx.state.delete(COMMUNICATOR);
  }
}
