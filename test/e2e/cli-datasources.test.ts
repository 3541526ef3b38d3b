// Data sources end to end: `null` and `http` blocks (the latter against an HTTP server this
// test runs on 127.0.0.1) feed locals, a source and provisioners. `validate` checks and
// types them without a request; `build` executes them in dependency order.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

interface Seen {
  method: string;
  url: string;
  token: string | undefined;
  body: string;
}

const seen: Seen[] = [];
let server: http.Server;
let base = '';
let dir = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', token: req.headers['x-token'] as string | undefined, body });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/release' && req.headers['x-token'] === 't0k') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Release-Channel': 'stable' });
        res.end(`1.2.3-${url.searchParams.get('for') ?? ''}\n`);
      } else if (url.pathname === '/echo' && req.method === 'POST') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ got: body }));
      } else {
        res.writeHead(url.pathname === '/release' ? 403 : 404, { 'Content-Type': 'text/plain' });
        res.end('no');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-datasources-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

const TEMPLATE = `
variable "api" { type = string }
variable "greeting" { default = "hello" }

locals {
  # A local using data sources, and data sources using locals: one dependency graph.
  release = trimspace(data.http.release.body)
  summary = "\${data.null.motd.output} on \${local.release} (\${data.http.release.status_code})"
  token   = "t0k"
}

data "http" "echo" {
  url          = "\${var.api}/echo"
  method       = "POST"
  request_body = local.release
}

data "http" "release" {
  url             = "\${var.api}/release?for=\${urlencode(data.null.motd.output)}"
  request_headers = { X-Token = local.token }
}

data "null" "motd" {
  input = "\${var.greeting} from null"
}

data "null" "communicator" {
  input = "none"
}

source "null" "box" {
  communicator = data.null.communicator.output
}

build {
  sources = ["source.null.box"]
  provisioner "shell-local" {
    inline = [
      "echo 'summary: \${local.summary}'",
      "echo 'channel: \${data.http.release.request_headers["X-Release-Channel"]}'",
      "echo 'echo: \${jsondecode(data.http.echo.body).got} \${data.http.echo.status_code}'",
    ]
  }
  post-processor "manifest" {
    output      = "manifest.json"
    custom_data = { release = local.release }
  }
}
`;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const env = (): Record<string, string> => ({ IMGBUILD_STATE_DIR: path.join(dir, '.state') });

test('validate checks every data source without a request, and types data.TYPE.NAME attributes', async () => {
  const file = write('ok.pkr.hcl', TEMPLATE);
  const r = await runCli(['validate', '-var', `api=${base}`, file], { cwd: dir, env: env() });
  expect(r.stderr).toBe('');
  expect(r).toMatchObject({ code: 0, stdout: 'The configuration is valid.\n' });
  expect(seen).toEqual([]);

  const typo = write('typo.pkr.hcl', TEMPLATE.replace('data.http.release.status_code', 'data.http.release.status_cod'));
  const t = await runCli(['validate', '-var', `api=${base}`, typo], { cwd: dir, env: env() });
  expect(t.code).toBe(1);
  expect(t.stderr).toContain('Unsupported attribute');
  expect(t.stderr).toContain('Did you mean "status_code"?');
  expect(seen).toEqual([]);
});

test('build executes data sources in dependency order and uses their values in the source, provisioners and post-processors', async () => {
  const file = write('ok.pkr.hcl', TEMPLATE);
  const r = await runCli(['build', '-var', `api=${base}`, file], { cwd: dir, env: env() });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('summary: hello from null on 1.2.3-hello from null (200)');
  expect(r.stdout).toContain('channel: stable');
  expect(r.stdout).toContain('echo: 1.2.3-hello from null 201');
  // release before echo (echo's body is release's result); each exactly once.
  expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /release?for=hello+from+null', 'POST /echo']);
  expect(seen[0]?.token).toBe('t0k');
  expect(seen[1]?.body).toBe('1.2.3-hello from null');
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { builds: { custom_data: Record<string, string> }[] };
  expect(manifest.builds[0]?.custom_data).toEqual({ release: '1.2.3-hello from null' });
});

test('a data source that fails names its block and the reason', async () => {
  const file = write('fail.pkr.hcl', TEMPLATE.replace('X-Token = local.token', 'X-Token = "wrong"'));
  const r = await runCli(['build', '-var', `api=${base}`, file], { cwd: dir, env: env() });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('Data source data.http.release failed');
  expect(r.stderr).toContain('HTTP request error. Response code: 403');
  expect(r.stderr).toContain('fail.pkr.hcl line 18');
  // The dependant (echo) is not run once release failed.
  expect(seen.map((s) => s.url)).toEqual(['/release?for=hello+from+null']);
});

test('config errors of a data source are reported by validate at the key', async () => {
  const file = write('bad.pkr.hcl', 'data "http" "x" {\n  url    = ""\n  method = "FETCH"\n  color  = 1\n}\ndata "null" "y" {}\n');
  const r = await runCli(['validate', file], { cwd: dir, env: env() });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('The `url` must be specified.');
  expect(r.stderr).toContain('"FETCH"');
  expect(r.stderr).toContain('color');
  expect(r.stderr).toContain('The argument "input" is required');
});

test('a cycle between locals and data sources is one error naming the loop', async () => {
  const file = write('cycle.pkr.hcl', 'locals { a = data.null.b.output }\ndata "null" "b" { input = local.a }\n');
  const r = await runCli(['validate', file], { cwd: dir, env: env() });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('Cycle between local values and data sources');
  expect(r.stderr).toContain('data.null.b → local.a → data.null.b');
});
