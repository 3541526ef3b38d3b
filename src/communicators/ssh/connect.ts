// Waiting for SSH the way Packer's StepConnectSSH does: TCP refusals and silent ports are
// retried until `ssh_timeout`, failed handshakes (wrong key, wrong user) count against
// `ssh_handshake_attempts`, and the error at the end names the endpoint, the auth methods,
// the attempts, the time spent and the server's last word, not just "timeout".
import ssh2 from 'ssh2';
import type { Client, ConnectConfig } from 'ssh2';
import { BuildError, CancelledError, errorMessage } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';

export interface SshAuth {
  password?: string;
  /** OpenSSH or PEM private key text. */
  privateKey?: string | Buffer;
  /** Path of an ssh-agent socket ($SSH_AUTH_SOCK). */
  agent?: string;
}

export interface SshEndpoint extends SshAuth {
  host: string;
  port: number;
  username: string;
}

export interface SshConnectOptions extends SshEndpoint {
  /** Total time to wait for the server, per (re)connection. */
  timeoutMs: number;
  /** Failed handshakes/authentications tolerated once the port answers. */
  handshakeAttempts: number;
  keepAliveIntervalMs?: number;
  /** Jump host: the target is reached through a direct-tcpip channel from it. */
  bastion?: SshEndpoint;
  /** Pause between attempts; default 1s growing to 5s. */
  retryDelayMs?: number;
  /** Called before each attempt after the first (for "Waiting for SSH..." messages). */
  onRetry?: (attempt: number, lastError: string) => void;
}

export interface SshConnection {
  readonly client: Client;
  readonly closed: boolean;
  /**
   * Settles when the connection is gone (closed, ended, keepalive timeout). ssh2 leaves
   * requests that were in flight on a dead connection unanswered forever, so everything
   * that waits on the server races against this.
   */
  readonly whenClosed: Promise<void>;
  markClosed(): void;
  close(): void;
}

export class SshConnectError extends BuildError {
  constructor(message: string, cause: unknown) {
    super(message, { code: 'E_SSH_CONNECT', cause });
  }
}

const ATTEMPT_TIMEOUT_MS = 8_000;

type FailureKind = 'refused' | 'timeout' | 'auth' | 'handshake' | 'other';

interface AttemptError {
  kind: FailureKind;
  message: string;
  cause: unknown;
}

export async function connectWithRetry(opts: SshConnectOptions, signal?: AbortSignal): Promise<SshConnection> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let attempts = 0;
  let handshakeFailures = 0;
  let last: AttemptError | null = null;
  for (;;) {
    if (signal?.aborted) throw new CancelledError();
    attempts++;
    if (attempts > 1 && last) opts.onRetry?.(attempts, last.message);
    // QEMU's user network accepts the TCP connection before the guest listens and then
    // holds it silently, so a long wait per attempt only delays noticing that the guest
    // is up; a handshake that really takes longer than this is retried.
    const readyTimeout = Math.max(1_000, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
    try {
      return await attempt(opts, readyTimeout, signal);
    } catch (e) {
      if (signal?.aborted) throw new CancelledError();
      // An unusable key or similar will not heal by waiting.
      if (e instanceof BuildError) throw e;
      last = classify(e);
      if (last.kind === 'auth' || last.kind === 'handshake') handshakeFailures++;
    }
    const giveUp = handshakeFailures >= opts.handshakeAttempts;
    const delay = opts.retryDelayMs ?? Math.min(1_000 * attempts, 5_000);
    if (giveUp || Date.now() + delay >= deadline) {
      throw new SshConnectError(failureMessage(opts, attempts, Date.now() - started, last, giveUp), last.cause);
    }
    await sleep(delay, signal);
  }
}

/** The auth methods a config offers, in ssh2's order, for messages. */
export function authMethods(a: SshAuth): string[] {
  const m: string[] = [];
  if (a.privateKey !== undefined) m.push('publickey');
  if (a.agent !== undefined) m.push('agent');
  if (a.password !== undefined) m.push('password');
  return m;
}

function failureMessage(opts: SshConnectOptions, attempts: number, elapsedMs: number, last: AttemptError, handshakeLimit: boolean): string {
  const via = opts.bastion ? ` via bastion ${opts.bastion.username}@${opts.bastion.host}:${opts.bastion.port}` : '';
  const why = handshakeLimit ? ` (ssh_handshake_attempts = ${opts.handshakeAttempts} reached)` : '';
  return (
    `ssh: could not connect to ${opts.username}@${opts.host}:${opts.port}${via} after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
    `in ${formatDuration(elapsedMs)}${why} (auth: ${authMethods(opts).join(', ') || 'none'}): last error: ${last.message}; ${hint(last.kind)}`
  );
}

function hint(kind: FailureKind): string {
  switch (kind) {
    case 'refused':
      return 'nothing accepts connections on that port: check that sshd runs in the guest and the port is right, or raise ssh_timeout for a slow boot';
    case 'timeout':
      return 'the port accepts connections but no SSH server answers: the guest may still be booting (raise ssh_timeout) or the port is not SSH';
    case 'auth':
      return 'check ssh_username and the key or password the guest accepts';
    case 'handshake':
      return 'the server answered but the SSH handshake failed: check that the port is SSH and the server accepts modern algorithms';
    default:
      return 'check ssh_host, ssh_port and the network path to the machine';
  }
}

function classify(e: unknown): AttemptError {
  const err = e as { level?: string; code?: string; message?: string };
  const message = errorMessage(e);
  if (err.level === 'client-authentication') return { kind: 'auth', message, cause: e };
  if (err.level === 'client-timeout') return { kind: 'timeout', message, cause: e };
  if (err.code === 'ECONNREFUSED') return { kind: 'refused', message: `connection refused (${message})`, cause: e };
  if (err.code === 'ECONNRESET') return { kind: 'refused', message, cause: e };
  if (err.code === 'EHOSTUNREACH' || err.code === 'ETIMEDOUT') return { kind: 'other', message, cause: e };
  if (err.level === 'protocol' || err.level === 'handshake') return { kind: 'handshake', message, cause: e };
  return { kind: 'other', message, cause: e };
}

async function attempt(opts: SshConnectOptions, readyTimeout: number, signal?: AbortSignal): Promise<SshConnection> {
  let bastion: Client | null = null;
  try {
    let sock: ConnectConfig['sock'];
    if (opts.bastion) {
      bastion = await open(configFor(opts.bastion, readyTimeout, opts.keepAliveIntervalMs), signal);
      const b = bastion;
      sock = await new Promise<NonNullable<ConnectConfig['sock']>>((resolve, reject) => {
        b.forwardOut('127.0.0.1', 0, opts.host, opts.port, (err, ch) => {
          if (err) {
            const e = new Error(`bastion ${opts.bastion?.host ?? ''} could not open a channel to ${opts.host}:${opts.port}: ${err.message}`);
            // Treated like a refused port: the target may simply not be up yet.
            (e as Error & { code: string }).code = 'ECONNREFUSED';
            reject(e);
          } else resolve(ch);
        });
      });
    }
    const cfg = configFor(opts, readyTimeout, opts.keepAliveIntervalMs);
    if (sock) cfg.sock = sock;
    const client = await open(cfg, signal);
    return connection(client, bastion);
  } catch (e) {
    bastion?.end();
    throw e;
  }
}

function configFor(ep: SshEndpoint, readyTimeout: number, keepAliveMs = 5_000): ConnectConfig {
  const cfg: ConnectConfig = { host: ep.host, port: ep.port, username: ep.username, readyTimeout, keepaliveInterval: keepAliveMs, keepaliveCountMax: 3 };
  if (ep.password !== undefined) cfg.password = ep.password;
  if (ep.privateKey !== undefined) cfg.privateKey = ep.privateKey;
  if (ep.agent !== undefined) cfg.agent = ep.agent;
  return cfg;
}

function open(cfg: ConnectConfig, signal?: AbortSignal): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let settled = false;
    const done = (e: Error | null, c?: Client): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (c) resolve(c);
      else {
        client.end();
        reject(e ?? new Error('ssh: connection failed'));
      }
    };
    const onAbort = (): void => done(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    let handshaken = false;
    client.once('handshake', () => (handshaken = true));
    client.once('ready', () => done(null, client));
    client.on('error', (e) => done(e));
    // QEMU's user-mode forwarding accepts the TCP connection and drops it while nothing
    // listens in the guest: that is "not up yet", not a failed handshake.
    client.once('close', () =>
      done(
        handshaken
          ? Object.assign(new Error('connection closed by the server during authentication'), { level: 'handshake' })
          : Object.assign(new Error('connection closed by the server before the SSH handshake'), { code: 'ECONNRESET' }),
      ),
    );
    try {
      client.connect(cfg);
    } catch (e) {
      // ssh2 throws synchronously on an unparsable private key.
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(new BuildError(`ssh: cannot use the private key for ${cfg.username ?? ''}@${cfg.host ?? ''}: ${errorMessage(e)}`, { code: 'E_SSH_KEY', cause: e }));
    }
  });
}

function connection(client: Client, bastion: Client | null): SshConnection {
  let closed = false;
  let settle = (): void => undefined;
  const whenClosed = new Promise<void>((resolve) => (settle = resolve));
  const markClosed = (): void => {
    closed = true;
    settle();
  };
  client.on('close', markClosed);
  client.on('end', markClosed);
  // After ready, errors arrive with the close that follows; they must not crash the process.
  client.on('error', markClosed);
  bastion?.on('close', () => {
    markClosed();
    client.end();
  });
  return {
    client,
    get closed() {
      return closed;
    },
    whenClosed,
    markClosed,
    close() {
      markClosed();
      client.end();
      bastion?.end();
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
