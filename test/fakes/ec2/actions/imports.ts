// VM Import: ImportImage and ImportSnapshot read a disk (raw, VMDK, VHD, VHDX, or the first
// disk of an OVA) from an S3 object, convert it into an EBS snapshot (qemu-img), and for
// ImportImage register an AMI on it, moving through the statuses EC2 reports (active:
// pending -> converting -> updating -> preparing ami; completed; or deleted with a
// ClientError message). Describe*Tasks and CancelImportTask as the import path uses them.
import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Ec2Cloud } from '../cloud.js';
import { AwsError, invalidValue, missing } from '../errors.js';
import { newId, type ImportTask, type RegionState } from '../model.js';
import type { XmlObject } from '../xml.js';
import { dryRun, sleep, tagSet, tagsFor, type Action } from './context.js';
import { newImage, rootDevice } from './images.js';
import { newSnapshot } from './snapshots.js';

const execFileP = promisify(execFile);
const FORMATS: Record<string, string> = { raw: 'raw', vmdk: 'vmdk', vhd: 'vpc', vhdx: 'vhdx', ova: 'ova' };

export const importImage: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const containers = p.objects('DiskContainer');
  if (containers.length === 0) throw missing('DiskContainer');
  if (containers.length > 1) throw new AwsError('InvalidParameter', 'The local EC2 imports images of one disk');
  const task = newTask(cloud, region, 'image', containers[0]?.raw ?? {}, p.str('Description'), p.bool('Encrypted') ?? false, p.str('KmsKeyId'));
  task.architecture = p.str('Architecture') ?? 'x86_64';
  task.platform = p.str('Platform') ?? 'Linux';
  task.licenseType = p.str('LicenseType');
  const bootMode = p.str('BootMode');
  if (bootMode !== undefined && !['legacy-bios', 'uefi', 'uefi-preferred'].includes(bootMode)) throw invalidValue('BootMode', bootMode);
  task.bootMode = bootMode;
  task.tags = tagsFor(p, 'import-image-task', ['import-image-task']);
  void runImport(cloud, region, task);
  return imageTaskXml(task);
};

export const importSnapshot: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const container = p.object('DiskContainer');
  if (!container) throw missing('DiskContainer');
  const task = newTask(cloud, region, 'snapshot', container.raw, p.str('Description'), p.bool('Encrypted') ?? false, p.str('KmsKeyId'));
  task.tags = tagsFor(p, 'import-snapshot-task', ['import-snapshot-task']);
  void runImport(cloud, region, task);
  return snapshotTaskXml(task);
};

export const describeImportImageTasks: Action = ({ region, p }) => ({ importImageTaskSet: tasksOf(region, 'image', p.list('ImportTaskId')).map(imageTaskXml) });

export const describeImportSnapshotTasks: Action = ({ region, p }) => ({ importSnapshotTaskSet: tasksOf(region, 'snapshot', p.list('ImportTaskId')).map(snapshotTaskXml) });

export const cancelImportTask: Action = ({ region, p }) => {
  dryRun(p);
  const id = p.required('ImportTaskId');
  const task = region.importTasks.get(id);
  if (!task) throw new AwsError('InvalidConversionTaskId.Malformed', `The import task ID '${id}' does not exist`);
  const previousState = task.status;
  if (task.status === 'active') {
    task.status = 'deleting';
    task.statusMessage = 'ClientError: cancelled by the user';
  }
  return { importTaskId: id, previousState, state: task.status };
};

function newTask(cloud: Ec2Cloud, region: RegionState, kind: ImportTask['kind'], container: Record<string, unknown>, description: string | undefined, encrypted: boolean, kmsKeyId: string | undefined): ImportTask {
  const get = (o: unknown, k: string): string | undefined => (typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[k] === 'string' ? ((o as Record<string, unknown>)[k] as string) : undefined);
  const format = (get(container, 'Format') ?? '').toLowerCase();
  if (!FORMATS[format]) throw invalidValue('DiskContainer.Format', format, `Valid formats: ${Object.keys(FORMATS).join(', ')}.`);
  const bucket = get(container['UserBucket'], 'S3Bucket');
  const key = get(container['UserBucket'], 'S3Key');
  if (get(container, 'Url') !== undefined) throw new AwsError('InvalidParameter', 'The local EC2 imports from UserBucket (S3Bucket, S3Key) only');
  if (bucket === undefined || key === undefined) throw missing('DiskContainer.UserBucket');
  if (!cloud.s3) throw new AwsError('InvalidParameter', 'S3 is not running');
  const task: ImportTask = {
    id: newId(kind === 'image' ? 'import-ami' : 'import-snap'),
    kind,
    status: 'active',
    statusMessage: 'pending',
    progress: 2,
    description: description ?? get(container, 'Description'),
    format: format.toUpperCase(),
    bucket,
    key,
    diskImageSize: undefined,
    snapshotId: undefined,
    imageId: undefined,
    architecture: 'x86_64',
    platform: 'Linux',
    licenseType: undefined,
    bootMode: undefined,
    encrypted,
    kmsKeyId,
    tags: new Map(),
  };
  region.importTasks.set(task.id, task);
  return task;
}

async function runImport(cloud: Ec2Cloud, region: RegionState, task: ImportTask): Promise<void> {
  // Each status is shown for a phase's time; a cancel between phases ends the task.
  const phase = async (message: string, progress: number): Promise<boolean> => {
    task.statusMessage = message;
    task.progress = progress;
    await sleep(cloud.delays.importPhaseMs);
    if (task.status === 'active') return true;
    task.status = 'deleted';
    return false;
  };
  let scratch: string | null = null;
  try {
    if (!(await phase('pending', 2))) return;
    const object = cloud.s3?.objectFile(task.bucket, task.key) ?? '';
    try {
      await access(object);
    } catch {
      throw new AwsError('ClientError', `ClientError: Unable to read from the specified S3 object s3://${task.bucket}/${task.key}: it does not exist`);
    }
    task.diskImageSize = (await stat(object)).size;
    if (!(await phase('converting', 28))) return;
    let source = object;
    let format = FORMATS[task.format.toLowerCase()] ?? 'raw';
    if (format === 'ova') {
      scratch = await mkdtemp(path.join(path.dirname(object), '.ova-'));
      await execFileP('tar', ['-xf', object, '-C', scratch]);
      const disk = (await readdir(scratch)).filter((f) => f.toLowerCase().endsWith('.vmdk')).sort()[0];
      if (disk === undefined) throw new AwsError('ClientError', 'ClientError: The OVA holds no VMDK disk');
      source = path.join(scratch, disk);
      format = 'vmdk';
    }
    const snap = newSnapshot(cloud, region, { volumeId: 'vol-ffffffff', volumeSizeGiB: 1, description: `Created by AWS-VMImport service for ${task.id}` });
    snap.encrypted = task.encrypted;
    snap.kmsKeyId = task.kmsKeyId;
    try {
      await cloud.store.convertIn(snap.disk, source, format);
    } catch (e) {
      region.snapshots.delete(snap.id);
      throw new AwsError('ClientError', `ClientError: Disk validation failed [${e instanceof Error ? e.message : String(e)}]`);
    }
    snap.volumeSizeGiB = Math.ceil((await cloud.store.virtualSize(snap.disk)) / 1024 ** 3);
    snap.state = 'completed';
    snap.progress = 100;
    task.snapshotId = snap.id;
    if (!(await phase('updating', 50))) return;
    if (task.kind === 'image') {
      if (!(await phase('preparing ami', 80))) return;
      const img = newImage(cloud, {
        name: task.id,
        description: task.description,
        architecture: task.architecture,
        bootMode: task.bootMode,
        enaSupport: true,
        imdsSupport: undefined,
        loginUser: undefined,
        blockDevices: [rootDevice('/dev/sda1', snap, 'gp2')],
        rootDeviceName: '/dev/sda1',
        tags: new Map(),
      });
      img.state = 'available';
      region.images.set(img.id, img);
      task.imageId = img.id;
    }
    task.status = 'completed';
    task.statusMessage = undefined;
    task.progress = undefined;
  } catch (e) {
    task.status = 'deleted';
    task.statusMessage = e instanceof AwsError ? e.message : `ServerError: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    if (scratch !== null) await rm(scratch, { recursive: true, force: true });
  }
}

function tasksOf(region: RegionState, kind: ImportTask['kind'], ids: string[]): ImportTask[] {
  for (const id of ids) if (region.importTasks.get(id)?.kind !== kind) throw new AwsError('InvalidConversionTaskId.Malformed', `The import task ID '${id}' does not exist`);
  return [...region.importTasks.values()].filter((t) => t.kind === kind && (ids.length === 0 || ids.includes(t.id)));
}

function detailXml(t: ImportTask): XmlObject {
  return {
    description: t.description,
    diskImageSize: t.diskImageSize,
    format: t.format,
    progress: t.progress === undefined ? undefined : String(t.progress),
    snapshotId: t.snapshotId,
    status: t.status === 'active' ? t.statusMessage : t.status,
    statusMessage: t.status === 'active' ? undefined : t.statusMessage,
    userBucket: { s3Bucket: t.bucket, s3Key: t.key },
  };
}

function imageTaskXml(t: ImportTask): XmlObject {
  return {
    importTaskId: t.id,
    architecture: t.architecture,
    description: t.description,
    encrypted: t.encrypted,
    kmsKeyId: t.kmsKeyId,
    licenseType: t.licenseType,
    platform: t.platform,
    bootMode: t.bootMode,
    imageId: t.imageId,
    progress: t.progress === undefined ? undefined : String(t.progress),
    status: t.status,
    statusMessage: t.statusMessage,
    snapshotDetailSet: [{ ...detailXml(t), deviceName: '/dev/sda1' }],
    tagSet: tagSet(t.tags),
  };
}

function snapshotTaskXml(t: ImportTask): XmlObject {
  return {
    importTaskId: t.id,
    description: t.description,
    snapshotTaskDetail: { ...detailXml(t), status: t.status, statusMessage: t.statusMessage, encrypted: t.encrypted, kmsKeyId: t.kmsKeyId },
    tagSet: tagSet(t.tags),
  };
}
