// The minicloud test plugin's driver: the API client a real cloud builder would wrap around
// its SDK. It translates HTTP answers into core's driver errors once and runs every call
// through withRetry, so the plugin's steps and removers handle cases without knowing HTTP.
import {
  AlreadyExistsError,
  DependencyError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  ThrottledError,
  TransientError,
  parseRetryAfter,
  type DriverErrorDetails,
} from '../../../src/core/driver-errors.js';
import { withRetry, type RetryOptions } from '../../../src/core/retry.js';
import type { Firewall, Machine } from './server.js';

export type { Firewall, Machine } from './server.js';

export interface MinicloudScope {
  endpoint: string;
  region: string;
}

export class MinicloudClient {
  constructor(
    private readonly scope: MinicloudScope,
    private readonly token: string,
    /** Calls retried here (each one counted by the fake). */
    private readonly retry: Omit<RetryOptions, 'signal'> = {},
  ) {}

  async createFirewall(name: string, tags: Record<string, string>, signal: AbortSignal): Promise<Firewall> {
    return (await this.call<{ firewall: Firewall }>('POST', '/firewalls', signal, { name, tags })).firewall;
  }

  async createMachine(spec: { name: string; firewallId: string; clientToken: string; tags: Record<string, string> }, signal: AbortSignal): Promise<Machine> {
    const body = { name: spec.name, firewall_id: spec.firewallId, client_token: spec.clientToken, tags: spec.tags };
    return (await this.call<{ machine: Machine }>('POST', '/machines', signal, body)).machine;
  }

  async listMachines(filter: { clientToken?: string; tag?: string }, signal: AbortSignal): Promise<Machine[]> {
    const q = new URLSearchParams();
    if (filter.clientToken !== undefined) q.set('client_token', filter.clientToken);
    if (filter.tag !== undefined) q.set('tag', filter.tag);
    return (await this.call<{ machines: Machine[] }>('GET', `/machines?${q.toString()}`, signal)).machines;
  }

  async listFirewalls(filter: { name?: string; tag?: string }, signal: AbortSignal): Promise<Firewall[]> {
    const q = new URLSearchParams();
    if (filter.name !== undefined) q.set('name', filter.name);
    if (filter.tag !== undefined) q.set('tag', filter.tag);
    return (await this.call<{ firewalls: Firewall[] }>('GET', `/firewalls?${q.toString()}`, signal)).firewalls;
  }

  async getMachine(id: string, signal: AbortSignal): Promise<Machine> {
    return (await this.call<{ machine: Machine }>('GET', `/machines/${id}`, signal)).machine;
  }

  async deleteMachine(id: string, signal: AbortSignal): Promise<void> {
    await this.call('DELETE', `/machines/${id}`, signal);
  }

  /** `retryOn` lets the caller wait out a machine that still uses the firewall. */
  async deleteFirewall(id: string, signal: AbortSignal, retry: Pick<RetryOptions, 'retryOn' | 'maxAttempts'> = {}): Promise<void> {
    await this.call('DELETE', `/firewalls/${id}`, signal, undefined, retry);
  }

  private call<T>(method: string, path: string, signal: AbortSignal, body?: unknown, retry: Partial<RetryOptions> = {}): Promise<T> {
    const url = `${this.scope.endpoint}/v1/${this.scope.region}${path}`;
    const operation = `${method} ${path.split('?')[0] ?? path}`;
    return withRetry(async () => {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          signal,
          headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (e) {
        if (signal.aborted) throw e;
        throw new TransientError({ operation, region: this.scope.region, message: `${this.scope.endpoint} unreachable: ${String((e as Error).cause ?? e)}`, cause: e });
      }
      const text = await res.text();
      if (res.ok) return (text === '' ? {} : JSON.parse(text)) as T;
      throw this.translate(operation, res, text);
    }, { ...this.retry, ...retry, signal });
  }

  private translate(operation: string, res: Response, text: string): Error {
    let b: { code?: string; message?: string; field?: string; action?: string; existing_id?: string; dependent?: string } = {};
    try {
      b = JSON.parse(text) as typeof b;
    } catch {
      b = { message: text };
    }
    const d: DriverErrorDetails = { operation, region: this.scope.region, message: b.message ?? res.statusText, providerCode: b.code ?? String(res.status) };
    if (res.status === 404) return new NotFoundError(d);
    if (res.status === 409 && b.code === 'dependency_violation') return new DependencyError({ ...d, ...(b.dependent === undefined ? {} : { dependent: b.dependent }) });
    if (res.status === 409) return new AlreadyExistsError({ ...d, ...(b.existing_id === undefined ? {} : { existing: b.existing_id }) });
    if (res.status === 429) {
      const after = parseRetryAfter(res.headers.get('retry-after'));
      return new ThrottledError({ ...d, ...(after === undefined ? {} : { retryAfterMs: after }) });
    }
    if (res.status >= 500) return new TransientError({ ...d, status: res.status });
    if (res.status === 401) return new PermissionDeniedError({ ...d, action: 'authenticate', hint: 'set MINICLOUD_TOKEN to a valid token' });
    if (res.status === 403) return new PermissionDeniedError({ ...d, action: b.action ?? operation });
    return new InvalidInputError({ ...d, ...(b.field === undefined ? {} : { field: b.field }) });
  }
}
