// The guest-facing HTTP server: http_content wins over http_directory, files are served
// from inside the directory only (no "..", no symlink out of it), and it binds 127.0.0.1.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHttpServer, type HttpServerHandle } from './http-server.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-http-test-'));
const root = path.join(work, 'root');
let server: HttpServerHandle;

beforeAll(async () => {
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'sub', 'preseed.cfg'), 'd-i foo\n');
  writeFileSync(path.join(work, 'secret'), 'host secret\n');
  symlinkSync(path.join(work, 'secret'), path.join(root, 'escape'));
  server = await startHttpServer({ directory: root, content: { 'user-data': '#cloud-config\n' }, portMin: 0, portMax: 0 });
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function get(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A raw path: the client must not normalise the ".." away before the server sees it.
    const req = http.request({ host: '127.0.0.1', port: server.port, path: p, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves http_content and files under http_directory', async () => {
  expect(await get('/user-data')).toEqual({ status: 200, body: '#cloud-config\n' });
  expect(await get('/sub/preseed.cfg')).toEqual({ status: 200, body: 'd-i foo\n' });
  expect((await get('/nope')).status).toBe(404);
});

test('never serves anything outside the directory', async () => {
  expect((await get('/../secret')).status).toBe(404);
  expect((await get('/sub/%2e%2e/%2e%2e/secret')).status).toBe(404);
  expect((await get('/escape')).status).toBe(404);
});

test('a port range with nothing free is an error naming the range', async () => {
  const other = await startHttpServer({ directory: null, content: {}, portMin: 0, portMax: 0 });
  try {
    await expect(startHttpServer({ directory: null, content: {}, portMin: other.port, portMax: other.port })).rejects.toThrow(
      `http server: no free port on 127.0.0.1 between ${other.port} and ${other.port}; widen http_port_min/http_port_max`,
    );
  } finally {
    await other.close();
  }
});
