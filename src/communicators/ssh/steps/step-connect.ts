// Waits for SSH on the machine and leaves the communicator in state for the provisioners,
// for every builder that connects over SSH. The builder says where the machine listens
// (a forwarded port, an instance's address) once it is known, and may say how to tell that
// the machine is gone (QEMU exited, the instance terminated): the wait then ends at once
// with the builder's account of why, instead of running into ssh_timeout. Otherwise the
// failure report is connectWithRetry's: endpoint, auth methods, attempts, time, last error.
// The communicator reconnects by itself, with the same options, after a drop (a reboot).
import { readFile } from 'node:fs/promises';
import { BuildError, CancelledError } from '../../../core/errors.js';
import { formatDuration } from '../../../core/duration.js';
import type { Communicator, Step, StepContext } from '../../../core/plugin.js';
import { COMMUNICATOR, GENERATED_DATA } from '../../../core/build-state.js';
import { NoneCommunicator } from '../../../core/none-communicator.js';
import type { SshConfig } from '../config.js';
import type { SshConnectOptions } from '../connect.js';
import { SSH_PRIVATE_KEY } from '../state.js';

/** A communicator that can be told to connect now (the wait-for-SSH step). */
export interface ConnectableCommunicator extends Communicator {
  connect(signal?: AbortSignal): Promise<void>;
}

/** What the step needs from the builder's driver (unit tests pass a fake). */
export interface SshConnector {
  communicator(opts: SshConnectOptions): ConnectableCommunicator;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface MachineWatch {
  /** Settles when the machine is gone for good. */
  gone: Promise<unknown>;
  isGone(): boolean;
  /** Why, as the builder can best tell it (exit status, logs, state reason); `during` is "while waiting for SSH". */
  error(during: string): Promise<Error>;
}

export interface StepConnectSshOptions {
  /** null: the build does not connect over SSH (communicator "none"). */
  ssh: SshConfig | null;
  connector: SshConnector;
  /** Where the machine listens; ssh_host / ssh_port from the template win over it. */
  target(ctx: StepContext): { host: string; port: number } | Promise<{ host: string; port: number }>;
  /** How to tell that the machine died while SSH is awaited. */
  watch?(ctx: StepContext): MachineWatch | null;
  /** For SSH_AUTH_SOCK when ssh_agent_auth is set. */
  env?: NodeJS.ProcessEnv;
}

export class StepConnectSsh implements Step {
  readonly name: string = 'connect';
  private comm: ConnectableCommunicator | null = null;

  constructor(private readonly o: StepConnectSshOptions) {}

  async run(ctx: StepContext): Promise<void> {
    const ssh = this.o.ssh;
    if (ssh === null) {
      ctx.state.set(COMMUNICATOR, new NoneCommunicator());
      return;
    }
    const opts = await this.connectOptions(ctx, ssh);
    if (ssh.pauseBeforeConnectingMs > 0) {
      ctx.ui.say(`Pausing ${formatDuration(ssh.pauseBeforeConnectingMs)} before connecting...`);
      await this.o.connector.sleep(ssh.pauseBeforeConnectingMs, ctx.signal);
    }
    ctx.ui.say(`Waiting for SSH on ${opts.username}@${opts.host}:${opts.port} (up to ${formatDuration(ssh.timeoutMs)})...`);
    const comm = this.o.connector.communicator(opts);
    this.comm = comm;
    const watch = this.o.watch?.(ctx) ?? null;
    const died = new AbortController();
    void watch?.gone.then(() => died.abort());
    try {
      await comm.connect(AbortSignal.any([ctx.signal, died.signal]));
    } catch (e) {
      if (ctx.signal.aborted) throw new CancelledError();
      if (watch?.isGone()) throw await watch.error('while waiting for SSH');
      throw e;
    }
    ctx.ui.say('Connected to SSH');
    ctx.state.set(COMMUNICATOR, comm);
    const privateKey = opts.privateKey;
    ctx.state.set(GENERATED_DATA, {
      ...(ctx.state.get(GENERATED_DATA) ?? {}),
      Host: opts.host,
      Port: opts.port,
      User: opts.username,
      ...(ssh.password !== null ? { Password: ssh.password } : {}),
      ...(typeof privateKey === 'string' ? { SSHPrivateKey: privateKey } : {}),
    });
  }

  async cleanup(ctx: StepContext): Promise<void> {
    const c = this.comm;
    this.comm = null;
    if (c) await c.close();
    ctx.state.delete(COMMUNICATOR);
  }

  private async connectOptions(ctx: StepContext, ssh: SshConfig): Promise<SshConnectOptions> {
    const privateKey = ctx.state.get(SSH_PRIVATE_KEY);
    const agent = (this.o.env ?? process.env)['SSH_AUTH_SOCK'];
    if (ssh.agentAuth && !agent) throw new BuildError('ssh_agent_auth = true but SSH_AUTH_SOCK is not set; start ssh-agent or use a key file');
    const target = ssh.host !== null && ssh.port !== null ? { host: ssh.host, port: ssh.port } : await this.o.target(ctx);
    const opts: SshConnectOptions = {
      host: ssh.host ?? target.host,
      port: ssh.port ?? target.port,
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
    return opts;
  }
}
