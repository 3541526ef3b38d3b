// CreateTags / DeleteTags / DescribeTags over every taggable resource of a region, and
// DescribeVolumes for the instances' root volumes.
import { AwsError } from '../errors.js';
import type { RegionState, Tags } from '../model.js';
import type { XmlObject } from '../xml.js';
import { addTag, dryRun, tagSet, type Action } from './context.js';
import { stateOf } from './instances.js';

const RESOURCE_TYPES: Record<string, string> = { ami: 'image', i: 'instance', snap: 'snapshot', sg: 'security-group', key: 'key-pair', vpc: 'vpc', subnet: 'subnet', vol: 'volume' };

export const createTags: Action = ({ region, p }) => {
  dryRun(p);
  const ids = p.list('ResourceId');
  const targets = ids.map((id) => tagsOf(region, id));
  const tags = p.objects('Tag');
  for (const t of targets) for (const tag of tags) addTag(t, tag.required('Key'), tag.str('Value') ?? '');
  return { return: true };
};

export const deleteTags: Action = ({ region, p }) => {
  dryRun(p);
  for (const id of p.list('ResourceId')) {
    const t = tagsOf(region, id);
    const tags = p.objects('Tag');
    if (tags.length === 0) t.clear();
    for (const tag of tags) {
      const value = tag.str('Value');
      const key = tag.required('Key');
      if (value === undefined || t.get(key) === value) t.delete(key);
    }
  }
  return { return: true };
};

export const describeTags: Action = ({ region, p }) => {
  const filters = p.objects('Filter').map((f) => ({ name: f.required('Name'), values: f.list('Value') }));
  const rows: XmlObject[] = [];
  for (const [id, tags] of allTagged(region)) {
    for (const [key, value] of tags) {
      const row = { resourceId: id, resourceType: RESOURCE_TYPES[id.split('-')[0] ?? ''] ?? 'unknown', key, value };
      const ok = filters.every((f) => f.values.includes(f.name === 'resource-id' ? row.resourceId : f.name === 'resource-type' ? row.resourceType : f.name === 'key' ? key : f.name === 'value' ? value : ''));
      if (ok) rows.push(row);
    }
  }
  return { tagSet: rows };
};

export const describeVolumes: Action = ({ cloud, region, p }) => {
  const ids = p.list('VolumeId');
  const vols = [...region.instances.values()].filter((i) => stateOf(cloud, i) !== 'terminated' && (ids.length === 0 || ids.includes(i.volumeId)));
  for (const id of ids) if (!vols.some((v) => v.volumeId === id)) throw new AwsError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return {
    volumeSet: vols.map((i) => ({
      volumeId: i.volumeId,
      size: i.volumeSizeGiB,
      availabilityZone: region.subnets.get(i.subnetId)?.availabilityZone,
      status: 'in-use',
      createTime: i.launchTime,
      volumeType: 'gp2',
      encrypted: false,
      attachmentSet: [{ volumeId: i.volumeId, instanceId: i.id, device: i.rootDeviceName, status: 'attached', attachTime: i.launchTime, deleteOnTermination: i.deleteOnTermination }],
      tagSet: tagSet(i.volumeTags),
    })),
  };
};

function allTagged(region: RegionState): [string, Tags][] {
  return [
    ...[...region.images.values()].map((r) => [r.id, r.tags] as [string, Tags]),
    ...[...region.instances.values()].map((r) => [r.id, r.tags] as [string, Tags]),
    ...[...region.instances.values()].map((r) => [r.volumeId, r.volumeTags] as [string, Tags]),
    ...[...region.snapshots.values()].map((r) => [r.id, r.tags] as [string, Tags]),
    ...[...region.securityGroups.values()].map((r) => [r.id, r.tags] as [string, Tags]),
    ...[...region.keyPairs.values()].map((r) => [r.id, r.tags] as [string, Tags]),
    ...[...region.vpcs.values()].map((r) => [r.id, r.tags] as [string, Tags]),
    ...[...region.subnets.values()].map((r) => [r.id, r.tags] as [string, Tags]),
  ];
}

function tagsOf(region: RegionState, id: string): Tags {
  const hit = allTagged(region).find(([rid]) => rid === id);
  if (!hit) {
    const prefix = id.split('-')[0] ?? '';
    const code = { ami: 'InvalidAMIID.NotFound', i: 'InvalidInstanceID.NotFound', snap: 'InvalidSnapshot.NotFound', sg: 'InvalidGroup.NotFound', vol: 'InvalidVolume.NotFound' }[prefix] ?? 'InvalidID';
    throw new AwsError(code, `The ID '${id}' is not valid or does not exist`);
  }
  return hit[1];
}
