// The resources of the local EC2, per region, as EC2 describes them. Instances keep their
// machine (a QEMU VM) in the shared machine backend; images and snapshots their disk in the
// shared disk store; the rest is records.
import { randomBytes } from 'node:crypto';

export type Tags = Map<string, string>;

export type ImageState = 'pending' | 'available' | 'failed' | 'deregistered';

export interface Image {
  id: string;
  name: string;
  description: string | undefined;
  ownerId: string;
  ownerAlias: string | undefined;
  state: ImageState;
  stateReason: { code: string; message: string } | null;
  created: Date;
  architecture: string;
  rootDeviceName: string;
  virtualizationType: string;
  enaSupport: boolean;
  sriovNetSupport: string | undefined;
  bootMode: string | undefined;
  imdsSupport: string | undefined;
  blockDevices: BlockDevice[];
  tags: Tags;
  public: boolean;
  launchUsers: Set<string>;
  launchGroups: Set<string>;
  launchOrgArns: Set<string>;
  /** The user cloud-init creates at first boot (ubuntu, admin, ec2-user...); unset: the disk's own default. */
  loginUser: string | undefined;
  sourceInstanceId: string | undefined;
  sourceImage: { id: string; region: string } | undefined;
}

export interface BlockDevice {
  deviceName: string;
  snapshotId: string | undefined;
  volumeSizeGiB: number;
  volumeType: string;
  deleteOnTermination: boolean;
  encrypted: boolean;
  kmsKeyId: string | undefined;
}

export type SnapshotState = 'pending' | 'completed' | 'error';

export interface Snapshot {
  id: string;
  ownerId: string;
  state: SnapshotState;
  progress: number;
  volumeId: string;
  volumeSizeGiB: number;
  started: Date;
  description: string;
  encrypted: boolean;
  kmsKeyId: string | undefined;
  tags: Tags;
  createVolumePermissions: Set<string>;
  /** The disk in the store holding its blocks. */
  disk: string;
  /** The login user of the image it was taken from, handed on to images registered from it. */
  loginUser: string | undefined;
  /** Set for snapshots written through the EBS direct API. */
  direct: DirectSnapshot | undefined;
}

export interface DirectSnapshot {
  blockSize: number;
  /** Block index -> base64 SHA256 of the block as received. */
  checksums: Map<number, string>;
  clientToken: string | undefined;
  timeoutMinutes: number;
}

export interface KeyPair {
  id: string;
  name: string;
  type: 'rsa' | 'ed25519';
  fingerprint: string;
  publicKey: string;
  created: Date;
  tags: Tags;
}

export interface IpRule {
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidrs: string[];
  groupIds: string[];
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ownerId: string;
  ingress: IpRule[];
  egress: IpRule[];
  tags: Tags;
}

export interface Vpc {
  id: string;
  cidr: string;
  isDefault: boolean;
  tags: Tags;
}

export interface Subnet {
  id: string;
  vpcId: string;
  cidr: string;
  availabilityZone: string;
  isDefault: boolean;
  mapPublicIp: boolean;
  tags: Tags;
}

export interface Instance {
  id: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  keyName: string | undefined;
  clientToken: string | undefined;
  /** What the client token was used with, to tell a retry from a different request. */
  requestFingerprint: string;
  subnetId: string;
  vpcId: string;
  securityGroupIds: string[];
  privateIp: string;
  publicIp: string;
  sshPort: number;
  launchTime: Date;
  tags: Tags;
  volumeId: string;
  volumeSizeGiB: number;
  volumeTags: Tags;
  rootDeviceName: string;
  deleteOnTermination: boolean;
  iamInstanceProfile: string | undefined;
  userData: string | undefined;
  shutdownBehavior: 'stop' | 'terminate';
  /** Set by ModifyInstanceAttribute; images created from the instance inherit them. */
  enaSupport: boolean | undefined;
  sriovNetSupport: string | undefined;
  /** When it reached `terminated` (terminated instances stay visible for a while, as on EC2). */
  terminatedAt: Date | null;
}

export interface Secret {
  name: string;
  arn: string;
  description: string | undefined;
  created: Date;
  versions: { id: string; stages: Set<string>; string: string | undefined; binary: string | undefined; created: Date }[];
}

export interface Parameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  modified: Date;
}

export interface ImportTask {
  id: string;
  kind: 'image' | 'snapshot';
  status: 'active' | 'completed' | 'deleting' | 'deleted';
  statusMessage: string | undefined;
  progress: number | undefined;
  description: string | undefined;
  format: string;
  bucket: string;
  key: string;
  diskImageSize: number | undefined;
  snapshotId: string | undefined;
  imageId: string | undefined;
  architecture: string;
  platform: string;
  licenseType: string | undefined;
  bootMode: string | undefined;
  encrypted: boolean;
  kmsKeyId: string | undefined;
  tags: Tags;
}

/** One region's resources. */
export class RegionState {
  readonly images = new Map<string, Image>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly keyPairs = new Map<string, KeyPair>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly instances = new Map<string, Instance>();
  readonly secrets = new Map<string, Secret>();
  readonly importTasks = new Map<string, ImportTask>();
  readonly parameters = new Map<string, Parameter>();
  /** Client tokens of RunInstances, CopyImage and StartSnapshot, to their result. */
  readonly clientTokens = new Map<string, { fingerprint: string; resultId: string }>();

  constructor(
    readonly name: string,
    readonly index: number,
  ) {}

  get availabilityZones(): string[] {
    return ['a', 'b', 'c'].map((z) => `${this.name}${z}`);
  }
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function newRequestId(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
