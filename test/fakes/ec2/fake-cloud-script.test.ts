// scripts/fake-cloud.sh aws as people and CI start it: the export lines once it is ready,
// the SDK working with only those, and SIGTERM stopping every VM it started.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, waitUntilInstanceRunning } from '@aws-sdk/client-ec2';
import { REPO_ROOT } from '../../helpers/cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-fake-cloud-sh-'));
const stateDir = path.join(work, 'state');
let child: ChildProcess | null = null;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function qemuOfThisCloud(): string[] {
  return (spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((l) => l.includes('qemu-system') && l.includes(stateDir));
}

/** The export lines the script prints once ready. */
function readExports(proc: ChildProcess): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('AWS_DEFAULT_REGION=')) {
        resolve(Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? ''])));
      }
    });
    proc.once('exit', (code) => reject(new Error(`fake-cloud.sh exited ${String(code)} before it was ready: ${err}`)));
  });
}

test('prints the export lines, serves the SDK with just those, and stops its VMs on SIGTERM', async () => {
  const blank = path.join(work, 'blank.raw');
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', blank, '1G']);
  child = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'fake-cloud.sh'), 'aws', '--port', '0', '--state-dir', stateDir, '--no-seeds'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const env = await readExports(child);
  expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
  expect(env['AWS_ENDPOINT_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  const seed = await fetch(`${env['AWS_ENDPOINT_URL'] ?? ''}/_fake/seeds`, { method: 'POST', body: JSON.stringify({ name: 'blank', ownerId: '123456789012', disk: blank, format: 'raw', regions: ['us-east-1'] }) });
  const { imageIds } = (await seed.json()) as { imageIds: string[] };
  // The SDK configured only from the printed environment (endpoint, keys, region); it reads
  // the environment lazily, so it stays set until the calls are made.
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const c = new EC2Client({});
  try {
    await useCloud(c, imageIds[0] ?? '');
  } finally {
    process.env = saved;
  }

  const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  child = null;
  expect(qemuOfThisCloud()).toEqual([]);
}, 120_000);

async function useCloud(c: EC2Client, imageId: string): Promise<void> {
  const run = await c.send(new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.nano', MinCount: 1, MaxCount: 1 }));
  const id = run.Instances?.[0]?.InstanceId ?? '';
  await waitUntilInstanceRunning({ client: c, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { InstanceIds: [id] });
  expect((await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('running');
  expect(qemuOfThisCloud()).toHaveLength(1);
}
