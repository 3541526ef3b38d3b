// Starts Debian's docker-registry (distribution 2.8) on 127.0.0.1:<free port> with a temp
// config and storage, optionally behind htpasswd basic auth or token auth served by a tiny
// token server written here (RS256 JWTs with an x5c chain the registry trusts), and stops it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createSign, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the registry part of references. */
  host: string;
  port: number;
  dir: string;
  /** Token server requests seen (query strings), for asserting the flow happened. */
  tokenRequests: string[];
  stop(): Promise<void>;
}

export interface RegistryOptions {
  auth?: { kind: 'basic' | 'token'; username: string; password: string };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'imgbuild-registry-'));
  const port = await freePort();
  const tokenRequests: string[] = [];
  let tokenServer: Server | null = null;
  let authYaml = '';
  if (opts.auth?.kind === 'basic') {
    await writeFile(join(dir, 'htpasswd'), `${opts.auth.username}:${bcrypt.hashSync(opts.auth.password, 8)}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (opts.auth?.kind === 'token') {
    const key = join(dir, 'token.key');
    const cert = join(dir, 'token.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=imgbuild-test-token'], {
      stdio: 'ignore',
    });
    const tport = await freePort();
    tokenServer = await startTokenServer(tport, await readFile(key, 'utf8'), await readFile(cert, 'utf8'), opts.auth, tokenRequests);
    authYaml = `auth:\n  token:\n    realm: http://127.0.0.1:${tport}/token\n    service: imgbuild-test\n    issuer: imgbuild-test-issuer\n    rootcertbundle: ${cert}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${authYaml}`;
  await writeFile(join(dir, 'config.yml'), config);
  const proc = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  await waitReady(port, proc, () => stderr);
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    tokenRequests,
    stop: async () => {
      await stopProcess(proc);
      const ts = tokenServer;
      if (ts) await new Promise<void>((r) => ts.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(port: number, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${stderr()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopProcess(proc);
  throw new Error(`docker-registry did not start on port ${port}: ${stderr()}`);
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const closed = new Promise<void>((r) => proc.once('close', () => r()));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await closed;
  clearTimeout(t);
}

function startTokenServer(
  port: number,
  keyPem: string,
  certPem: string,
  auth: { username: string; password: string },
  seen: string[],
): Promise<Server> {
  const der = new X509Certificate(certPem).raw.toString('base64');
  const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    seen.push(url.search);
    const header = req.headers.authorization ?? '';
    const [user, pass] = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString().split(':') : [];
    if (header !== '' && (user !== auth.username || pass !== auth.password)) {
      res.writeHead(401).end('{"details":"bad credentials"}');
      return;
    }
    // Anonymous callers get a token with no access: the registry then refuses with 401.
    const access = url.searchParams.getAll('scope').flatMap((s) => {
      const [type, name, actions] = s.split(':');
      return user === undefined ? [] : [{ type, name, actions: (actions ?? '').split(',') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({ iss: 'imgbuild-test-issuer', sub: user ?? '', aud: 'imgbuild-test', exp: now + 600, nbf: now - 10, iat: now, jti: String(Math.random()), access }),
    );
    const sig = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(keyPem);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${head}.${claims}.${b64url(sig)}` }));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
