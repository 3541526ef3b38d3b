// EBS snapshots: each one a disk of the store. They report progress while pending, as EC2
// does; one still used by an AMI cannot be deleted (InvalidSnapshot.InUse).
import type { Ec2Cloud } from '../cloud.js';
import { AwsError } from '../errors.js';
import { applyFilters, readFilters, type FilterFields } from '../filters.js';
import { newId, type RegionState, type Snapshot } from '../model.js';
import type { XmlObject } from '../xml.js';
import { dryRun, sleep, tagSet, type Action } from './context.js';

const SNAPSHOT_FILTERS: FilterFields<Snapshot> = {
  'snapshot-id': (s) => s.id,
  status: (s) => s.state,
  'owner-id': (s) => s.ownerId,
  'volume-id': (s) => s.volumeId,
  'volume-size': (s) => String(s.volumeSizeGiB),
  description: (s) => s.description,
  encrypted: (s) => s.encrypted,
  progress: (s) => `${s.progress}%`,
};

const PROGRESS_STEPS = 4;

export function newSnapshot(cloud: Ec2Cloud, region: RegionState, n: { volumeId: string; volumeSizeGiB: number; description: string }): Snapshot {
  const id = newId('snap');
  const snap: Snapshot = {
    id,
    ownerId: cloud.accountId,
    state: 'pending',
    progress: 0,
    volumeId: n.volumeId,
    volumeSizeGiB: n.volumeSizeGiB,
    started: new Date(),
    description: n.description,
    encrypted: false,
    kmsKeyId: undefined,
    tags: new Map(),
    createVolumePermissions: new Set(),
    disk: `${region.name}-${id}`,
    loginUser: undefined,
    direct: undefined,
  };
  region.snapshots.set(id, snap);
  return snap;
}

/** pending 0% -> ... -> completed 100%, over the snapshot delay (and any slow fault). */
export async function completeSnapshot(cloud: Ec2Cloud, snap: Snapshot): Promise<void> {
  const fault = cloud.faults.forTransition('snapshot');
  const step = (cloud.delays.snapshotMs + fault.extraDelayMs) / PROGRESS_STEPS;
  for (let i = 1; i < PROGRESS_STEPS; i++) {
    await sleep(step);
    snap.progress = Math.round((100 * i) / PROGRESS_STEPS);
  }
  await sleep(step);
  if (fault.fail) {
    snap.state = 'error';
    throw new Error(`Server.InternalError: snapshot ${snap.id} failed`);
  }
  snap.progress = 100;
  snap.state = 'completed';
}

export const describeSnapshots: Action = ({ cloud, region, p }) => {
  const ids = p.list('SnapshotId');
  const owners = p.list('Owner');
  const restorableBy = p.list('RestorableBy');
  let snaps = [...region.snapshots.values()];
  for (const id of ids) cloud.snapshot(region, id);
  if (ids.length > 0) snaps = snaps.filter((s) => ids.includes(s.id));
  else snaps = snaps.filter((s) => s.ownerId === cloud.accountId || s.createVolumePermissions.has(cloud.accountId) || s.createVolumePermissions.has('all'));
  if (owners.length > 0) snaps = snaps.filter((s) => owners.some((o) => (o === 'self' ? s.ownerId === cloud.accountId : s.ownerId === o)));
  if (restorableBy.length > 0) snaps = snaps.filter((s) => restorableBy.some((u) => s.ownerId === (u === 'self' ? cloud.accountId : u) || s.createVolumePermissions.has(u)));
  snaps = applyFilters(snaps, readFilters(p), SNAPSHOT_FILTERS, (s) => s.tags);
  return { snapshotSet: snaps.map(snapshotXml) };
};

export const deleteSnapshot: Action = async ({ cloud, region, p }) => {
  dryRun(p);
  const snap = cloud.snapshot(region, p.required('SnapshotId'));
  if (snap.ownerId !== cloud.accountId) throw new AwsError('UnauthorizedOperation', `You are not authorized to delete snapshot ${snap.id}`, 403);
  const user = [...region.images.values()].find((i) => i.blockDevices.some((b) => b.snapshotId === snap.id));
  if (user) throw new AwsError('InvalidSnapshot.InUse', `The snapshot ${snap.id} is currently in use by ${user.id}`);
  region.snapshots.delete(snap.id);
  await cloud.store.remove(snap.disk);
  return { return: true };
};

export const modifySnapshotAttribute: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const snap = cloud.snapshot(region, p.required('SnapshotId'));
  const perm = p.object('CreateVolumePermission');
  const change = (op: 'add' | 'delete', items: string[]): void => items.forEach((u) => snap.createVolumePermissions[op](u));
  if (perm) {
    change('add', perm.objects('Add').map((i) => i.str('UserId') ?? i.str('Group') ?? ''));
    change('delete', perm.objects('Remove').map((i) => i.str('UserId') ?? i.str('Group') ?? ''));
  } else {
    const op = p.str('OperationType') === 'remove' ? 'delete' : 'add';
    change(op, [...p.list('UserId'), ...p.list('UserGroup')]);
  }
  return { return: true };
};

export function snapshotXml(s: Snapshot): XmlObject {
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    status: s.state,
    startTime: s.started,
    progress: `${s.progress}%`,
    ownerId: s.ownerId,
    description: s.description,
    volumeSize: s.volumeSizeGiB,
    encrypted: s.encrypted,
    kmsKeyId: s.kmsKeyId,
    storageTier: 'standard',
    tagSet: tagSet(s.tags),
  };
}
