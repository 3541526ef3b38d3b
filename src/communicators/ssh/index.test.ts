// The SSH communicator against a real OpenSSH server on 127.0.0.1: commands, streaming,
// exit codes and signals, abort, file and directory transfer over SFTP and without it, a
// jump host, reconnection after the server drops the connection, and the failure modes
// of a connection that never comes (each error saying what was tried, within ssh_timeout).
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { once } from 'node:events';
import { SshCommunicator, SshConnectError, SshDisconnectedError, generateEd25519KeyPair, type SshConnectOptions } from './index.js';
import { freePort, startSshd, type TestSshd } from './test-sshd.js';

const key = generateEd25519KeyPair('imgbuild-test');
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-ssh-test-'));
let sshd: TestSshd;
let plain: TestSshd;

beforeAll(async () => {
  sshd = await startSshd({ authorizedKeys: [key.publicKey] });
  plain = await startSshd({ authorizedKeys: [key.publicKey], sftp: false });
});
afterAll(async () => {
  await sshd.stop();
  await plain.stop();
  rmSync(work, { recursive: true, force: true });
});

function opts(port: number, extra: Partial<SshConnectOptions> = {}): SshConnectOptions {
  return { host: '127.0.0.1', port, username: 'root', privateKey: key.privateKey, timeoutMs: 10_000, handshakeAttempts: 3, retryDelayMs: 200, ...extra };
}

const comms: SshCommunicator[] = [];
function comm(port: number, extra: Partial<SshConnectOptions> = {}): SshCommunicator {
  const c = new SshCommunicator(opts(port, extra));
  comms.push(c);
  return c;
}
afterEach(async () => {
  for (const c of comms.splice(0)) await c.close();
});

describe('temporary key', () => {
  test('is an OpenSSH ed25519 pair that ssh-keygen reads and derives the same public key from', () => {
    const f = path.join(work, 'id_test');
    writeFileSync(f, key.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', f]).toString().trim();
    expect(key.publicKey.startsWith(derived)).toBe(true);
    const fp = execFileSync('ssh-keygen', ['-l', '-f', f]).toString();
    expect(fp).toContain(key.fingerprint);
  });
});

describe('exec', () => {
  test('streams stdout and stderr separately and returns the exit code', async () => {
    const c = comm(sshd.port);
    let out = '';
    let err = '';
    const res = await c.exec('echo hello; echo oops >&2; printf "é"; exit 3', { onStdout: (s) => (out += s), onStderr: (s) => (err += s) });
    expect(res).toEqual({ exitCode: 3 });
    expect(out).toBe('hello\né');
    expect(err).toBe('oops\n');
  });

  test('reports a command killed by a signal', async () => {
    const res = await comm(sshd.port).exec('kill -TERM $$');
    expect(res.signal).toBe('SIGTERM');
    expect(res.exitCode).toBe(128 + 15);
  });

  test('feeds stdin from a string and from a stream, and passes env', async () => {
    const c = comm(sshd.port);
    let out = '';
    await c.exec('cat', { stdin: 'from string\n', onStdout: (s) => (out += s) });
    await c.exec('cat', { stdin: Readable.from(['from ', 'stream\n']), onStdout: (s) => (out += s) });
    await c.exec('echo "$GREETING"', { env: { GREETING: "it's here" }, onStdout: (s) => (out += s) });
    expect(out).toBe("from string\nfrom stream\nit's here\n");
  });

  test('an abort stops a long command promptly', async () => {
    const c = comm(sshd.port);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 300);
    await expect(c.exec('sleep 31.5', { signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(5_000);
    // The connection is still usable afterwards. (The kill itself is sshd's: it refuses
    // "signal" requests in root sessions, so the test cannot check it as root.)
    expect(await c.exec('pkill -f "sleep 3[1].5"; true')).toEqual({ exitCode: 0 });
  });

  test('a dropped connection is a typed disconnect error and the next command reconnects', async () => {
    const c = comm(sshd.port);
    // Kill this session's sshd process: what a reboot looks like from the client.
    const p = c.exec('kill -KILL $PPID; sleep 5');
    await expect(p).rejects.toBeInstanceOf(SshDisconnectedError);
    await expect(p).rejects.toMatchObject({ code: 'E_COMM_DISCONNECTED', message: expect.stringContaining('expect_disconnect') });
    let out = '';
    expect(await c.exec('echo back', { onStdout: (s) => (out += s) })).toEqual({ exitCode: 0 });
    expect(out).toBe('back\n');
  });

  test('a connection that goes silent (a guest rebooting under it) fails pending work within the keepalive limit; the next call reconnects', async () => {
    // A TCP relay to sshd that can stop passing bytes: the server vanishes without a FIN,
    // as when a VM reboots behind QEMU's port forward after the command already returned.
    let frozen = false;
    const sockets: net.Socket[] = [];
    const relay = net.createServer((client) => {
      const server = net.connect(sshd.port, '127.0.0.1');
      sockets.push(client, server);
      client.on('data', (d: Buffer) => void (frozen || server.write(d)));
      server.on('data', (d: Buffer) => void (frozen || client.write(d)));
      for (const [a, b] of [[client, server], [server, client]] as const) {
        a.on('error', () => undefined);
        a.on('close', () => b.destroy());
      }
    });
    relay.listen(0, '127.0.0.1');
    await once(relay, 'listening');
    const port = (relay.address() as net.AddressInfo).port;
    try {
      const c = comm(port, { keepAliveIntervalMs: 500, timeoutMs: 30_000 });
      await c.upload(path.join(work, 'silent-1'), Buffer.from('one'));
      expect(await c.exec('true')).toEqual({ exitCode: 0 });
      frozen = true;
      // Ctrl-C while the connection hangs: cancelled at once, not after the keepalive.
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const aborting = Date.now();
      await expect(c.upload(path.join(work, 'silent-0'), Buffer.from('zero'), { signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
      expect(Date.now() - aborting).toBeLessThan(1000);
      const started = Date.now();
      await expect(c.upload(path.join(work, 'silent-2'), Buffer.from('two'))).rejects.toMatchObject({ code: 'E_COMM_DISCONNECTED' });
      expect(Date.now() - started).toBeLessThan(10_000);
      // The "guest" is back: new connections pass again, and the next call reconnects.
      for (const s of sockets) s.destroy();
      frozen = false;
      let out = '';
      expect(await c.exec('echo back', { onStdout: (x) => (out += x) })).toEqual({ exitCode: 0 });
      expect(out).toBe('back\n');
    } finally {
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });

  test('authenticates through ssh-agent (ssh_agent_auth)', async () => {
    const sock = path.join(work, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent)?.[1];
    try {
      const f = path.join(work, 'id_agent');
      writeFileSync(f, key.privateKey, { mode: 0o600 });
      execFileSync('ssh-add', ['-q', f], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const { privateKey: _unused, ...noKey } = opts(sshd.port, { agent: sock });
      const c = new SshCommunicator(noKey);
      comms.push(c);
      expect(await c.exec('true')).toEqual({ exitCode: 0 });
    } finally {
      if (pid) process.kill(Number(pid));
    }
  });

  test('reaches the target through a bastion host', async () => {
    const c = comm(sshd.port, { bastion: { host: '127.0.0.1', port: plain.port, username: 'root', privateKey: key.privateKey } });
    let out = '';
    expect(await c.exec('echo via-bastion', { onStdout: (s) => (out += s) })).toEqual({ exitCode: 0 });
    expect(out).toBe('via-bastion\n');
  });
});

describe.each([
  ['sftp', () => sshd.port],
  ['no sftp subsystem (exec fallback)', () => plain.port],
])('files over %s', (_name, port) => {
  test('upload creates parents, sets the mode exactly, and download reads it back', async () => {
    const c = comm(port());
    const remote = path.join(work, `up-${port()}`, 'a', 'b', 'file.sh');
    await c.upload(remote, Buffer.from('#!/bin/sh\necho hi\n'), { mode: 0o750 });
    expect(readFileSync(remote, 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(statSync(remote).mode & 0o777).toBe(0o750);
    await c.upload(remote, Readable.from([Buffer.alloc(300_000, 7)]));
    expect(statSync(remote).size).toBe(300_000);

    const local = path.join(work, `down-${port()}`);
    const ws = createWriteStream(local);
    await c.download(remote, ws);
    expect(readFileSync(local).equals(Buffer.alloc(300_000, 7))).toBe(true);
  });

  test('a missing remote file is an error naming it', async () => {
    const c = comm(port());
    const sink = new PassThrough();
    sink.resume();
    await expect(c.download('/nonexistent/imgbuild/file', sink)).rejects.toThrow(/\/nonexistent\/imgbuild\/file/);
  });

  test('uploadDir copies a tree with modes and symlinks, honouring the trailing slash', async () => {
    const c = comm(port());
    const src = path.join(work, `tree-${port()}`);
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'top.txt'), 'top');
    writeFileSync(path.join(src, 'sub', 'run.sh'), 'x', { mode: 0o755 });
    writeFileSync(path.join(src, 'skip.log'), 'no');
    symlinkSync('top.txt', path.join(src, 'link'));
    const dst = path.join(work, `remote-${port()}`);
    mkdirSync(dst);
    await c.uploadDir(dst, src, { exclude: ['*.log'] });
    const base = path.join(dst, path.basename(src));
    expect(readFileSync(path.join(base, 'top.txt'), 'utf8')).toBe('top');
    expect(statSync(path.join(base, 'sub', 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(path.join(base, 'link'))).toBe('top.txt');
    expect(existsSync(path.join(base, 'skip.log'))).toBe(false);
    const dst2 = path.join(work, `remote2-${port()}`);
    await c.uploadDir(dst2, `${src}/`);
    expect(readFileSync(path.join(dst2, 'top.txt'), 'utf8')).toBe('top');
  });
});

test('downloadDir copies a remote tree over sftp', async () => {
  const c = comm(sshd.port);
  const src = path.join(work, 'dl-src');
  mkdirSync(path.join(src, 'd'), { recursive: true });
  writeFileSync(path.join(src, 'd', 'f'), 'deep');
  const dst = path.join(work, 'dl-dst');
  await c.downloadDir(`${src}/`, dst);
  expect(readFileSync(path.join(dst, 'd', 'f'), 'utf8')).toBe('deep');
});

describe('a connection that never comes', () => {
  test('refused: nothing listening; the error names endpoint, auth, attempts and time', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await comm(port, { timeoutMs: 2_000 }).exec('true').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(err).toBeInstanceOf(SshConnectError);
    expect((err as Error).message).toMatch(
      new RegExp(`^ssh: could not connect to root@127\\.0\\.0\\.1:${port} after \\d+ attempts in \\d+(\\.\\d+)?s \\(auth: publickey\\): last error: connection refused .*ECONNREFUSED`),
    );
  });

  test('wrong key: authentication fails and ssh_handshake_attempts ends it early', async () => {
    const other = generateEd25519KeyPair('stranger');
    const started = Date.now();
    const err = await comm(sshd.port, { privateKey: other.privateKey, timeoutMs: 60_000, handshakeAttempts: 2 })
      .exec('true')
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((err as Error).message).toMatch(
      /could not connect to root@127\.0\.0\.1:\d+ after 2 attempts in .* \(ssh_handshake_attempts = 2 reached\) \(auth: publickey\): last error: All configured authentication methods failed; check ssh_username/,
    );
  });

  test('host never up: a port that accepts TCP but never speaks SSH', async () => {
    const silent = net.createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const err = await comm(port, { timeoutMs: 3_000, password: 'x' }).exec('true').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect((err as Error).message).toMatch(
        new RegExp(`could not connect to root@127\\.0\\.0\\.1:${port} after \\d+ attempts? in .* \\(auth: publickey, password\\): last error: Timed out while waiting for handshake; the port accepts connections but no SSH server answers`),
      );
    } finally {
      silent.close();
    }
  });

  test('an abort while waiting ends the wait at once', async () => {
    const port = await freePort();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    await expect(comm(port, { timeoutMs: 60_000 }).connect(ac.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
