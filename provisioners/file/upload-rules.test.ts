// Packer's upload rules (docker cp in the docker builder, scp over SSH), row by row through
// the file provisioner: the container communicator over a plain directory standing in for
// the merged overlay, and the SSH communicator against a real OpenSSH server, with SFTP
// and with the exec fallback. test/e2e/container-build.test.ts runs the same rows on runc.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContainerCommunicator } from '../../src/communicators/container/index.js';
import { SshCommunicator, generateEd25519KeyPair } from '../../src/communicators/ssh/index.js';
import { startSshd, type TestSshd } from '../../src/communicators/ssh/test-sshd.js';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Communicator, ProvisionContext } from '../../src/core/plugin.js';
import { rawConfig } from '../../src/core/testing.js';
import { fileProvisioner } from './index.js';
import { LOCAL_TREE, UPLOAD_ROWS, destinationOf, listingCommand, setupCommands, type UploadRow } from './upload-table.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-upload-rules-'));
const local = path.join(work, 'local');
for (const [p, content] of Object.entries(LOCAL_TREE)) {
  if (content === null) mkdirSync(path.join(local, p), { recursive: true });
  else writeFileSync(path.join(local, p), content);
}
const key = generateEd25519KeyPair('imgbuild-test');
let sshd: TestSshd;
let plain: TestSshd;
const comms: Communicator[] = [];

beforeAll(async () => {
  sshd = await startSshd({ authorizedKeys: [key.publicKey] });
  plain = await startSshd({ authorizedKeys: [key.publicKey], sftp: false });
});
afterAll(async () => {
  for (const c of comms) await c.close();
  await sshd.stop();
  await plain.stop();
  rmSync(work, { recursive: true, force: true });
});

function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
}

/** Runs one row: `remoteBase` is the row's directory as the communicator names it, `hostBase` the same on this machine. */
async function runRow(comm: Communicator, row: UploadRow, remoteBase: string, hostBase: string): Promise<string[]> {
  sh(setupCommands(row, hostBase).join(' && '));
  const prepared = fileProvisioner.prepare(rawConfig({ source: row.source, destination: destinationOf(row, remoteBase) }), {
    templateDir: local,
    sourceFullName: 'docker.app',
    buildName: '',
  });
  if (!prepared.config) throw new Error(JSON.stringify(prepared.errors));
  const ctx: ProvisionContext = {
    signal: new AbortController().signal,
    ui: makeUi('docker.app', new MemorySink()),
    comm,
    generated: {},
    build: { buildName: '', sourceFullName: 'docker.app', sourceType: 'docker', sourceName: 'app', runId: 'r', templateDir: local },
  };
  await fileProvisioner.provision(ctx, prepared.config);
  return sh(listingCommand(hostBase)).split('\n').filter((l) => l !== '');
}

const targets: [string, () => { comm: Communicator; remote: (id: string) => string; host: (id: string) => string }][] = [
  [
    'container (docker cp rules)',
    () => {
      const root = path.join(work, 'rootfs');
      mkdirSync(path.join(root, 't'), { recursive: true });
      const comm = new ContainerCommunicator({ rootfs: root, container: () => Promise.reject(new Error('no container needed')) });
      return { comm, remote: (id) => `/t/${id}`, host: (id) => path.join(root, 't', id) };
    },
  ],
  ...(['sftp', 'exec'] as const).map(
    (mode): [string, () => { comm: Communicator; remote: (id: string) => string; host: (id: string) => string }] => [
      `ssh over ${mode} (scp rules)`,
      () => {
        const comm = new SshCommunicator({ host: '127.0.0.1', port: (mode === 'sftp' ? sshd : plain).port, username: 'root', privateKey: key.privateKey, timeoutMs: 10_000, handshakeAttempts: 3, retryDelayMs: 200 });
        comms.push(comm);
        const base = path.join(work, `ssh-${mode}`);
        return { comm, remote: (id) => path.join(base, id), host: (id) => path.join(base, id) };
      },
    ],
  ),
];

describe.each(targets)('%s', (_name, target) => {
  let t: ReturnType<typeof target>;
  beforeAll(() => {
    t = target();
  });
  test.each(UPLOAD_ROWS.map((r) => [`${r.id}: ${r.title}`, r] as const))('%s', async (_title, row) => {
    const run = runRow(t.comm, row, t.remote(row.id), t.host(row.id));
    if (row.expected instanceof RegExp) await expect(run).rejects.toThrow(row.expected);
    else expect(await run).toEqual(row.expected);
  });
});
