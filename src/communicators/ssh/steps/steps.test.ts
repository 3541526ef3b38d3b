// The shared SSH steps against a real OpenSSH server: the temporary key (ed25519 by default,
// RSA when the template or the cloud asks) is accepted by sshd through the shared connect
// step, the key file path is checked before anything starts, and a machine that dies while
// SSH is awaited ends the wait at once with the builder's own account of why.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMUNICATOR, GENERATED_DATA } from '../../../core/build-state.js';
import { BuildError } from '../../../core/errors.js';
import { MemorySink, makeUi } from '../../../core/events.js';
import type { StepContext } from '../../../core/plugin.js';
import { sleep } from '../../../core/runner.js';
import { StateBag } from '../../../core/state.js';
import type { SshConfig } from '../config.js';
import { SshCommunicator } from '../index.js';
import { SSH_PRIVATE_KEY, SSH_TEMP_KEY } from '../state.js';
import { freePort, startSshd } from '../test-sshd.js';
import { StepConnectSsh, type SshConnector } from './step-connect.js';
import { StepSshKey } from './step-ssh-key.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-ssh-steps-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sshConfig(over: Partial<SshConfig> = {}): SshConfig {
  return {
    host: null,
    port: null,
    username: 'root',
    password: null,
    privateKeyFile: null,
    agentAuth: false,
    timeoutMs: 15_000,
    handshakeAttempts: 3,
    keepAliveIntervalMs: 5_000,
    bastion: null,
    pauseBeforeConnectingMs: 0,
    temporaryKey: true,
    temporaryKeyType: 'ed25519',
    temporaryKeyBits: 2048,
    ...over,
  };
}

function context(signal = new AbortController().signal): StepContext & { sink: MemorySink } {
  const sink = new MemorySink();
  return {
    sink,
    state: new StateBag(),
    signal,
    ui: makeUi('test.vm', sink),
    journal: { record: () => Promise.reject(new Error('nothing to journal')), complete: (e) => Promise.resolve(e), strike: () => Promise.resolve() },
    build: { buildName: '', sourceFullName: 'test.vm', sourceType: 'test', sourceName: 'vm', runId: 'run0123456789', templateDir: work },
  };
}

const connector: SshConnector = { communicator: (o) => new SshCommunicator(o), sleep };

describe.each([
  { name: 'ed25519 by default', ssh: sshConfig(), required: undefined, prefix: 'ssh-ed25519 ' },
  { name: 'RSA when the template asks (temporary_key_pair_type = "rsa")', ssh: sshConfig({ temporaryKeyType: 'rsa' }), required: undefined, prefix: 'ssh-rsa ' },
  { name: 'RSA when the cloud requires it', ssh: sshConfig(), required: 'rsa' as const, prefix: 'ssh-rsa ' },
])('temporary key: $name', ({ ssh, required, prefix }) => {
  test('sshd accepts it through the shared connect step; provisioners get the connection data', async () => {
    const ctx = context();
    const keyStep = new StepSshKey(ssh, required === undefined ? {} : { requiredKeyType: required });
    await keyStep.run(ctx);
    const pair = ctx.state.require(SSH_TEMP_KEY);
    expect(pair.publicKey.startsWith(prefix)).toBe(true);
    expect(ctx.state.get(SSH_PRIVATE_KEY)).toBe(pair.privateKey);

    // ssh-keygen reads the private key, derives the same public key and fingerprint.
    const f = path.join(work, `id_${prefix.trim()}_${required ?? 'tpl'}`);
    writeFileSync(f, pair.privateKey, { mode: 0o600 });
    expect(pair.publicKey.startsWith(execFileSync('ssh-keygen', ['-y', '-f', f]).toString().trim())).toBe(true);
    expect(execFileSync('ssh-keygen', ['-l', '-f', f]).toString()).toContain(pair.fingerprint);

    const sshd = await startSshd({ authorizedKeys: [pair.publicKey] });
    const connect = new StepConnectSsh({ ssh, connector, target: () => ({ host: '127.0.0.1', port: sshd.port }) });
    try {
      await connect.run(ctx);
      const comm = ctx.state.require(COMMUNICATOR);
      let out = '';
      const r = await comm.exec('echo connected as $(id -un)', { onStdout: (d) => (out += d.toString()) });
      expect(r.exitCode).toBe(0);
      expect(out.trim()).toBe('connected as root');
      expect(ctx.state.get(GENERATED_DATA)).toMatchObject({ Host: '127.0.0.1', Port: sshd.port, User: 'root', SSHPublicKey: pair.publicKey, SSHPrivateKey: pair.privateKey });
    } finally {
      await connect.cleanup(ctx);
      await keyStep.cleanup(ctx);
      await sshd.stop();
    }
    expect(ctx.state.get(COMMUNICATOR)).toBeUndefined();
    expect(ctx.state.get(SSH_TEMP_KEY)).toBeUndefined();
  });
});

test('ssh_private_key_file is read before anything starts; a wrong path names the key', async () => {
  const ctx = context();
  const file = path.join(work, 'given_key');
  writeFileSync(file, 'PRIVATE KEY TEXT');
  await new StepSshKey(sshConfig({ privateKeyFile: file, temporaryKey: false })).run(ctx);
  expect(ctx.state.get(SSH_PRIVATE_KEY)).toBe('PRIVATE KEY TEXT');
  expect(ctx.state.get(SSH_TEMP_KEY)).toBeUndefined();
  await expect(new StepSshKey(sshConfig({ privateKeyFile: '/nonexistent/key', temporaryKey: false })).run(context())).rejects.toThrow(
    /^ssh_private_key_file \/nonexistent\/key: .*no such file or directory.*; check the path/,
  );
});

test('no SSH: no key, and the connect step leaves the "none" communicator', async () => {
  const ctx = context();
  await new StepSshKey(null).run(ctx);
  expect(ctx.state.get(SSH_TEMP_KEY)).toBeUndefined();
  await new StepConnectSsh({ ssh: null, connector, target: () => Promise.reject(new Error('must not be asked')) }).run(ctx);
  expect(ctx.state.require(COMMUNICATOR).type).toBe('none');
});

test('a machine that dies while SSH is awaited ends the wait with the builder\'s account, long before ssh_timeout', async () => {
  // A port that accepts TCP and never speaks SSH, as a booting machine's does; the machine
  // dies as soon as the first attempt reaches it.
  let gone = false;
  let die: () => void = () => undefined;
  const died = new Promise<void>((r) => (die = r));
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => {
    sockets.push(s);
    gone = true;
    die();
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as net.AddressInfo).port;
  const attempts: string[] = [];
  const ctx = context();
  const step = new StepConnectSsh({
    ssh: sshConfig({ timeoutMs: 10 * 60_000 }),
    connector: {
      communicator: (o) => new SshCommunicator({ ...o, onRetry: (_n, last) => attempts.push(last) }),
      sleep,
    },
    target: () => ({ host: '127.0.0.1', port }),
    watch: () => ({ gone: died, isGone: () => gone, error: (during) => Promise.resolve(new BuildError(`machine m-1 terminated ${during}: Server.InternalError`, { code: 'E_MACHINE_GONE' })) }),
  });
  try {
    await expect(step.run(ctx)).rejects.toMatchObject({ code: 'E_MACHINE_GONE', message: 'machine m-1 terminated while waiting for SSH: Server.InternalError' });
    // Ended during the first attempt: no retry was started.
    expect(attempts).toEqual([]);
  } finally {
    await step.cleanup(ctx);
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('ssh_host and ssh_port from the template win over the builder\'s target', async () => {
  const port = await freePort();
  const ctx = context();
  const seen: string[] = [];
  const step = new StepConnectSsh({
    ssh: sshConfig({ host: '127.0.0.1', port, timeoutMs: 1, handshakeAttempts: 1 }),
    connector: { communicator: (o) => (seen.push(`${o.host}:${o.port}`), new SshCommunicator(o)), sleep },
    target: () => Promise.reject(new Error('must not be asked')),
  });
  await expect(step.run(ctx)).rejects.toThrow(/127\.0\.0\.1:\d+/);
  expect(seen).toEqual([`127.0.0.1:${port}`]);
  await step.cleanup(ctx);
});
