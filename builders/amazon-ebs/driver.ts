// Contract of the amazon-ebs builder's side effects (design: docs/cloud-builders.md).
// Steps call only this interface; the real driver wraps @aws-sdk/client-ec2 with a
// configurable endpoint, and step tests use a fake. Not implemented yet.

export interface Ec2Tag {
  key: string;
  value: string;
}

export interface Ec2InstanceSpec {
  imageId: string;
  instanceType: string;
  keyName: string;
  securityGroupIds: string[];
  subnetId?: string;
  associatePublicIp?: boolean;
  userData?: string;
  blockDeviceMappings?: { deviceName: string; volumeSize?: number; volumeType?: string; deleteOnTermination: boolean }[];
  tags: Ec2Tag[];
  /** Idempotency token: the build's run id, so a retried RunInstances never makes two. */
  clientToken: string;
}

export interface Ec2Instance {
  id: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  publicIp?: string;
  privateIp?: string;
}

export interface Ec2Image {
  id: string;
  name: string;
  state: 'pending' | 'available' | 'failed' | 'deregistered';
  snapshotIds: string[];
}

export interface Ec2Driver {
  readonly region: string;
  findImage(filter: { ids?: string[]; owners?: string[]; filters?: Record<string, string[]>; mostRecent: boolean }, signal: AbortSignal): Promise<Ec2Image>;
  createKeyPair(name: string, type: 'ed25519' | 'rsa', tags: Ec2Tag[], signal: AbortSignal): Promise<{ name: string; privateKeyPem: string }>;
  deleteKeyPair(name: string, signal: AbortSignal): Promise<void>;
  createSecurityGroup(spec: { name: string; vpcId?: string; sshCidr: string; port: number; tags: Ec2Tag[] }, signal: AbortSignal): Promise<string>;
  deleteSecurityGroup(id: string, signal: AbortSignal): Promise<void>;
  runInstance(spec: Ec2InstanceSpec, signal: AbortSignal): Promise<Ec2Instance>;
  describeInstance(id: string, signal: AbortSignal): Promise<Ec2Instance>;
  stopInstance(id: string, signal: AbortSignal): Promise<void>;
  terminateInstance(id: string, signal: AbortSignal): Promise<void>;
  createImage(spec: { instanceId: string; name: string; description?: string; tags: Ec2Tag[] }, signal: AbortSignal): Promise<string>;
  describeImage(id: string, signal: AbortSignal): Promise<Ec2Image>;
  deregisterImage(id: string, deleteSnapshots: boolean, signal: AbortSignal): Promise<void>;
  copyImage(spec: { sourceImageId: string; sourceRegion: string; name: string }, toRegion: string, signal: AbortSignal): Promise<string>;
}
