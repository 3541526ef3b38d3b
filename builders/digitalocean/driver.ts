// Contract of the digitalocean builder's side effects (design: docs/cloud-builders.md).
// The real driver is an openapi-fetch client whose types are generated from DigitalOcean's
// official spec (../shared/digitalocean/openapi.yaml); step tests use a fake. Not implemented yet.

export interface DoDropletSpec {
  name: string;
  region: string;
  size: string;
  /** Image slug or numeric id. */
  image: string | number;
  sshKeyIds: number[];
  userData?: string;
  tags: string[];
  vpcUuid?: string;
  ipv6?: boolean;
  monitoring?: boolean;
}

export interface DoDroplet {
  id: number;
  status: 'new' | 'active' | 'off' | 'archive';
  publicIpv4?: string;
  privateIpv4?: string;
}

export interface DoAction {
  id: number;
  status: 'in-progress' | 'completed' | 'errored';
  type: string;
}

export interface DigitalOceanDriver {
  createSshKey(name: string, publicKey: string, signal: AbortSignal): Promise<{ id: number; fingerprint: string }>;
  deleteSshKey(id: number, signal: AbortSignal): Promise<void>;
  createDroplet(spec: DoDropletSpec, signal: AbortSignal): Promise<DoDroplet>;
  getDroplet(id: number, signal: AbortSignal): Promise<DoDroplet>;
  deleteDroplet(id: number, signal: AbortSignal): Promise<void>;
  /** POST /v2/droplets/{id}/actions: shutdown, power_off, snapshot. */
  dropletAction(id: number, action: { type: 'shutdown' | 'power_off' } | { type: 'snapshot'; name: string }, signal: AbortSignal): Promise<DoAction>;
  getAction(id: number, signal: AbortSignal): Promise<DoAction>;
  findSnapshotByName(dropletId: number, name: string, signal: AbortSignal): Promise<{ id: number; regions: string[] }>;
  transferImage(imageId: number, region: string, signal: AbortSignal): Promise<DoAction>;
  deleteImage(imageId: number, signal: AbortSignal): Promise<void>;
  /** POST /v2/images: custom image from a URL (digitalocean-import). */
  createCustomImage(spec: { name: string; url: string; region: string; distribution?: string; tags: string[] }, signal: AbortSignal): Promise<{ id: number; status: string }>;
}
