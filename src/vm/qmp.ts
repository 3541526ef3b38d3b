// A QMP client (QEMU Machine Protocol) over the unix socket QEMU was started with: the
// greeting, capability negotiation, then one command at a time, each answered by a line
// with "return" or "error". Asynchronous events are noted and otherwise ignored.
import net from 'node:net';
import { BuildError, CancelledError, errorMessage } from '../core/errors.js';

export interface Qmp {
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** Events seen so far ("SHUTDOWN", "POWERDOWN"...), oldest first. */
  readonly events: readonly string[];
  close(): void;
}

/** Connects, retrying while QEMU has not created the socket yet, up to timeoutMs. */
export async function connectQmp(socketPath: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Qmp> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown = null;
  for (;;) {
    if (opts.signal?.aborted) throw new CancelledError();
    try {
      const sock = await dial(socketPath);
      const client = new QmpClient(sock);
      await client.greeting();
      await client.execute('qmp_capabilities');
      return client;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new BuildError(`qmp: could not connect to QEMU's monitor socket ${socketPath}: ${errorMessage(last)}; see the QEMU log in the build directory`, {
        code: 'E_QMP',
        cause: last,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function dial(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  command: string;
}

class QmpClient implements Qmp {
  readonly events: string[] = [];
  private buf = '';
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private greeted: { resolve(): void; reject(e: unknown): void } | null = null;
  private greetingSeen = false;
  private closedError: Error | null = null;

  constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    const fail = (why: string): void => {
      this.closedError = new BuildError(`qmp: monitor connection ${why}`, { code: 'E_QMP' });
      for (const p of this.pending.values()) p.reject(this.closedError);
      this.pending.clear();
      this.greeted?.reject(this.closedError);
    };
    sock.on('error', (e) => fail(`failed: ${e.message}`));
    sock.on('close', () => fail('closed (QEMU exited?)'));
  }

  greeting(): Promise<void> {
    if (this.greetingSeen) return Promise.resolve();
    return new Promise((resolve, reject) => (this.greeted = { resolve, reject }));
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject, command });
      this.sock.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line === '') continue;
      let msg: { QMP?: unknown; event?: string; id?: number; return?: unknown; error?: { class?: string; desc?: string } };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        continue;
      }
      if (msg.QMP !== undefined) {
        this.greetingSeen = true;
        this.greeted?.resolve();
      } else if (msg.event !== undefined) {
        this.events.push(msg.event);
      } else if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new BuildError(`qmp: ${p.command}: ${msg.error.class ?? 'error'}: ${msg.error.desc ?? ''}`, { code: 'E_QMP' }));
        else p.resolve(msg.return);
      }
    }
  }
}
