// One real launch on the local EC2, driven by the real AWS SDK: the seeded "Ubuntu jammy"
// AMI (imgbuild's Debian disk, built once and cached) boots under QEMU, cloud-init gives the
// key pair's key to the image's login user and runs the user data, SSH answers on the
// instance's public address; the stopped instance's disk becomes an AMI that boots again
// with another key and keeps what the first instance wrote. Two VM boots in all.
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateImageCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  AuthorizeSecurityGroupIngressCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  waitUntilImageAvailable,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
  waitUntilInstanceTerminated,
} from '@aws-sdk/client-ec2';
import ssh2 from 'ssh2';
import { startFakeEc2, type FakeEc2 } from './index.js';
import type { Inventory } from './control.js';

// Generous: on a loaded 2-core machine a TCG boot to the end of cloud-init can take minutes.
const BOOT_TIMEOUT = 12 * 60_000;
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-ec2-boot-'));
const stateDir = path.join(work, 'state');
let ec2: FakeEc2;
let c: EC2Client;

beforeAll(async () => {
  // The seed disk is built by imgbuild on first use (minutes), cached afterwards.
  ec2 = await startFakeEc2({ stateDir, seeds: 'standard', delays: { imageMs: 500, snapshotMs: 500 } });
  c = new EC2Client({ region: 'us-east-1', endpoint: ec2.url, credentials: ec2.credentials });
}, 30 * 60_000);

afterAll(async () => {
  await ec2?.stop();
  rmSync(work, { recursive: true, force: true });
});

const waiter = { get client(): EC2Client { return c; }, maxWaitTime: 600, minDelay: 2, maxDelay: 5 };

/** Runs commands over SSH once the guest answers (it boots for a while first). */
async function sshRun(host: string, port: number, username: string, privateKey: string, command: string): Promise<string> {
  const deadline = Date.now() + BOOT_TIMEOUT;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const conn = new ssh2.Client();
        conn.on('ready', () => {
          conn.exec(command, (err, stream) => {
            if (err) return reject(err);
            let out = '';
            stream.on('data', (d: Buffer) => (out += d.toString()));
            stream.stderr.on('data', (d: Buffer) => (out += d.toString()));
            stream.on('close', (code: number) => {
              conn.end();
              if (code === 0) resolve(out);
              else reject(new Error(`exit ${code}: ${out}`));
            });
          });
        });
        conn.on('error', reject);
        conn.connect({ host, port, username, privateKey, readyTimeout: 20_000 });
      });
    } catch (e) {
      last = e;
      // Connection refused or reset while the guest boots; a failing command is final.
      if (e instanceof Error && e.message.startsWith('exit ')) throw e;
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }
  throw new Error(`no SSH on ${host}:${port} as ${username}: ${String(last)}`);
}

async function sshEndpoint(id: string): Promise<{ host: string; port: number }> {
  const inst = (await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
  const inv = (await (await fetch(`${ec2.url}/_fake/inventory`)).json()) as Inventory;
  const ssh = inv.regions['us-east-1']?.instances.find((i) => i.id === id)?.ssh ?? '';
  expect(ssh.startsWith(`${inst?.PublicIpAddress ?? '?'}:`)).toBe(true);
  return { host: inst?.PublicIpAddress ?? '', port: Number(ssh.split(':')[1]) };
}

test('a seeded AMI boots to SSH with the key pair and user data; CreateImage of the stopped instance launches again with its changes', async () => {
  const image = (await c.send(new DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['ubuntu/images/*ubuntu-jammy-22.04-amd64-server-*'] }] }))).Images?.[0];
  expect(image?.ImageId).toMatch(/^ami-/);
  const key = await c.send(new CreateKeyPairCommand({ KeyName: 'boot-key', KeyType: 'ed25519' }));
  const sg = await c.send(new CreateSecurityGroupCommand({ GroupName: 'boot-ssh', Description: 'SSH from the test' }));
  await c.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '127.0.0.1/32' }] }] }));
  const userData = '#!/bin/sh\necho "user data ran as $(id -un) on $(hostname)" > /var/tmp/user-data-proof\n';
  const run = await c.send(new RunInstancesCommand({ ImageId: image?.ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, KeyName: 'boot-key', SecurityGroupIds: [sg.GroupId ?? ''], UserData: Buffer.from(userData).toString('base64') }));
  const first = run.Instances?.[0]?.InstanceId ?? '';
  await waitUntilInstanceRunning(waiter, { InstanceIds: [first] });
  const a = await sshEndpoint(first);
  const out = await sshRun(a.host, a.port, 'ubuntu', key.KeyMaterial ?? '', 'cloud-init status --wait >/dev/null; id -un; cat /var/tmp/user-data-proof; sudo -n true && echo sudo-ok; echo first-boot > ~/marker');
  expect(out).toMatch(/^ubuntu\nuser data ran as root on ip-172-31-[\d-]+\nsudo-ok\n$/);

  await c.send(new StopInstancesCommand({ InstanceIds: [first] }));
  await waitUntilInstanceStopped(waiter, { InstanceIds: [first] });
  // The guest powered itself off at the ACPI button: not switched off after the grace time.
  const ami = await c.send(new CreateImageCommand({ InstanceId: first, Name: 'boot-test-image' }));
  await waitUntilImageAvailable(waiter, { ImageIds: [ami.ImageId ?? ''] });
  await c.send(new TerminateInstancesCommand({ InstanceIds: [first] }));

  const key2 = await c.send(new CreateKeyPairCommand({ KeyName: 'boot-key-2', KeyType: 'rsa' }));
  const again = await c.send(new RunInstancesCommand({ ImageId: ami.ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, KeyName: 'boot-key-2', SecurityGroupIds: [sg.GroupId ?? ''] }));
  const second = again.Instances?.[0]?.InstanceId ?? '';
  await waitUntilInstanceRunning(waiter, { InstanceIds: [second] });
  const b = await sshEndpoint(second);
  expect(await sshRun(b.host, b.port, 'ubuntu', key2.KeyMaterial ?? '', 'cat ~/marker; cat /var/tmp/user-data-proof')).toMatch(/^first-boot\nuser data ran as root/);

  await c.send(new TerminateInstancesCommand({ InstanceIds: [second] }));
  await waitUntilInstanceTerminated(waiter, { InstanceIds: [first, second] });
  await c.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId }));
  for (const k of ['boot-key', 'boot-key-2']) await c.send(new DeleteKeyPairCommand({ KeyName: k }));
  const snapshotId = (await c.send(new DescribeImagesCommand({ ImageIds: [ami.ImageId ?? ''] }))).Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
  await c.send(new DeregisterImageCommand({ ImageId: ami.ImageId }));
  await c.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
  const inv = (await (await fetch(`${ec2.url}/_fake/inventory`)).json()) as Inventory;
  expect(inv.regions['us-east-1']).toMatchObject({ instances: [], volumes: [], images: [], snapshots: [], keyPairs: [], securityGroups: [] });
  const qemu = (spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((l) => l.includes('qemu-system') && l.includes(stateDir));
  expect(qemu).toEqual([]);
}, 3 * BOOT_TIMEOUT);
