// The side door tests and people use, never the SDK: /_fake/inventory (every live resource
// of the account in every region), /_fake/faults, /_fake/delays and /_fake/seeds.
import type { Ec2Cloud } from './cloud.js';
import { addSeed, type SeedImage } from './catalog.js';
import type { FaultRule } from './faults.js';
import { stateOf } from './actions/instances.js';
import type { Reply } from './reply.js';

export interface Inventory {
  regions: Record<string, RegionInventory>;
}

export interface RegionInventory {
  instances: { id: string; state: string; imageId: string; ssh: string; keyName: string | undefined; securityGroupIds: string[]; tags: Record<string, string> }[];
  volumes: { id: string; instanceId: string; sizeGiB: number }[];
  images: { id: string; name: string; state: string; snapshotIds: string[]; public: boolean; tags: Record<string, string> }[];
  snapshots: { id: string; state: string; progress: string; sizeGiB: number; tags: Record<string, string> }[];
  keyPairs: { id: string; name: string }[];
  securityGroups: { id: string; name: string }[];
  secrets: string[];
  parameters: string[];
}

export async function handleControl(cloud: Ec2Cloud, method: string, url: URL, body: Buffer): Promise<Reply> {
  try {
    const route = `${method} ${url.pathname}`;
    if (route === 'GET /_fake/inventory') return json(200, inventory(cloud));
    if (route === 'GET /_fake/faults') return json(200, cloud.faults.list());
    if (route === 'POST /_fake/faults') {
      const input = JSON.parse(body.toString('utf8') || '{}') as { rules?: FaultRule[] };
      cloud.faults.set(input.rules ?? []);
      return json(200, cloud.faults.list());
    }
    if (route === 'POST /_fake/delays') {
      const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, number>;
      for (const [k, v] of Object.entries(input)) {
        if (!(k in cloud.delays) || typeof v !== 'number' || v < 0) return json(400, { error: `unknown delay ${k} or bad value (delays: ${Object.keys(cloud.delays).join(', ')})` });
        (cloud.delays as unknown as Record<string, number>)[k] = v;
        if (k in cloud.machines.delays) (cloud.machines.delays as unknown as Record<string, number>)[k] = v;
      }
      return json(200, cloud.delays);
    }
    if (route === 'POST /_fake/seeds') {
      const seed = JSON.parse(body.toString('utf8')) as Omit<SeedImage, 'format'> & { format?: SeedImage['format'] };
      if (!seed.name || !seed.disk || !/^\d{12}$/.test(seed.ownerId ?? '')) return json(400, { error: 'a seed needs name, disk (a path), ownerId (12 digits); format raw|qcow2' });
      return json(201, { imageIds: await addSeed(cloud, { ...seed, format: seed.format ?? 'raw' }) });
    }
    return json(404, { error: `no route ${route}; try GET /_fake/inventory` });
  } catch (e) {
    return json(400, { error: e instanceof Error ? e.message : String(e) });
  }
}

/** Every live resource of the account (the seeded public catalog is not the account's). */
export function inventory(cloud: Ec2Cloud): Inventory {
  const regions: Record<string, RegionInventory> = {};
  const tags = (t: Map<string, string>): Record<string, string> => Object.fromEntries(t);
  for (const [name, r] of cloud.regions) {
    const live = [...r.instances.values()].filter((i) => stateOf(cloud, i) !== 'terminated');
    regions[name] = {
      instances: live.map((i) => ({ id: i.id, state: stateOf(cloud, i), imageId: i.imageId, ssh: `${i.publicIp}:${i.sshPort}`, keyName: i.keyName, securityGroupIds: i.securityGroupIds, tags: tags(i.tags) })),
      volumes: live.map((i) => ({ id: i.volumeId, instanceId: i.id, sizeGiB: i.volumeSizeGiB })),
      images: [...r.images.values()]
        .filter((i) => i.ownerId === cloud.accountId)
        .map((i) => ({ id: i.id, name: i.name, state: i.state, snapshotIds: i.blockDevices.map((b) => b.snapshotId).filter((s): s is string => s !== undefined), public: i.public, tags: tags(i.tags) })),
      snapshots: [...r.snapshots.values()].filter((s) => s.ownerId === cloud.accountId).map((s) => ({ id: s.id, state: s.state, progress: `${s.progress}%`, sizeGiB: s.volumeSizeGiB, tags: tags(s.tags) })),
      keyPairs: [...r.keyPairs.values()].map((k) => ({ id: k.id, name: k.name })),
      securityGroups: [...r.securityGroups.values()].filter((g) => g.name !== 'default').map((g) => ({ id: g.id, name: g.name })),
      secrets: [...r.secrets.keys()],
      parameters: [...r.parameters.keys()],
    };
  }
  return { regions };
}

function json(status: number, body: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body, null, 2) };
}
