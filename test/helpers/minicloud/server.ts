// Minicloud: a small cloud API on 127.0.0.1 with its own inventory, for the tests of the
// resource journal and `imgbuild cleanup`. It behaves the way the clouds imgbuild targets
// do where the journal is concerned: bearer-token auth, per-region inventories, machines
// created idempotently by client token (EC2's ClientToken), firewalls found only by name
// or tag (DigitalOcean has no client token), `imgbuild:run-id` tags, a firewall that cannot
// be deleted while a machine uses it (DependencyViolation), machines that take a while to
// terminate, and faults injected per action: a create applied but its answer held back (the
// process that sent it can be killed before it hears the id), throttling with Retry-After,
// 5xx, and refused permissions.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Action = 'create-machine' | 'create-firewall' | 'list-machines' | 'list-firewalls' | 'get-machine' | 'delete-machine' | 'delete-firewall';

export interface Machine {
  id: string;
  name: string;
  clientToken: string | null;
  firewallId: string;
  tags: Record<string, string>;
  state: 'running' | 'terminating';
}

export interface Firewall {
  id: string;
  name: string;
  tags: Record<string, string>;
}

interface Region {
  machines: Map<string, Machine>;
  firewalls: Map<string, Firewall>;
}

export interface Faults {
  /** Apply the request, then never answer it (until the client goes away). */
  hold: Set<Action>;
  /** Answer the next n calls of an action 429 with Retry-After: 1. */
  throttle: Map<Action, number>;
  /** Answer the next n calls of an action 503. */
  unavailable: Map<Action, number>;
  /** Refuse these actions with 403 as a token without the permission would be. */
  deny: Set<Action>;
}

export interface MinicloudOptions {
  token: string;
  regions?: string[];
  /** How long a deleted machine stays "terminating" (and keeps its firewall in use). */
  terminateMs?: number;
}

export class Minicloud {
  readonly faults: Faults = { hold: new Set(), throttle: new Map(), unavailable: new Map(), deny: new Set() };
  /** Calls received per action, faults included. */
  readonly calls = new Map<Action, number>();
  /** Responses sent per HTTP status. */
  readonly statuses = new Map<number, number>();
  private readonly regions = new Map<string, Region>();
  private readonly server: http.Server;
  private readonly heldWaiters: ((a: Action) => void)[] = [];
  private seq = 0;

  private constructor(private readonly opts: MinicloudOptions) {
    for (const r of opts.regions ?? ['r1']) this.regions.set(r, { machines: new Map(), firewalls: new Map() });
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => this.send(res, 500, { code: 'internal', message: String(e) }));
    });
  }

  static async start(opts: MinicloudOptions): Promise<Minicloud> {
    const cloud = new Minicloud(opts);
    await new Promise<void>((resolve) => cloud.server.listen(0, '127.0.0.1', resolve));
    return cloud;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves when a request of `action` has been applied and its answer held back. */
  nextHeld(): Promise<Action> {
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  /** Every live resource, per region (what `GET /_fake/inventory` answers). */
  inventory(): Record<string, { machines: Machine[]; firewalls: Firewall[] }> {
    const out: Record<string, { machines: Machine[]; firewalls: Firewall[] }> = {};
    for (const [name, r] of this.regions) out[name] = { machines: [...r.machines.values()], firewalls: [...r.firewalls.values()] };
    return out;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/_fake/inventory') return this.send(res, 200, this.inventory());
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return this.send(res, 401, { code: 'unauthorized', message: 'the bearer token is missing or wrong' });
    }
    const m = /^\/v1\/([^/]+)\/(machines|firewalls)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return this.send(res, 404, { code: 'not_found', message: `no route ${req.method ?? ''} ${url.pathname}` });
    const [, regionName = '', collection = '', id] = m;
    const action = actionOf(req.method ?? '', collection, id);
    if (!action) return this.send(res, 405, { code: 'method_not_allowed', message: `${req.method ?? ''} ${url.pathname}` });
    this.calls.set(action, (this.calls.get(action) ?? 0) + 1);
    if (this.takeFault(this.faults.throttle, action)) {
      res.setHeader('retry-after', '1');
      return this.send(res, 429, { code: 'too_many_requests', message: 'rate limit exceeded' });
    }
    if (this.takeFault(this.faults.unavailable, action)) return this.send(res, 503, { code: 'service_unavailable', message: 'try again' });
    if (this.faults.deny.has(action)) {
      return this.send(res, 403, { code: 'forbidden', message: `the token may not ${action}`, action: `minicloud:${action}` });
    }
    const region = this.regions.get(regionName);
    if (!region) return this.send(res, 404, { code: 'region_not_found', message: `no region "${regionName}"`, field: 'region' });
    const body = req.method === 'POST' ? await readJson(req) : {};
    const answer = this.apply(action, region, id, body, url.searchParams);
    if (this.faults.hold.has(action)) {
      // The resource exists now; its creator never learns the id.
      for (const w of this.heldWaiters.splice(0)) w(action);
      return;
    }
    this.send(res, answer.status, answer.body);
  }

  private apply(action: Action, region: Region, id: string | undefined, body: Record<string, unknown>, q: URLSearchParams): { status: number; body: unknown } {
    const tagFilter = q.get('tag');
    const tagged = (tags: Record<string, string>): boolean => {
      if (tagFilter === null) return true;
      const [k = '', v = ''] = tagFilter.split('=');
      return tags[k] === v;
    };
    switch (action) {
      case 'create-firewall': {
        const name = str(body['name']);
        if (name === '') return invalid('name', 'a firewall needs a name');
        const existing = [...region.firewalls.values()].find((f) => f.name === name);
        if (existing) return { status: 409, body: { code: 'already_exists', message: `a firewall named "${name}" exists`, existing_id: existing.id } };
        const fw: Firewall = { id: this.id('fw'), name, tags: tags(body['tags']) };
        region.firewalls.set(fw.id, fw);
        return { status: 201, body: { firewall: fw } };
      }
      case 'create-machine': {
        const name = str(body['name']);
        const firewallId = str(body['firewall_id']);
        const clientToken = str(body['client_token']) || null;
        if (name === '') return invalid('name', 'a machine needs a name');
        if (!region.firewalls.has(firewallId)) return { status: 404, body: { code: 'not_found', message: `no firewall "${firewallId}"` } };
        const same = clientToken === null ? undefined : [...region.machines.values()].find((x) => x.clientToken === clientToken);
        if (same) {
          // EC2's rule: the same token with other parameters is an error, not a second machine.
          if (same.name !== name || same.firewallId !== firewallId) return { status: 400, body: { code: 'idempotent_parameter_mismatch', message: `client token ${clientToken} was used with other parameters`, field: 'client_token' } };
          return { status: 201, body: { machine: same } };
        }
        const machine: Machine = { id: this.id('m'), name, clientToken, firewallId, tags: tags(body['tags']), state: 'running' };
        region.machines.set(machine.id, machine);
        return { status: 201, body: { machine } };
      }
      case 'list-machines': {
        const token = q.get('client_token');
        const machines = [...region.machines.values()].filter((x) => (token === null || x.clientToken === token) && tagged(x.tags));
        return { status: 200, body: { machines } };
      }
      case 'list-firewalls': {
        const name = q.get('name');
        const firewalls = [...region.firewalls.values()].filter((f) => (name === null || f.name === name) && tagged(f.tags));
        return { status: 200, body: { firewalls } };
      }
      case 'get-machine': {
        const machine = region.machines.get(id ?? '');
        return machine ? { status: 200, body: { machine } } : notFound('machine', id);
      }
      case 'delete-machine': {
        const machine = region.machines.get(id ?? '');
        if (!machine) return notFound('machine', id);
        if (machine.state === 'running') {
          machine.state = 'terminating';
          setTimeout(() => region.machines.delete(machine.id), this.opts.terminateMs ?? 0).unref();
        }
        return { status: 202, body: { machine } };
      }
      case 'delete-firewall': {
        const fw = region.firewalls.get(id ?? '');
        if (!fw) return notFound('firewall', id);
        const user = [...region.machines.values()].find((x) => x.firewallId === fw.id);
        if (user) return { status: 409, body: { code: 'dependency_violation', message: `firewall ${fw.id} is in use by machine ${user.id}`, dependent: user.id } };
        region.firewalls.delete(fw.id);
        return { status: 204, body: null };
      }
    }
  }

  private takeFault(map: Map<Action, number>, action: Action): boolean {
    const n = map.get(action) ?? 0;
    if (n <= 0) return false;
    map.set(action, n - 1);
    return true;
  }

  private id(prefix: string): string {
    return `${prefix}-${(++this.seq).toString().padStart(3, '0')}${randomBytes(2).toString('hex')}`;
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (body === null) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

function actionOf(method: string, collection: string, id: string | undefined): Action | null {
  const one = collection === 'machines' ? 'machine' : 'firewall';
  if (method === 'POST' && id === undefined) return `create-${one}`;
  if (method === 'GET' && id === undefined) return `list-${collection}` as Action;
  if (method === 'GET' && one === 'machine') return 'get-machine';
  if (method === 'DELETE' && id !== undefined) return `delete-${one}`;
  return null;
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function tags(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function invalid(field: string, message: string): { status: number; body: unknown } {
  return { status: 400, body: { code: 'invalid_argument', message, field } };
}

function notFound(what: string, id: string | undefined): { status: number; body: unknown } {
  return { status: 404, body: { code: 'not_found', message: `no ${what} "${id ?? ''}"` } };
}
