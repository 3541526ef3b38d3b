// The local EC2 driven by the real AWS SDK v3: signatures, error codes, idempotency, regions,
// state transitions, faults, the EBS direct API, STS, SSM and Secrets Manager. Instances here
// boot a blank disk (QEMU really runs, SeaBIOS finds nothing to boot and idles), so no test
// in this file waits for a guest OS; ec2-boot.test.ts boots a real one.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CopyImageCommand,
  CreateImageCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeImportImageTasksCommand,
  DescribeImportSnapshotTasksCommand,
  ImportImageCommand,
  ImportSnapshotCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  ImportKeyPairCommand,
  ModifyImageAttributeCommand,
  ModifyInstanceAttributeCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  waitUntilImageAvailable,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
  waitUntilInstanceTerminated,
  type EC2ServiceException,
  type RunInstancesCommandInput,
  type SnapshotTaskDetail,
} from '@aws-sdk/client-ec2';
import { CompleteSnapshotCommand, EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand, PutSnapshotBlockCommand, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import ssh2 from 'ssh2';
import { startFakeEc2, type FakeEc2 } from './index.js';
import type { FaultRule } from './faults.js';
import type { Inventory } from './control.js';

const BLOCK = 512 * 1024;
const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-ec2-api-'));
const blank = path.join(work, 'blank.raw');
let ec2: FakeEc2;

beforeAll(async () => {
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', blank, '1G']);
  ec2 = await startFakeEc2({
    stateDir: path.join(work, 'state'),
    seeds: [{ name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101', ownerId: '099720109477', disk: blank, format: 'raw', loginUser: 'ubuntu', regions: ['us-east-1'] }],
    delays: { launchMs: 300, stopMs: 300, terminateMs: 300, imageMs: 300, copyMs: 300, snapshotMs: 400, powerOffGraceMs: 1_000 },
    maxRunningInstances: 3,
  });
});

afterAll(async () => {
  await ec2?.stop();
  rmSync(work, { recursive: true, force: true });
});

function client(region = 'us-east-1', opts: { maxAttempts?: number; secret?: string; key?: string } = {}): EC2Client {
  return new EC2Client({
    region,
    endpoint: ec2.url,
    credentials: { accessKeyId: opts.key ?? ec2.credentials.accessKeyId, secretAccessKey: opts.secret ?? ec2.credentials.secretAccessKey },
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

function config(region = 'us-east-1', secret?: string): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number } {
  return { region, endpoint: ec2.url, credentials: { accessKeyId: ec2.credentials.accessKeyId, secretAccessKey: secret ?? ec2.credentials.secretAccessKey }, maxAttempts: 1 };
}

/** The SDK error's code and message, for assertions. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as EC2ServiceException;
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function setFaults(rules: FaultRule[]): Promise<void> {
  const res = await fetch(`${ec2.url}/_fake/faults`, { method: 'POST', body: JSON.stringify({ rules }) });
  expect(res.status).toBe(200);
}

async function inventory(): Promise<Inventory> {
  return (await (await fetch(`${ec2.url}/_fake/inventory`)).json()) as Inventory;
}

async function jammy(c = client()): Promise<string> {
  const r = await c.send(new DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['ubuntu/images/*ubuntu-jammy-22.04-amd64-server-*'] }, { Name: 'state', Values: ['available'] }] }));
  expect(r.Images).toHaveLength(1);
  return r.Images?.[0]?.ImageId ?? '';
}

const waiter = (c: EC2Client): { client: EC2Client; maxWaitTime: number; minDelay: number; maxDelay: number } => ({ client: c, maxWaitTime: 120, minDelay: 1, maxDelay: 2 });

/** An EBS-direct snapshot with the given blocks, completed, and its id. */
async function directSnapshot(region: string, blocks: Map<number, Buffer>, sizeGiB = 1): Promise<string> {
  const ebs = new EBSClient(config(region));
  const start = await ebs.send(new StartSnapshotCommand({ VolumeSize: sizeGiB, ClientToken: `t-${Math.random()}` }));
  const id = start.SnapshotId ?? '';
  const sums: Buffer[] = [];
  for (const [index, data] of [...blocks].sort((a, b) => a[0] - b[0])) {
    const sum = createHash('sha256').update(data).digest();
    sums.push(sum);
    await ebs.send(new PutSnapshotBlockCommand({ SnapshotId: id, BlockIndex: index, BlockData: data, DataLength: BLOCK, Checksum: sum.toString('base64'), ChecksumAlgorithm: 'SHA256' }));
  }
  const aggregate = createHash('sha256').update(Buffer.concat(sums)).digest('base64');
  await ebs.send(new CompleteSnapshotCommand({ SnapshotId: id, ChangedBlocksCount: blocks.size, Checksum: aggregate, ChecksumAlgorithm: 'SHA256', ChecksumAggregationMethod: 'LINEAR' }));
  const c = client(region);
  for (;;) {
    const s = await c.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
    if (s.Snapshots?.[0]?.State === 'completed') return id;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('signatures', () => {
  test('a wrong secret key, an unknown access key and an unknown region fail with AuthFailure; the right ones pass', async () => {
    expect((await client().send(new DescribeRegionsCommand({}))).Regions?.map((r) => r.RegionName)).toContain('eu-west-1');
    expect(await failure(client('us-east-1', { secret: 'not-the-secret' }).send(new DescribeRegionsCommand({})))).toMatchObject({ name: 'AuthFailure', status: 401 });
    expect(await failure(client('us-east-1', { key: 'AKIAUNKNOWN000000000' }).send(new DescribeRegionsCommand({})))).toMatchObject({ name: 'AuthFailure' });
    const region = await failure(client('mars-north-1').send(new DescribeRegionsCommand({})));
    expect(region.name).toBe('AuthFailure');
    expect(region.message).toContain("region 'mars-north-1'");
  });

  test('STS and the JSON services name bad keys and bad signatures their own way', async () => {
    expect((await new STSClient(config()).send(new GetCallerIdentityCommand({}))).Account).toBe(ec2.cloud.accountId);
    expect((await failure(new STSClient(config('us-east-1', 'wrong')).send(new GetCallerIdentityCommand({})))).name).toBe('SignatureDoesNotMatch');
    expect((await failure(new SSMClient(config('us-east-1', 'wrong')).send(new GetParameterCommand({ Name: 'x' })))).name).toBe('InvalidSignatureException');
    const unknown = new SSMClient({ ...config(), credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } });
    expect((await failure(unknown.send(new GetParameterCommand({ Name: 'x' })))).name).toBe('UnrecognizedClientException');
  });
});

describe('images, key pairs, regions', () => {
  test('DescribeImages: owners, wildcard name filters, tag filters; a missing or malformed id is InvalidAMIID.*', async () => {
    const id = await jammy();
    expect((await client().send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images).toEqual([]);
    expect((await client().send(new DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['debian-12-*'] }] }))).Images).toEqual([]);
    const [img] = (await client().send(new DescribeImagesCommand({ ImageIds: [id] }))).Images ?? [];
    expect(img).toMatchObject({ ImageId: id, OwnerId: '099720109477', State: 'available', Public: true, RootDeviceName: '/dev/xvda', VirtualizationType: 'hvm', Architecture: 'x86_64' });
    expect(img?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).toMatch(/^snap-/);
    expect((await failure(client().send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })))).name).toBe('InvalidAMIID.NotFound');
    expect((await failure(client().send(new DescribeImagesCommand({ ImageIds: ['nope'] })))).name).toBe('InvalidAMIID.Malformed');
    expect(await failure(client().send(new DescribeImagesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })))).toMatchObject({ name: 'InvalidParameterValue', message: "The filter 'colour' is invalid" });
    // Each region has its own images: the seed was published in us-east-1 only.
    expect((await failure(client('eu-west-1').send(new DescribeImagesCommand({ ImageIds: [id] })))).name).toBe('InvalidAMIID.NotFound');
  });

  test('key pairs: RSA and ED25519 keys that parse, a duplicate name is InvalidKeyPair.Duplicate, regions are apart, delete is idempotent', async () => {
    const rsa = await client().send(new CreateKeyPairCommand({ KeyName: 'kp-rsa' }));
    expect(rsa.KeyMaterial).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(rsa.KeyFingerprint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    const ed = await client().send(new CreateKeyPairCommand({ KeyName: 'kp-ed', KeyType: 'ed25519' }));
    const parsed = ssh2.utils.parseKey(ed.KeyMaterial ?? '');
    expect(parsed instanceof Error ? parsed.message : (parsed as { type: string }).type).toBe('ssh-ed25519');
    expect(await failure(client().send(new CreateKeyPairCommand({ KeyName: 'kp-rsa' })))).toMatchObject({ name: 'InvalidKeyPair.Duplicate', message: "The keypair 'kp-rsa' already exists." });
    // The same name is free in another region.
    await client('eu-west-1').send(new ImportKeyPairCommand({ KeyName: 'kp-rsa', PublicKeyMaterial: Buffer.from(ssh2.utils.generateKeyPairSync('ed25519').public) }));
    const east = (await client().send(new DescribeKeyPairsCommand({}))).KeyPairs?.map((k) => k.KeyName).sort();
    const west = (await client('eu-west-1').send(new DescribeKeyPairsCommand({}))).KeyPairs?.map((k) => k.KeyName);
    expect({ east, west }).toEqual({ east: ['kp-ed', 'kp-rsa'], west: ['kp-rsa'] });
    for (const [r, n] of [['us-east-1', 'kp-rsa'], ['us-east-1', 'kp-ed'], ['eu-west-1', 'kp-rsa'], ['eu-west-1', 'kp-rsa']] as const) {
      expect((await client(r).send(new DeleteKeyPairCommand({ KeyName: n }))).Return).toBe(true);
    }
    expect((await client().send(new DescribeKeyPairsCommand({}))).KeyPairs).toEqual([]);
  });

  test('default network: one default VPC and a default subnet per zone in every region', async () => {
    for (const region of ['us-east-1', 'ap-southeast-2']) {
      const vpcs = (await client(region).send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs ?? [];
      expect(vpcs).toHaveLength(1);
      const subnets = (await client(region).send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcs[0]?.VpcId ?? ''] }] }))).Subnets ?? [];
      expect(subnets.map((s) => s.AvailabilityZone).sort()).toEqual([`${region}a`, `${region}b`, `${region}c`]);
      expect(subnets.every((s) => s.DefaultForAz && s.MapPublicIpOnLaunch)).toBe(true);
    }
  });

  test('RegisterImage from an EBS-direct snapshot; a duplicate name is InvalidAMIName.Duplicate naming the AMI; the snapshot is InUse until deregistered; CopyImage to another region', async () => {
    const snap = await directSnapshot('us-east-1', new Map([[0, Buffer.alloc(BLOCK, 1)]]));
    const reg = await client().send(new RegisterImageCommand({ Name: 'registered-1', RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snap } }], EnaSupport: true, BootMode: 'uefi-preferred', Architecture: 'x86_64', VirtualizationType: 'hvm' }));
    const amiId = reg.ImageId ?? '';
    expect((await client().send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0]?.State).toBe('pending');
    await waitUntilImageAvailable(waiter(client()), { ImageIds: [amiId] });
    const dup = await failure(client().send(new RegisterImageCommand({ Name: 'registered-1', RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snap } }] })));
    expect(dup).toMatchObject({ name: 'InvalidAMIName.Duplicate', message: `AMI name registered-1 is already in use by AMI ${amiId}` });
    expect((await client().send(new DescribeImagesCommand({ Owners: ['self'] }))).Images?.map((i) => [i.ImageId, i.BootMode, i.EnaSupport])).toEqual([[amiId, 'uefi-preferred', true]]);

    await client().send(new ModifyImageAttributeCommand({ ImageId: amiId, LaunchPermission: { Add: [{ UserId: '111122223333' }] } }));
    const copy = await client('eu-central-1').send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: amiId, Name: 'registered-1', ClientToken: 'copy-1' }));
    const again = await client('eu-central-1').send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: amiId, Name: 'registered-1', ClientToken: 'copy-1' }));
    expect(again.ImageId).toBe(copy.ImageId);
    expect((await failure(client('eu-central-1').send(new CopyImageCommand({ SourceRegion: 'us-east-1', SourceImageId: amiId, Name: 'other-name', ClientToken: 'copy-1' })))).name).toBe('IdempotentParameterMismatch');
    await waitUntilImageAvailable(waiter(client('eu-central-1')), { ImageIds: [copy.ImageId ?? ''] });
    const copied = (await client('eu-central-1').send(new DescribeImagesCommand({ ImageIds: [copy.ImageId ?? ''] }))).Images?.[0];
    expect(copied?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).not.toBe(snap);

    expect((await failure(client().send(new DeleteSnapshotCommand({ SnapshotId: snap })))).name).toBe('InvalidSnapshot.InUse');
    await client().send(new DeregisterImageCommand({ ImageId: amiId }));
    await client().send(new DeleteSnapshotCommand({ SnapshotId: snap }));
    const copiedSnap = copied?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
    await client('eu-central-1').send(new DeregisterImageCommand({ ImageId: copy.ImageId ?? '' }));
    await client('eu-central-1').send(new DeleteSnapshotCommand({ SnapshotId: copiedSnap }));
    const inv = await inventory();
    expect([inv.regions['us-east-1']?.images, inv.regions['eu-central-1']?.images, inv.regions['eu-central-1']?.snapshots]).toEqual([[], [], []]);
  });
});

describe('EBS direct API', () => {
  test('blocks written with their SHA256 are read back byte for byte; a wrong block checksum or aggregate is refused', async () => {
    const blocks = new Map<number, Buffer>([[0, Buffer.alloc(BLOCK, 0xab)], [5, randomBytes(BLOCK)]]);
    const id = await directSnapshot('us-west-2', blocks);
    const ebs = new EBSClient(config('us-west-2'));
    const list = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: id }));
    expect(list.Blocks?.map((b) => b.BlockIndex)).toEqual([0, 5]);
    for (const b of list.Blocks ?? []) {
      const got = await ebs.send(new GetSnapshotBlockCommand({ SnapshotId: id, BlockIndex: b.BlockIndex ?? 0, BlockToken: b.BlockToken ?? '' }));
      const bytes = Buffer.from((await got.BlockData?.transformToByteArray()) ?? []);
      expect(bytes.equals(blocks.get(b.BlockIndex ?? -1) ?? Buffer.alloc(0))).toBe(true);
    }

    const start = await ebs.send(new StartSnapshotCommand({ VolumeSize: 1 }));
    const data = Buffer.alloc(BLOCK, 3);
    const wrong = createHash('sha256').update('not the data').digest('base64');
    const bad = await failure(ebs.send(new PutSnapshotBlockCommand({ SnapshotId: start.SnapshotId ?? '', BlockIndex: 0, BlockData: data, DataLength: BLOCK, Checksum: wrong, ChecksumAlgorithm: 'SHA256' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toContain('checksum of block 0 does not match');
    const sum = createHash('sha256').update(data).digest('base64');
    await ebs.send(new PutSnapshotBlockCommand({ SnapshotId: start.SnapshotId ?? '', BlockIndex: 0, BlockData: data, DataLength: BLOCK, Checksum: sum, ChecksumAlgorithm: 'SHA256' }));
    const agg = await failure(ebs.send(new CompleteSnapshotCommand({ SnapshotId: start.SnapshotId ?? '', ChangedBlocksCount: 1, Checksum: wrong, ChecksumAlgorithm: 'SHA256', ChecksumAggregationMethod: 'LINEAR' })));
    expect(agg.message).toContain('aggregate checksum');
    expect((await failure(ebs.send(new CompleteSnapshotCommand({ SnapshotId: start.SnapshotId ?? '', ChangedBlocksCount: 2 })))).message).toContain('ChangedBlocksCount is 2 but 1 blocks were written');
  });
});

describe('instances (blank disk: QEMU runs, no OS boots)', () => {
  test('RunInstances: states pending -> running -> stopping -> stopped -> shutting-down -> terminated; a client token retried gives the same instance and one VM; reused with other parameters, IdempotentParameterMismatch; DependencyViolation until the instance is terminated', async () => {
    const c = client();
    const image = await jammy();
    const key = await c.send(new CreateKeyPairCommand({ KeyName: 'run-key', KeyType: 'ed25519' }));
    const sg = await c.send(new CreateSecurityGroupCommand({ GroupName: 'ssh-only', Description: 'temporary' }));
    await c.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '127.0.0.1/32' }] }] }));
    const params: RunInstancesCommandInput = {
      ImageId: image,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      KeyName: key.KeyName,
      SecurityGroupIds: [sg.GroupId ?? ''],
      UserData: Buffer.from('#!/bin/sh\necho hello\n').toString('base64'),
      ClientToken: 'run-token-1',
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'api-test' }] }, { ResourceType: 'volume', Tags: [{ Key: 'v', Value: '1' }] }],
    };
    const first = await c.send(new RunInstancesCommand(params));
    const inst = first.Instances?.[0];
    expect(inst?.State).toEqual({ Code: 0, Name: 'pending' });
    const id = inst?.InstanceId ?? '';
    const retry = await c.send(new RunInstancesCommand(params));
    expect(retry.Instances?.map((i) => i.InstanceId)).toEqual([id]);
    expect((await failure(c.send(new RunInstancesCommand({ ...params, InstanceType: 't3.small' })))).name).toBe('IdempotentParameterMismatch');

    await waitUntilInstanceRunning(waiter(c), { InstanceIds: [id] });
    const running = (await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect(running).toMatchObject({ State: { Code: 16, Name: 'running' }, KeyName: 'run-key', InstanceType: 't3.micro', ImageId: image, Tags: [{ Key: 'Name', Value: 'api-test' }], SecurityGroups: [{ GroupId: sg.GroupId, GroupName: 'ssh-only' }] });
    expect(running?.PublicIpAddress).toMatch(/^127\./);
    const inv = await inventory();
    expect(inv.regions['us-east-1']?.instances.map((i) => [i.id, i.state, i.ssh])).toEqual([[id, 'running', `${running?.PublicIpAddress ?? ''}:22`]]);
    expect(ec2.cloud.machines.all().filter((m) => m.vm?.running)).toHaveLength(1);

    expect((await failure(c.send(new ModifyInstanceAttributeCommand({ InstanceId: id, EnaSupport: { Value: true } })))).name).toBe('IncorrectInstanceState');
    expect(await failure(c.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId })))).toMatchObject({ name: 'DependencyViolation', message: `resource ${sg.GroupId ?? ''} has a dependent object` });

    const stop = await c.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances?.[0]).toMatchObject({ PreviousState: { Name: 'running' }, CurrentState: { Name: 'stopping' } });
    await waitUntilInstanceStopped(waiter(c), { InstanceIds: [id] });
    expect(ec2.cloud.machines.get(id)?.vm).toBeNull();
    // ENA is changed on the stopped instance (as amazon-ebs does) and the image inherits it.
    await c.send(new ModifyInstanceAttributeCommand({ InstanceId: id, EnaSupport: { Value: false } }));

    // CreateImage of the stopped instance: the image pending, its snapshot with progress, then available.
    const img = await c.send(new CreateImageCommand({ InstanceId: id, Name: 'from-blank', TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 's', Value: '1' }] }] }));
    const pending = (await c.send(new DescribeImagesCommand({ ImageIds: [img.ImageId ?? ''] }))).Images?.[0];
    expect(pending?.State).toBe('pending');
    expect(pending?.EnaSupport).toBe(false);
    const snapId = pending?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '';
    const progress = new Set<string>();
    while ((await c.send(new DescribeImagesCommand({ ImageIds: [img.ImageId ?? ''] }))).Images?.[0]?.State === 'pending') {
      progress.add((await c.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapId] }))).Snapshots?.[0]?.Progress ?? '');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...progress].some((p) => p !== '100%')).toBe(true);
    expect((await c.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapId] }))).Snapshots?.[0]).toMatchObject({ State: 'completed', Progress: '100%', Tags: [{ Key: 's', Value: '1' }] });

    const term = await c.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(term.TerminatingInstances?.[0]?.CurrentState?.Name).toBe('shutting-down');
    await waitUntilInstanceTerminated(waiter(c), { InstanceIds: [id] });
    await c.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId }));
    await c.send(new DeleteKeyPairCommand({ KeyName: 'run-key' }));
    await c.send(new DeregisterImageCommand({ ImageId: img.ImageId ?? '' }));
    await c.send(new DeleteSnapshotCommand({ SnapshotId: snapId }));
    const after = (await inventory()).regions['us-east-1'];
    expect(after).toMatchObject({ instances: [], volumes: [], images: [], snapshots: [], keyPairs: [], securityGroups: [] });
    expect(ec2.cloud.machines.all().filter((m) => m.vm?.running)).toEqual([]);
  });

  test('RunInstances rejects what EC2 rejects: unknown type, mismatched architecture, bad user data, unknown key, too small a root volume, too many instances', async () => {
    const c = client();
    const image = await jammy();
    const base = { ImageId: image, MinCount: 1, MaxCount: 1 };
    expect(await failure(c.send(new RunInstancesCommand({ ...base, InstanceType: 't9.giant' as never })))).toMatchObject({ name: 'InvalidParameterValue', message: "Invalid value 't9.giant' for InstanceType." });
    expect((await failure(c.send(new RunInstancesCommand({ ...base, InstanceType: 't4g.micro' })))).message).toContain("architecture 'arm64' of the specified instance type does not match the architecture 'x86_64'");
    expect((await failure(c.send(new RunInstancesCommand({ ...base, InstanceType: 't3.micro', UserData: 'not base64!' })))).message).toBe('Invalid BASE64 encoding of user data.');
    expect((await failure(c.send(new RunInstancesCommand({ ...base, InstanceType: 't3.micro', KeyName: 'nope' })))).name).toBe('InvalidKeyPair.NotFound');
    expect((await failure(c.send(new RunInstancesCommand({ ...base, InstanceType: 't3.micro', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 0 } }] })))).name).toBe('InvalidBlockDeviceMapping');
    expect((await failure(c.send(new RunInstancesCommand({ ...base, InstanceType: 't3.micro', MinCount: 4, MaxCount: 4 })))).name).toBe('InstanceLimitExceeded');
    expect((await failure(c.send(new RunInstancesCommand({ ...base, ImageId: 'ami-00000000000000000' })))).name).toBe('InvalidAMIID.NotFound');
    expect(ec2.cloud.machines.all().filter((m) => m.state !== 'terminated')).toEqual([]);
  });
});

describe('fault injection', () => {
  afterEach(() => setFaults([]));

  test('throttling at a rate of 1/3 fails exactly every third call; the SDK with retries gets through every time', async () => {
    await setFaults([{ target: 'DescribeRegions', kind: 'throttle', rate: 1 / 3 }]);
    const outcomes: string[] = [];
    for (let i = 0; i < 9; i++) {
      outcomes.push(await client().send(new DescribeRegionsCommand({})).then(() => 'ok', (e: Error) => e.name));
    }
    expect(outcomes).toEqual(['ok', 'ok', 'RequestLimitExceeded', 'ok', 'ok', 'RequestLimitExceeded', 'ok', 'ok', 'RequestLimitExceeded']);
    await setFaults([{ target: '*', kind: 'throttle', rate: 1 / 3 }, { target: '*', kind: 'error5xx', rate: 1 / 3 }]);
    const retrying = client('us-east-1', { maxAttempts: 5 });
    for (let i = 0; i < 6; i++) expect((await retrying.send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThan(0);
    const seen = (await (await fetch(`${ec2.url}/_fake/faults`)).json()) as { fired: number }[];
    expect(seen.reduce((n, r) => n + r.fired, 0)).toBeGreaterThanOrEqual(3);
  });

  test('5xx, UnauthorizedOperation and dropped connections are what the SDK sees', async () => {
    await setFaults([{ target: 'DescribeVpcs', kind: 'error5xx', rate: 1, limit: 1 }, { target: 'DescribeSubnets', kind: 'unauthorized', rate: 1, limit: 1 }, { target: 'DescribeRegions', kind: 'reset', rate: 1, limit: 1 }]);
    expect(await failure(client().send(new DescribeVpcsCommand({})))).toMatchObject({ name: 'InternalError', status: 500 });
    const denied = await failure(client().send(new DescribeSubnetsCommand({})));
    expect(denied).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(denied.message).toContain('ec2:DescribeSubnets');
    expect((await failure(client().send(new DescribeRegionsCommand({})))).message).toMatch(/socket hang up|ECONNRESET|closed/i);
    expect((await client().send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThan(0);
  });

  test('a failed launch ends terminated with Server.InternalError as its state reason', async () => {
    await setFaults([{ target: 'launch', kind: 'fail', rate: 1, limit: 1 }]);
    const c = client();
    const run = await c.send(new RunInstancesCommand({ ImageId: await jammy(), InstanceType: 't3.nano', MinCount: 1, MaxCount: 1 }));
    const id = run.Instances?.[0]?.InstanceId ?? '';
    // EC2's InstanceTerminated waiter gives up on `pending`: poll as a builder's waiter does.
    let inst = (await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    const states = new Set<string>();
    while (inst?.State?.Name !== 'terminated') {
      states.add(inst?.State?.Name ?? '');
      await new Promise((r) => setTimeout(r, 50));
      inst = (await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    }
    expect([...states].filter((s) => s !== 'pending' && s !== 'shutting-down')).toEqual([]);
    expect(inst?.StateReason).toEqual({ Code: 'Server.InternalError', Message: 'Server.InternalError: Internal error on launch' });
    // The waiter for `running` reports the failure rather than waiting forever.
    await expect(waitUntilInstanceRunning(waiter(c), { InstanceIds: [id] })).rejects.toThrow();
  });
});

describe('S3 and VM import', () => {
  test('a disk uploaded to S3 (multipart) is imported by ImportImage as VMDK and by ImportSnapshot as raw; the snapshots hold the same bytes; a missing object ends the task with a ClientError', async () => {
    const raw = path.join(work, 'import.raw');
    const data = randomBytes(3 * 1024 * 1024);
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '64M']);
    const fd = openSync(raw, 'r+');
    writeSync(fd, data, 0, data.length, 5 * 1024 * 1024);
    closeSync(fd);
    const vmdk = path.join(work, 'import.vmdk');
    execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk]);

    const s3 = new S3Client(config('us-east-2'));
    await s3.send(new CreateBucketCommand({ Bucket: 'imports' }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'imports', Key: 'disks/import.vmdk' }));
    const body = readFileSync(vmdk);
    const half = 5 * 1024 * 1024 < body.length ? 5 * 1024 * 1024 : body.length;
    const parts = [body.subarray(0, half), body.subarray(half)].filter((b) => b.length > 0);
    const etags: { ETag: string; PartNumber: number }[] = [];
    for (const [i, part] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: 'imports', Key: 'disks/import.vmdk', UploadId: upload.UploadId, PartNumber: i + 1, Body: part }));
      etags.push({ ETag: r.ETag ?? '', PartNumber: i + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'imports', Key: 'disks/import.vmdk', UploadId: upload.UploadId, MultipartUpload: { Parts: etags } }));
    await s3.send(new PutObjectCommand({ Bucket: 'imports', Key: 'disks/import.raw', Body: readFileSync(raw) }));

    const c = client('us-east-2');
    const image = await c.send(new ImportImageCommand({ DiskContainers: [{ Format: 'VMDK', UserBucket: { S3Bucket: 'imports', S3Key: 'disks/import.vmdk' } }], BootMode: 'uefi-preferred', Architecture: 'x86_64', RoleName: 'vmimport' }));
    const snapTask = await c.send(new ImportSnapshotCommand({ DiskContainer: { Format: 'RAW', UserBucket: { S3Bucket: 'imports', S3Key: 'disks/import.raw' } } }));
    const missingTask = await c.send(new ImportSnapshotCommand({ DiskContainer: { Format: 'RAW', UserBucket: { S3Bucket: 'imports', S3Key: 'disks/nothing-here.raw' } } }));
    const statuses = new Set<string>();
    let imgTask = (await c.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [image.ImportTaskId ?? ''] }))).ImportImageTasks?.[0];
    while (imgTask?.Status === 'active') {
      statuses.add(imgTask.StatusMessage ?? '');
      await new Promise((r) => setTimeout(r, 100));
      imgTask = (await c.send(new DescribeImportImageTasksCommand({ ImportTaskIds: [image.ImportTaskId ?? ''] }))).ImportImageTasks?.[0];
    }
    expect(imgTask?.Status).toBe('completed');
    expect([...statuses]).toEqual(expect.arrayContaining(['pending', 'converting', 'updating', 'preparing ami']));
    const snaps = async (id: string): Promise<SnapshotTaskDetail> => {
      for (;;) {
        const t = (await c.send(new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [id] }))).ImportSnapshotTasks?.[0]?.SnapshotTaskDetail ?? {};
        if (t.Status !== 'active') return t;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const fromRaw = await snaps(snapTask.ImportTaskId ?? '');
    expect(fromRaw.Status).toBe('completed');
    expect(await snaps(missingTask.ImportTaskId ?? '')).toMatchObject({ Status: 'deleted', StatusMessage: expect.stringContaining('ClientError: Unable to read from the specified S3 object') as string });

    const ami = (await c.send(new DescribeImagesCommand({ ImageIds: [imgTask?.ImageId ?? ''] }))).Images?.[0];
    expect(ami).toMatchObject({ State: 'available', BootMode: 'uefi-preferred', Name: image.ImportTaskId });
    const region = ec2.cloud.region('us-east-2');
    for (const snapId of [ami?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? '', fromRaw.SnapshotId ?? '']) {
      const file = ec2.cloud.store.file(ec2.cloud.snapshot(region, snapId).disk);
      expect(execFileSync('qemu-img', ['compare', '-q', '-f', 'raw', '-F', 'raw', raw, file, '-s']).toString()).toBe('');
    }
  });
});

describe('STS, SSM Parameter Store, Secrets Manager', () => {
  test('values set up are read back; SecureString needs WithDecryption; missing ones are ParameterNotFound / ResourceNotFoundException', async () => {
    const ssm = new SSMClient(config('eu-west-1'));
    await ssm.send(new PutParameterCommand({ Name: '/imgbuild/base', Value: 'ami-1234', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/imgbuild/token', Value: 's3cret', Type: 'SecureString' }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/imgbuild/base' }))).Parameter).toMatchObject({ Value: 'ami-1234', Type: 'String', Version: 1 });
    expect((await ssm.send(new GetParameterCommand({ Name: '/imgbuild/token', WithDecryption: true }))).Parameter?.Value).toBe('s3cret');
    expect((await ssm.send(new GetParameterCommand({ Name: '/imgbuild/token' }))).Parameter?.Value).not.toBe('s3cret');
    expect((await failure(new SSMClient(config('us-east-1')).send(new GetParameterCommand({ Name: '/imgbuild/base' })))).name).toBe('ParameterNotFound');

    const sm = new SecretsManagerClient(config('eu-west-1'));
    await sm.send(new CreateSecretCommand({ Name: 'db', SecretString: '{"password":"p4ss"}' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db' }))).SecretString).toBe('{"password":"p4ss"}');
    expect((await failure(sm.send(new GetSecretValueCommand({ SecretId: 'nope' })))).name).toBe('ResourceNotFoundException');
    expect((await inventory()).regions['eu-west-1']).toMatchObject({ secrets: ['db'], parameters: ['/imgbuild/base', '/imgbuild/token'] });
  });
});
