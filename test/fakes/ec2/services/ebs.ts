// The EBS direct API (REST/JSON): StartSnapshot, PutSnapshotBlock (each 512 KiB block's
// SHA256 checked against the x-amz-Checksum it came with), CompleteSnapshot (block count and
// the LINEAR aggregate checksum checked), and the read side (ListSnapshotBlocks,
// GetSnapshotBlock) a test uses to reassemble what was written. Blocks land in a sparse raw
// disk of the store, so an AMI registered from the snapshot boots from exactly those bytes.
import { createHash, randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Ec2Cloud } from '../cloud.js';
import { AwsError } from '../errors.js';
import type { RegionState, Snapshot } from '../model.js';
import type { Reply } from '../reply.js';
import { completeSnapshot, newSnapshot } from '../actions/snapshots.js';

const BLOCK_SIZE = 512 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };

export async function handleEbs(cloud: Ec2Cloud, regionName: string, method: string, url: URL, headers: Record<string, string>, body: Buffer): Promise<Reply> {
  const region = cloud.region(regionName);
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const op = method === 'POST' && parts.length === 1 && parts[0] === 'snapshots' ? 'StartSnapshot'
    : method === 'PUT' && parts.length === 4 && parts[2] === 'blocks' ? 'PutSnapshotBlock'
    : method === 'POST' && parts.length === 3 && parts[1] === 'completion' ? 'CompleteSnapshot'
    : method === 'GET' && parts.length === 3 && parts[2] === 'blocks' ? 'ListSnapshotBlocks'
    : method === 'GET' && parts.length === 4 && parts[2] === 'blocks' ? 'GetSnapshotBlock'
    : null;
  if (op === null) throw new AwsError('ValidationException', `No EBS direct API operation at ${method} ${url.pathname}`);
  const fault = cloud.faults.forAction(op);
  if (fault === 'reset') throw new AwsError('InternalServerException', 'connection reset', 500);
  if (fault) throw fault.code === 'RequestLimitExceeded' ? new AwsError('RequestThrottledException', fault.message, 400) : fault;
  switch (op) {
    case 'StartSnapshot':
      return startSnapshot(cloud, region, body);
    case 'PutSnapshotBlock':
      return putBlock(cloud, directSnapshot(cloud, region, parts[1] ?? ''), Number(parts[3]), headers, body);
    case 'CompleteSnapshot':
      return complete(cloud, directSnapshot(cloud, region, parts[2] ?? ''), headers);
    case 'ListSnapshotBlocks':
      return listBlocks(cloud, region, parts[1] ?? '', url);
    default:
      return getBlock(cloud, region, parts[1] ?? '', Number(parts[3]));
  }
}

async function startSnapshot(cloud: Ec2Cloud, region: RegionState, body: Buffer): Promise<Reply> {
  const input = JSON.parse(body.toString('utf8') || '{}') as { VolumeSize?: number; ParentSnapshotId?: string; Description?: string; ClientToken?: string; Encrypted?: boolean; KmsKeyArn?: string; Timeout?: number; Tags?: { Key: string; Value: string }[] };
  const size = input.VolumeSize;
  if (typeof size !== 'number' || size < 1 || size > 65536) throw new AwsError('ValidationException', 'VolumeSize must be between 1 and 65536 GiB');
  if (input.ParentSnapshotId !== undefined) throw new AwsError('ValidationException', 'ParentSnapshotId (incremental snapshots) is not supported by the local EBS');
  const fingerprint = JSON.stringify({ ...input, ClientToken: undefined });
  if (input.ClientToken !== undefined) {
    const seen = region.clientTokens.get(`StartSnapshot:${input.ClientToken}`);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new AwsError('ConflictException', `The client token ${input.ClientToken} was already used with other parameters`, 409);
      return snapshotReply(cloud, cloud.snapshot(region, seen.resultId), 201);
    }
  }
  const snap = newSnapshot(cloud, region, { volumeId: 'vol-ffffffff', volumeSizeGiB: size, description: input.Description ?? '' });
  snap.encrypted = input.Encrypted ?? false;
  snap.kmsKeyId = input.KmsKeyArn;
  for (const t of input.Tags ?? []) snap.tags.set(t.Key, t.Value);
  snap.direct = { blockSize: BLOCK_SIZE, checksums: new Map(), clientToken: input.ClientToken, timeoutMinutes: input.Timeout ?? 60 };
  await cloud.store.createRaw(snap.disk, size * 1024 ** 3);
  if (input.ClientToken !== undefined) region.clientTokens.set(`StartSnapshot:${input.ClientToken}`, { fingerprint, resultId: snap.id });
  return snapshotReply(cloud, snap, 201);
}

async function putBlock(cloud: Ec2Cloud, snap: Snapshot, index: number, headers: Record<string, string>, body: Buffer): Promise<Reply> {
  if (snap.state !== 'pending' || !snap.direct) throw new AwsError('ValidationException', `Snapshot ${snap.id} is ${snap.state}; blocks can only be written to a pending snapshot`);
  const blocks = (snap.volumeSizeGiB * 1024 ** 3) / BLOCK_SIZE;
  if (!Number.isInteger(index) || index < 0 || index >= blocks) throw new AwsError('ValidationException', `BlockIndex ${index} is outside the volume (0..${blocks - 1})`);
  const length = Number(headers['x-amz-data-length']);
  if (length !== BLOCK_SIZE || body.length !== BLOCK_SIZE) throw new AwsError('ValidationException', `DataLength must be ${BLOCK_SIZE} bytes, got ${body.length}`);
  if ((headers['x-amz-checksum-algorithm'] ?? 'SHA256') !== 'SHA256') throw new AwsError('ValidationException', 'ChecksumAlgorithm must be SHA256');
  const checksum = headers['x-amz-checksum'];
  const actual = createHash('sha256').update(body).digest('base64');
  if (checksum === undefined) throw new AwsError('ValidationException', 'x-amz-Checksum is required');
  if (checksum !== actual) throw new AwsError('ValidationException', `The checksum of block ${index} does not match: sent ${checksum}, data hashes to ${actual}`);
  await cloud.store.writeAt(snap.disk, index * BLOCK_SIZE, body);
  snap.direct.checksums.set(index, actual);
  const progress = Number(headers['x-amz-progress']);
  if (Number.isFinite(progress)) snap.progress = Math.min(99, Math.max(0, Math.round(progress)));
  return { status: 201, headers: { ...JSON_HEADERS, 'x-amz-checksum': actual, 'x-amz-checksum-algorithm': 'SHA256' }, body: '{}' };
}

function complete(cloud: Ec2Cloud, snap: Snapshot, headers: Record<string, string>): Reply {
  if (!snap.direct || snap.state !== 'pending') throw new AwsError('ValidationException', `Snapshot ${snap.id} is ${snap.state}, not pending`);
  const changed = Number(headers['x-amz-changedblockscount']);
  if (changed !== snap.direct.checksums.size) throw new AwsError('ValidationException', `ChangedBlocksCount is ${changed} but ${snap.direct.checksums.size} blocks were written`);
  const aggregate = headers['x-amz-checksum'];
  if (aggregate !== undefined) {
    if (headers['x-amz-checksum-aggregation-method'] !== 'LINEAR' || (headers['x-amz-checksum-algorithm'] ?? 'SHA256') !== 'SHA256') {
      throw new AwsError('ValidationException', 'ChecksumAggregationMethod must be LINEAR and ChecksumAlgorithm SHA256');
    }
    const h = createHash('sha256');
    for (const i of [...snap.direct.checksums.keys()].sort((a, b) => a - b)) h.update(Buffer.from(snap.direct.checksums.get(i) ?? '', 'base64'));
    const expected = h.digest('base64');
    if (aggregate !== expected) throw new AwsError('ValidationException', `The aggregate checksum ${aggregate} does not match the blocks written (${expected})`);
  }
  void completeSnapshot(cloud, snap).catch(() => undefined);
  return { status: 202, headers: JSON_HEADERS, body: JSON.stringify({ Status: 'pending' }) };
}

function listBlocks(cloud: Ec2Cloud, region: RegionState, id: string, url: URL): Reply {
  const snap = readable(cloud, region, id);
  const start = Number(url.searchParams.get('startingBlockIndex') ?? 0);
  const max = Number(url.searchParams.get('maxResults') ?? 10000);
  const indexes = [...(snap.direct?.checksums.keys() ?? [])].sort((a, b) => a - b).filter((i) => i >= start);
  const page = indexes.slice(0, max);
  const next = indexes[max];
  return {
    status: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({ Blocks: page.map((i) => ({ BlockIndex: i, BlockToken: blockToken(snap, i) })), BlockSize: BLOCK_SIZE, VolumeSize: snap.volumeSizeGiB, ...(next !== undefined ? { NextToken: String(next) } : {}) }),
  };
}

async function getBlock(cloud: Ec2Cloud, region: RegionState, id: string, index: number): Promise<Reply> {
  const snap = readable(cloud, region, id);
  const fh = await open(cloud.store.file(snap.disk), 'r');
  try {
    const data = Buffer.alloc(BLOCK_SIZE);
    await fh.read(data, 0, BLOCK_SIZE, index * BLOCK_SIZE);
    const sum = createHash('sha256').update(data).digest('base64');
    return { status: 200, headers: { 'content-type': 'application/octet-stream', 'x-amz-data-length': String(BLOCK_SIZE), 'x-amz-checksum': sum, 'x-amz-checksum-algorithm': 'SHA256' }, body: data };
  } finally {
    await fh.close();
  }
}

function readable(cloud: Ec2Cloud, region: RegionState, id: string): Snapshot {
  const snap = directSnapshot(cloud, region, id);
  if (snap.state !== 'completed') throw new AwsError('ValidationException', `Snapshot ${id} is ${snap.state}; only completed snapshots can be read`);
  return snap;
}

function directSnapshot(cloud: Ec2Cloud, region: RegionState, id: string): Snapshot {
  const s = region.snapshots.get(id);
  if (!s || !s.direct) throw new AwsError('ResourceNotFoundException', `The snapshot '${id}' does not exist (or was not made through the EBS direct API).`, 404);
  return s;
}

function blockToken(snap: Snapshot, index: number): string {
  return Buffer.from(`${snap.id}:${index}:${randomUUID().slice(0, 8)}`).toString('base64');
}

function snapshotReply(cloud: Ec2Cloud, snap: Snapshot, status: number): Reply {
  return {
    status,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      SnapshotId: snap.id,
      OwnerId: cloud.accountId,
      Status: snap.state,
      StartTime: snap.started.getTime() / 1000,
      VolumeSize: snap.volumeSizeGiB,
      BlockSize: BLOCK_SIZE,
      Description: snap.description,
      Tags: [...snap.tags].map(([Key, Value]) => ({ Key, Value })),
      ...(snap.kmsKeyId !== undefined ? { KmsKeyArn: snap.kmsKeyId } : {}),
    }),
  };
}
