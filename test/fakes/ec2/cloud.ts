// The local EC2's state: its regions (each with a default VPC, one default subnet per
// availability zone and a default security group), the account the credentials belong
// to, the disk store and machine backend shared with other local clouds, and the
// lookups every action needs, failing with EC2's own error codes.
import net from 'node:net';
import path from 'node:path';
import { DiskStore } from '../machines/disk-store.js';
import { MachineBackend, type Delays } from '../machines/backend.js';
import { AwsError } from './errors.js';
import { Faults } from './faults.js';
import { newId, RegionState, type Image, type Instance, type KeyPair, type SecurityGroup, type Snapshot, type Subnet } from './model.js';
import type { Credentials } from './sigv4.js';
import type { LocalS3 } from './services/s3.js';

export const DEFAULT_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];

export interface Ec2Delays extends Delays {
  /** pending -> available of an image (CreateImage, RegisterImage). */
  imageMs: number;
  /** CopyImage, pending -> available in the destination region. */
  copyMs: number;
  /** A snapshot's progress from 0% to 100%. */
  snapshotMs: number;
  /** Each phase of an ImportImage / ImportSnapshot task (pending, converting, updating...). */
  importPhaseMs: number;
}

export interface Ec2CloudOptions {
  stateDir: string;
  credentials: Credentials;
  accountId?: string;
  regions?: string[];
  delays?: Partial<Ec2Delays>;
  /** Most VMs running at once (the host has few cores); more is InstanceLimitExceeded. */
  maxRunningInstances?: number;
}

export class Ec2Cloud {
  readonly accountId: string;
  readonly credentials: Credentials;
  readonly regions = new Map<string, RegionState>();
  readonly faults = new Faults();
  readonly store: DiskStore;
  readonly machines: MachineBackend;
  readonly delays: Ec2Delays;
  readonly maxRunningInstances: number;
  /** S3 (s3rver), started with the server. */
  s3: LocalS3 | null = null;
  private addressCounter = 0;

  constructor(readonly options: Ec2CloudOptions) {
    this.accountId = options.accountId ?? '123456789012';
    this.credentials = options.credentials;
    this.store = new DiskStore(path.join(options.stateDir, 'disks'));
    this.machines = new MachineBackend(this.store, path.join(options.stateDir, 'machines'), (t) => this.faults.forTransition(t), options.delays);
    this.delays = { ...this.machines.delays, imageMs: 2_000, copyMs: 2_000, snapshotMs: 1_500, importPhaseMs: 1_000, ...options.delays };
    this.maxRunningInstances = options.maxRunningInstances ?? 4;
    (options.regions ?? DEFAULT_REGIONS).forEach((name, i) => this.regions.set(name, defaultNetwork(new RegionState(name, i), this.accountId)));
  }

  async init(): Promise<void> {
    await this.store.init();
  }

  /** The region a request was signed for; an unknown one fails like a disabled region. */
  region(name: string): RegionState {
    const r = this.regions.get(name);
    if (!r) throw new AwsError('AuthFailure', `AWS was not able to validate the provided access credentials: the region '${name}' does not exist or is not enabled for this account (regions: ${[...this.regions.keys()].join(', ')})`, 401);
    return r;
  }

  image(r: RegionState, id: string): Image {
    if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
    const img = r.images.get(id);
    if (!img || img.state === 'deregistered' || !this.canLaunch(img)) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    return img;
  }

  ownImage(r: RegionState, id: string): Image {
    const img = this.image(r, id);
    if (img.ownerId !== this.accountId) throw new AwsError('AuthFailure', `Not authorized for image:${id}`, 403);
    return img;
  }

  canLaunch(img: Image): boolean {
    return img.ownerId === this.accountId || img.public || img.launchUsers.has(this.accountId) || img.launchGroups.has('all');
  }

  instance(r: RegionState, id: string): Instance {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    const i = r.instances.get(id);
    if (!i) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return i;
  }

  snapshot(r: RegionState, id: string): Snapshot {
    if (!/^snap-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidSnapshotID.Malformed', `Invalid id: "${id}" (expecting "snap-...")`);
    const s = r.snapshots.get(id);
    if (!s) throw new AwsError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    return s;
  }

  keyPair(r: RegionState, name: string): KeyPair {
    const k = [...r.keyPairs.values()].find((kp) => kp.name === name);
    if (!k) throw new AwsError('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);
    return k;
  }

  securityGroup(r: RegionState, id: string): SecurityGroup {
    if (!/^sg-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`);
    const g = r.securityGroups.get(id);
    if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return g;
  }

  subnet(r: RegionState, id: string): Subnet {
    const s = r.subnets.get(id);
    if (!s) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    return s;
  }

  /** The root disk (store id) an image boots from. */
  imageDisk(r: RegionState, img: Image): string {
    const snapId = img.blockDevices.find((b) => b.deviceName === img.rootDeviceName)?.snapshotId;
    const snap = snapId === undefined ? undefined : r.snapshots.get(snapId);
    if (!snap) throw new AwsError('InvalidAMIID.Unavailable', `The image '${img.id}' has no root snapshot`);
    return snap.disk;
  }

  /**
   * A public address for a new instance: an address of its own on the loopback network,
   * where QEMU forwards SSH on port 22 (any 127.x.y.z reaches this host), so templates
   * connect to `<ip>:22` as on EC2. Where port 22 cannot be bound (not root), a free high
   * port on that address; the inventory shows it.
   */
  async allocateAddress(): Promise<{ publicIp: string; sshPort: number; privateIp: string }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const n = (process.pid * 7919 + this.addressCounter++) % (1 << 20);
      const publicIp = `127.${100 + ((n >> 16) & 0x0f)}.${(n >> 8) & 0xff}.${(n & 0xff) | 1}`;
      const privateIp = `172.31.${(this.addressCounter >> 8) & 0xff}.${(this.addressCounter & 0xff) | 4}`;
      if (await canListen(publicIp, 22)) return { publicIp, sshPort: 22, privateIp };
      const port = await freePortOn(publicIp);
      if (port !== null) return { publicIp, sshPort: port, privateIp };
    }
    throw new AwsError('InsufficientInstanceCapacity', 'There is no address left on this host for another instance', 500);
  }

  runningVmCount(): number {
    return this.machines.all().filter((m) => m.vm !== null || m.state === 'pending').length;
  }
}

function defaultNetwork(r: RegionState, ownerId: string): RegionState {
  const vpcId = newId('vpc');
  r.vpcs.set(vpcId, { id: vpcId, cidr: '172.31.0.0/16', isDefault: true, tags: new Map() });
  r.availabilityZones.forEach((az, i) => {
    const id = newId('subnet');
    r.subnets.set(id, { id, vpcId, cidr: `172.31.${i * 16}.0/20`, availabilityZone: az, isDefault: true, mapPublicIp: true, tags: new Map() });
  });
  const sg = newId('sg');
  r.securityGroups.set(sg, {
    id: sg,
    name: 'default',
    description: 'default VPC security group',
    vpcId,
    ownerId,
    ingress: [{ protocol: '-1', fromPort: undefined, toPort: undefined, cidrs: [], groupIds: [sg] }],
    egress: [{ protocol: '-1', fromPort: undefined, toPort: undefined, cidrs: ['0.0.0.0/0'], groupIds: [] }],
    tags: new Map(),
  });
  return r;
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function freePortOn(host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : null));
    });
  });
}
