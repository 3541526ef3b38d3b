// The host driver's own side effects, against real components: HTTP downloads from a
// local server (complete file or nothing), hashing, and qemu-img errors that name the tool.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HostQemuDriver } from './driver.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-qemu-driver-'));
const driver = new HostQemuDriver(work);
const body = Buffer.alloc(200_000, 3);
const server = http.createServer((req, res) => {
  if (req.url === '/image.raw') {
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
});
let base = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

const signal = new AbortController().signal;

test('downloads a file whole and hashes it', async () => {
  const dest = path.join(work, 'image.raw');
  await driver.download(`${base}/image.raw`, dest, signal);
  expect(readFileSync(dest).equals(body)).toBe(true);
  expect(await driver.hashFile(dest, 'sha256', signal)).toBe(createHash('sha256').update(body).digest('hex'));
});

test('a failed download leaves no file and says what happened', async () => {
  const dest = path.join(work, 'missing.raw');
  await expect(driver.download(`${base}/missing.raw`, dest, signal)).rejects.toThrow(`download ${base}/missing.raw: HTTP 404 Not Found`);
  expect(existsSync(dest)).toBe(false);
  expect(existsSync(`${dest}.part`)).toBe(false);
});

test('qemu-img failures carry its own message', async () => {
  await expect(driver.qemuImg(['info', path.join(work, 'nope.qcow2')], signal)).rejects.toThrow(/^qemu-img info: qemu-img: Could not open/);
});
