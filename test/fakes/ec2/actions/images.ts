// AMIs: DescribeImages (owners, ids, filters, launch permissions), CreateImage from an
// instance's disk, RegisterImage from a snapshot, CopyImage across regions, DeregisterImage,
// Modify/DescribeImageAttribute. An image is pending until its snapshots are complete, then
// available, after delays a test sets; a failed transition leaves it `failed` with a reason.
import { createHash } from 'node:crypto';
import type { Ec2Cloud } from '../cloud.js';
import { AwsError, invalidValue, missing } from '../errors.js';
import { applyFilters, readFilters, type FilterFields } from '../filters.js';
import { newId, type BlockDevice, type Image, type RegionState, type Snapshot, type Tags } from '../model.js';
import type { Params } from '../query.js';
import type { XmlObject } from '../xml.js';
import { dryRun, sleep, tagSet, tagsFor, type Action } from './context.js';
import { completeSnapshot, newSnapshot } from './snapshots.js';

const IMAGE_FILTERS: FilterFields<Image> = {
  name: (i) => i.name,
  'image-id': (i) => i.id,
  'owner-id': (i) => i.ownerId,
  'owner-alias': (i) => i.ownerAlias,
  state: (i) => i.state,
  architecture: (i) => i.architecture,
  'virtualization-type': (i) => i.virtualizationType,
  'root-device-type': () => 'ebs',
  'root-device-name': (i) => i.rootDeviceName,
  'image-type': () => 'machine',
  hypervisor: () => 'xen',
  'is-public': (i) => i.public,
  description: (i) => i.description,
  'ena-support': (i) => i.enaSupport,
  'boot-mode': (i) => i.bootMode,
  'platform-details': () => 'Linux/UNIX',
  'block-device-mapping.snapshot-id': (i) => i.blockDevices.map((b) => b.snapshotId),
  'block-device-mapping.volume-size': (i) => i.blockDevices.map((b) => String(b.volumeSizeGiB)),
  'block-device-mapping.volume-type': (i) => i.blockDevices.map((b) => b.volumeType),
  'block-device-mapping.encrypted': (i) => i.blockDevices.map((b) => String(b.encrypted)),
  'block-device-mapping.device-name': (i) => i.blockDevices.map((b) => b.deviceName),
};

const NAME_RE = /^[A-Za-z0-9()[\]./\-'@_ ]{3,128}$/;

export const describeImages: Action = ({ cloud, region, p }) => {
  const ids = p.list('ImageId');
  const owners = p.list('Owner');
  const executableBy = p.list('ExecutableBy');
  let images = [...region.images.values()].filter((i) => i.state !== 'deregistered');
  if (ids.length > 0) {
    for (const id of ids) cloud.image(region, id);
    images = images.filter((i) => ids.includes(i.id));
  } else {
    images = images.filter((i) => cloud.canLaunch(i));
  }
  if (owners.length > 0) images = images.filter((i) => owners.some((o) => ownedBy(cloud, i, o)));
  if (executableBy.length > 0) {
    images = images.filter((i) => executableBy.some((u) => (u === 'self' ? cloud.canLaunch(i) : u === 'all' ? i.public : i.launchUsers.has(u))));
  }
  images = applyFilters(images, readFilters(p), IMAGE_FILTERS, (i) => i.tags);
  return { imagesSet: images.map((i) => imageXml(i)) };
};

function ownedBy(cloud: Ec2Cloud, img: Image, owner: string): boolean {
  if (owner === 'self') return img.ownerId === cloud.accountId;
  if (/^\d{12}$/.test(owner)) return img.ownerId === owner;
  if (owner === 'amazon' || owner === 'aws-marketplace' || owner === 'aws-backup-vault') return img.ownerAlias === owner;
  throw new AwsError('InvalidUserID.Malformed', `Invalid user id: "${owner}"`);
}

export const createImage: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const inst = cloud.instance(region, p.required('InstanceId'));
  const name = validName(p.required('Name'));
  const machine = cloud.machines.get(inst.id);
  if (!machine || !['running', 'stopped', 'stopping'].includes(machine.state)) {
    throw new AwsError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be imaged.`);
  }
  rejectDuplicateName(cloud, region, name);
  const source = region.images.get(inst.imageId);
  const snap = newSnapshot(cloud, region, { volumeId: inst.volumeId, volumeSizeGiB: inst.volumeSizeGiB, description: `Created by CreateImage(${inst.id}) for ${'ami-pending'}` });
  snap.tags = tagsFor(p, 'snapshot', ['image', 'snapshot']);
  snap.loginUser = source?.loginUser;
  const img = newImage(cloud, {
    name,
    description: p.str('Description'),
    architecture: source?.architecture ?? 'x86_64',
    bootMode: source?.bootMode,
    enaSupport: inst.enaSupport ?? source?.enaSupport ?? true,
    imdsSupport: source?.imdsSupport,
    loginUser: source?.loginUser,
    blockDevices: [rootDevice(inst.rootDeviceName, snap, 'gp2')],
    rootDeviceName: inst.rootDeviceName,
    tags: tagsFor(p, 'image', ['image', 'snapshot']),
  });
  img.sourceInstanceId = inst.id;
  img.sriovNetSupport = inst.sriovNetSupport;
  snap.description = `Created by CreateImage(${inst.id}) for ${img.id}`;
  region.images.set(img.id, img);
  void finishImage(cloud, img, [snap], () => cloud.machines.capture(inst.id, snap.disk, !p.bool('NoReboot')));
  return { imageId: img.id };
};

export const registerImage: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const name = validName(p.required('Name'));
  if (p.str('ImageLocation') !== undefined) throw new AwsError('InvalidParameterValue', 'ImageLocation (instance-store AMIs from S3) is not supported; register from an EBS snapshot');
  const rootDeviceName = p.str('RootDeviceName') ?? '/dev/xvda';
  const mappings = p.objects('BlockDeviceMapping');
  if (mappings.length === 0) throw missing('BlockDeviceMapping');
  const devices: BlockDevice[] = [];
  let loginUser: string | undefined;
  for (const m of mappings) {
    const ebs = m.object('Ebs');
    const deviceName = m.required('DeviceName');
    const snapId = ebs?.str('SnapshotId');
    const snap = snapId === undefined ? undefined : cloud.snapshot(region, snapId);
    if (snap && snap.state !== 'completed') throw new AwsError('IncorrectState', `Snapshot '${snap.id}' is not 'completed' (it is '${snap.state}')`);
    if (deviceName === rootDeviceName) loginUser = snap?.loginUser;
    devices.push({
      deviceName,
      snapshotId: snap?.id,
      volumeSizeGiB: ebs?.int('VolumeSize') ?? snap?.volumeSizeGiB ?? 8,
      volumeType: ebs?.str('VolumeType') ?? 'gp2',
      deleteOnTermination: ebs?.bool('DeleteOnTermination') ?? true,
      encrypted: ebs?.bool('Encrypted') ?? snap?.encrypted ?? false,
      kmsKeyId: ebs?.str('KmsKeyId') ?? snap?.kmsKeyId,
    });
  }
  const root = devices.find((d) => d.deviceName === rootDeviceName);
  if (!root?.snapshotId) throw new AwsError('InvalidBlockDeviceMapping', `The root device ${rootDeviceName} needs an EBS snapshot in BlockDeviceMapping`);
  rejectDuplicateName(cloud, region, name);
  const virtualizationType = p.str('VirtualizationType') ?? 'hvm';
  if (virtualizationType !== 'hvm') throw invalidValue('VirtualizationType', virtualizationType, 'Only hvm images boot on the local EC2.');
  const bootMode = p.str('BootMode');
  if (bootMode !== undefined && !['legacy-bios', 'uefi', 'uefi-preferred'].includes(bootMode)) throw invalidValue('BootMode', bootMode);
  const architecture = p.str('Architecture') ?? 'x86_64';
  if (!['x86_64', 'arm64', 'i386'].includes(architecture)) throw invalidValue('Architecture', architecture);
  const img = newImage(cloud, {
    name,
    description: p.str('Description'),
    architecture,
    bootMode,
    enaSupport: p.bool('EnaSupport') ?? false,
    imdsSupport: p.str('ImdsSupport'),
    loginUser,
    blockDevices: devices,
    rootDeviceName,
    tags: tagsFor(p, 'image', ['image']),
  });
  img.sriovNetSupport = p.str('SriovNetSupport');
  region.images.set(img.id, img);
  void finishImage(cloud, img, [], () => Promise.resolve());
  return { imageId: img.id };
};

export const copyImage: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const sourceRegionName = p.required('SourceRegion');
  const sourceRegion = cloud.regions.get(sourceRegionName);
  if (!sourceRegion) throw invalidValue('SourceRegion', sourceRegionName, 'No such region.');
  const src = cloud.image(sourceRegion, p.required('SourceImageId'));
  if (src.state !== 'available') throw new AwsError('IncorrectState', `Image '${src.id}' is not in the 'available' state (it is '${src.state}')`);
  const name = validName(p.required('Name'));
  const token = p.str('ClientToken');
  const fingerprint = requestFingerprint(p, ['ClientToken']);
  if (token !== undefined) {
    const seen = region.clientTokens.get(`CopyImage:${token}`);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new AwsError('IdempotentParameterMismatch', `The client token '${token}' was already used with different parameters`);
      return { imageId: seen.resultId };
    }
  }
  rejectDuplicateName(cloud, region, name);
  const encrypted = p.bool('Encrypted') ?? false;
  const kmsKeyId = p.str('KmsKeyId');
  const snaps: Snapshot[] = [];
  const devices = src.blockDevices.map((b) => {
    if (b.snapshotId === undefined) return { ...b };
    const from = cloud.snapshot(sourceRegion, b.snapshotId);
    const snap = newSnapshot(cloud, region, { volumeId: 'vol-ffffffff', volumeSizeGiB: from.volumeSizeGiB, description: `Copied for DestinationAmi ami-pending from SourceAmi ${src.id} for SourceSnapshot ${from.id}` });
    snap.loginUser = from.loginUser;
    snap.encrypted = encrypted || from.encrypted;
    snap.kmsKeyId = kmsKeyId ?? from.kmsKeyId;
    snaps.push(snap);
    return { ...b, snapshotId: snap.id, encrypted: snap.encrypted, kmsKeyId: snap.kmsKeyId };
  });
  const tags = tagsFor(p, 'image', ['image']);
  if (p.bool('CopyImageTags')) for (const [k, v] of src.tags) if (!tags.has(k)) tags.set(k, v);
  const img = newImage(cloud, {
    name,
    description: p.str('Description') ?? src.description,
    architecture: src.architecture,
    bootMode: src.bootMode,
    enaSupport: src.enaSupport,
    imdsSupport: src.imdsSupport,
    loginUser: src.loginUser,
    blockDevices: devices,
    rootDeviceName: src.rootDeviceName,
    tags,
  });
  img.sourceImage = { id: src.id, region: sourceRegion.name };
  for (const s of snaps) s.description = s.description.replace('ami-pending', img.id);
  region.images.set(img.id, img);
  if (token !== undefined) region.clientTokens.set(`CopyImage:${token}`, { fingerprint, resultId: img.id });
  void finishImage(cloud, img, snaps, async () => {
    const fault = cloud.faults.forTransition('copy');
    await sleep(cloud.delays.copyMs + fault.extraDelayMs);
    if (fault.fail) throw new Error('Server.InternalError: copy failed');
    for (const [i, s] of snaps.entries()) {
      const fromId = src.blockDevices.filter((b) => b.snapshotId !== undefined)[i]?.snapshotId ?? '';
      await cloud.store.capture(s.disk, cloud.snapshot(sourceRegion, fromId).disk, true);
    }
  });
  return { imageId: img.id };
};

export const deregisterImage: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const img = cloud.ownImage(region, p.required('ImageId'));
  img.state = 'deregistered';
  region.images.delete(img.id);
  const deleted: XmlObject[] = [];
  if (p.bool('DeleteAssociatedSnapshots')) {
    for (const b of img.blockDevices) {
      if (b.snapshotId === undefined || !region.snapshots.has(b.snapshotId)) continue;
      const snap = cloud.snapshot(region, b.snapshotId);
      region.snapshots.delete(snap.id);
      void cloud.store.remove(snap.disk);
      deleted.push({ resourceId: snap.id, returnCode: 'success' });
    }
  }
  return { return: true, deleteSnapshotResultSet: deleted };
};

export const modifyImageAttribute: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const img = cloud.ownImage(region, p.required('ImageId'));
  const attribute = p.str('Attribute');
  const lp = p.object('LaunchPermission');
  const apply = (op: 'add' | 'remove', users: string[], groups: string[], orgs: string[]): void => {
    for (const g of groups) if (g !== 'all') throw invalidValue('Group', g, "The only group is 'all'.");
    for (const u of users) if (!/^\d{12}$/.test(u)) throw new AwsError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${u}" for userId item type.`);
    const f = op === 'add' ? 'add' : 'delete';
    for (const u of users) img.launchUsers[f](u);
    for (const g of groups) img.launchGroups[f](g);
    for (const o of orgs) img.launchOrgArns[f](o);
  };
  if (lp) {
    for (const [op, key] of [['add', 'Add'], ['remove', 'Remove']] as const) {
      const items = lp.objects(key);
      apply(op, items.map((i) => i.str('UserId')).filter(isString), items.map((i) => i.str('Group')).filter(isString), items.map((i) => i.str('OrganizationArn')).filter(isString));
    }
  } else if (attribute === 'launchPermission' || p.list('UserId').length > 0 || p.list('UserGroup').length > 0) {
    const op = p.str('OperationType');
    if (op !== 'add' && op !== 'remove') throw invalidValue('OperationType', op ?? '');
    apply(op, p.list('UserId'), p.list('UserGroup'), p.list('OrganizationArn'));
  } else if (p.object('Description') || attribute === 'description') {
    img.description = p.object('Description')?.str('Value') ?? p.str('Value') ?? '';
  } else if (p.object('ImdsSupport')) {
    img.imdsSupport = p.object('ImdsSupport')?.str('Value');
  } else {
    throw new AwsError('InvalidParameterCombination', 'No attribute to modify: give LaunchPermission, Description or ImdsSupport');
  }
  img.public = img.launchGroups.has('all');
  return { return: true };
};

export const describeImageAttribute: Action = ({ cloud, region, p }) => {
  const img = cloud.image(region, p.required('ImageId'));
  const attribute = p.required('Attribute');
  const body: XmlObject = { imageId: img.id };
  if (attribute === 'launchPermission') {
    body['launchPermission'] = [...[...img.launchUsers].map((userId) => ({ userId })), ...[...img.launchGroups].map((group) => ({ group })), ...[...img.launchOrgArns].map((organizationArn) => ({ organizationArn }))];
  } else if (attribute === 'description') body['description'] = { value: img.description };
  else if (attribute === 'bootMode') body['bootMode'] = { value: img.bootMode };
  else if (attribute === 'imdsSupport') body['imdsSupport'] = { value: img.imdsSupport };
  else if (attribute === 'blockDeviceMapping') body['blockDeviceMapping'] = img.blockDevices.map(deviceXml);
  else throw invalidValue('Attribute', attribute);
  return body;
};

export function imageXml(i: Image): XmlObject {
  return {
    imageId: i.id,
    imageLocation: `${i.ownerAlias ?? i.ownerId}/${i.name}`,
    imageState: i.state,
    imageOwnerId: i.ownerId,
    creationDate: i.created,
    isPublic: i.public,
    architecture: i.architecture,
    imageType: 'machine',
    imageOwnerAlias: i.ownerAlias,
    name: i.name,
    description: i.description,
    rootDeviceType: 'ebs',
    rootDeviceName: i.rootDeviceName,
    blockDeviceMapping: i.blockDevices.map(deviceXml),
    virtualizationType: i.virtualizationType,
    hypervisor: 'xen',
    enaSupport: i.enaSupport,
    sriovNetSupport: i.sriovNetSupport,
    bootMode: i.bootMode,
    imdsSupport: i.imdsSupport,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    sourceInstanceId: i.sourceInstanceId,
    sourceImageId: i.sourceImage?.id,
    sourceImageRegion: i.sourceImage?.region,
    stateReason: i.stateReason ?? undefined,
    tagSet: tagSet(i.tags),
  };
}

function deviceXml(b: BlockDevice): XmlObject {
  return {
    deviceName: b.deviceName,
    ebs: { snapshotId: b.snapshotId, volumeSize: b.volumeSizeGiB, deleteOnTermination: b.deleteOnTermination, volumeType: b.volumeType, encrypted: b.encrypted, kmsKeyId: b.kmsKeyId },
  };
}

export interface NewImage {
  name: string;
  description: string | undefined;
  architecture: string;
  bootMode: string | undefined;
  enaSupport: boolean;
  imdsSupport: string | undefined;
  loginUser: string | undefined;
  blockDevices: BlockDevice[];
  rootDeviceName: string;
  tags: Tags;
}

export function newImage(cloud: Ec2Cloud, n: NewImage, ownerId = cloud.accountId, ownerAlias?: string): Image {
  return {
    id: newId('ami'),
    ...n,
    ownerId,
    ownerAlias,
    state: 'pending',
    stateReason: null,
    created: new Date(),
    virtualizationType: 'hvm',
    sriovNetSupport: undefined,
    public: false,
    launchUsers: new Set(),
    launchGroups: new Set(),
    launchOrgArns: new Set(),
    sourceInstanceId: undefined,
    sourceImage: undefined,
  };
}

export function rootDevice(deviceName: string, snap: Snapshot, volumeType: string): BlockDevice {
  return { deviceName, snapshotId: snap.id, volumeSizeGiB: snap.volumeSizeGiB, volumeType, deleteOnTermination: true, encrypted: snap.encrypted, kmsKeyId: snap.kmsKeyId };
}

/** Runs the disk work, completes the snapshots with progress, then makes the image available. */
async function finishImage(cloud: Ec2Cloud, img: Image, snaps: Snapshot[], diskWork: () => Promise<void>): Promise<void> {
  try {
    await diskWork();
    await Promise.all(snaps.map((s) => completeSnapshot(cloud, s)));
    const fault = cloud.faults.forTransition('image');
    await sleep(cloud.delays.imageMs + fault.extraDelayMs);
    if (fault.fail) throw new Error('Server.InternalError: image creation failed');
    if (img.state === 'pending') img.state = 'available';
  } catch (e) {
    if (img.state !== 'pending') return;
    img.state = 'failed';
    img.stateReason = { code: 'Server.InternalError', message: e instanceof Error ? e.message : String(e) };
    for (const s of snaps) if (s.state === 'pending') s.state = 'error';
  }
}

function rejectDuplicateName(cloud: Ec2Cloud, region: RegionState, name: string): void {
  const dup = [...region.images.values()].find((i) => i.name === name && i.ownerId === cloud.accountId && i.state !== 'deregistered');
  if (dup) throw new AwsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${dup.id}`);
}

function validName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new AwsError('InvalidAMIName.Malformed', `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'; '${name}' is not valid`);
  }
  return name;
}

/** What a request asked for, apart from the given keys: a retry with a client token must match it. */
export function requestFingerprint(p: Params, without: string[]): string {
  const entries = Object.entries(flatten(p.raw)).filter(([k]) => !without.some((w) => k === w || k.startsWith(`${w}.`)));
  return createHash('sha256').update(JSON.stringify(entries.sort())).digest('hex');
}

function flatten(v: unknown, prefix = ''): Record<string, string> {
  if (typeof v === 'string') return { [prefix]: v };
  const out: Record<string, string> = {};
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i + 1), x] as const) : Object.entries(v as Record<string, unknown>);
  for (const [k, x] of entries) Object.assign(out, flatten(x, prefix ? `${prefix}.${k}` : k));
  return out;
}

function isString(s: string | undefined): s is string {
  return s !== undefined;
}
