// Instances: RunInstances boots the AMI's disk as a QEMU VM (copy-on-write) whose SSH port is
// the instance's public address; the key pair's public key and the user data reach the
// guest through cloud-init. Client tokens make RunInstances idempotent, as on EC2.
import type { Ec2Cloud } from '../cloud.js';
import { AwsError, invalidValue } from '../errors.js';
import { applyFilters, readFilters, type FilterFields } from '../filters.js';
import { INSTANCE_TYPES, MAX_VM_CPUS, MAX_VM_MEMORY_MIB } from '../instance-types.js';
import { newId, type Instance, type RegionState } from '../model.js';
import type { XmlObject } from '../xml.js';
import type { MachineState } from '../../machines/backend.js';
import { dryRun, tagSet, tagsFor, type Action } from './context.js';
import { requestFingerprint } from './images.js';

const STATE_CODES: Record<MachineState, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
const USER_DATA_LIMIT = 16 * 1024;

type Ctx = Parameters<Action>[0];

const INSTANCE_FILTERS = (cloud: Ec2Cloud): FilterFields<Instance> => ({
  'instance-id': (i) => i.id,
  'instance-state-name': (i) => stateOf(cloud, i),
  'instance-state-code': (i) => String(STATE_CODES[stateOf(cloud, i)]),
  'image-id': (i) => i.imageId,
  'instance-type': (i) => i.instanceType,
  'key-name': (i) => i.keyName,
  'client-token': (i) => i.clientToken,
  'subnet-id': (i) => i.subnetId,
  'vpc-id': (i) => i.vpcId,
  'ip-address': (i) => i.publicIp,
  'private-ip-address': (i) => i.privateIp,
  'reservation-id': (i) => i.reservationId,
  'instance.group-id': (i) => i.securityGroupIds,
  'availability-zone': (i) => i.subnetId,
});

export const runInstances: Action = async (ctx) => {
  const { cloud, region, p } = ctx;
  dryRun(p);
  const token = p.str('ClientToken');
  const fingerprint = requestFingerprint(p, ['ClientToken']);
  if (token !== undefined) {
    const seen = region.clientTokens.get(`RunInstances:${token}`);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new AwsError('IdempotentParameterMismatch', `Arguments on this idempotent request are inconsistent with arguments used in previous request(s) with client token '${token}'`);
      return reservationXml(cloud, region, seen.resultId);
    }
  }
  const min = p.int('MinCount') ?? 1;
  const max = p.int('MaxCount') ?? min;
  if (min < 1 || max < min) throw invalidValue('MinCount', String(min), 'MinCount must be at least 1 and at most MaxCount.');
  const image = cloud.image(region, p.required('ImageId'));
  if (image.state !== 'available') throw new AwsError('InvalidAMIID.Unavailable', `The image '${image.id}' is not available (it is '${image.state}')`);
  const typeName = p.str('InstanceType') ?? 'm1.small';
  const type = INSTANCE_TYPES[typeName];
  if (!type) throw invalidValue('InstanceType', typeName);
  if (type.architecture !== image.architecture) {
    throw new AwsError('InvalidParameterValue', `The architecture '${type.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`);
  }
  const keyName = p.str('KeyName');
  const key = keyName === undefined ? undefined : cloud.keyPair(region, keyName);
  const subnet = chooseSubnet(ctx);
  const groups = [...p.list('SecurityGroupId').map((id) => cloud.securityGroup(region, id))];
  for (const name of p.list('SecurityGroup')) {
    const g = [...region.securityGroups.values()].find((x) => x.name === name && x.vpcId === subnet.vpcId);
    if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${subnet.vpcId}'`);
    groups.push(g);
  }
  for (const g of groups) if (g.vpcId !== subnet.vpcId) throw new AwsError('InvalidParameter', `Security group ${g.id} and subnet ${subnet.id} belong to different networks.`);
  if (groups.length === 0) groups.push(...[...region.securityGroups.values()].filter((g) => g.name === 'default' && g.vpcId === subnet.vpcId));
  const userData = decodeUserData(p.str('UserData'));
  const shutdownBehavior = p.str('InstanceInitiatedShutdownBehavior') ?? 'stop';
  if (shutdownBehavior !== 'stop' && shutdownBehavior !== 'terminate') throw invalidValue('InstanceInitiatedShutdownBehavior', shutdownBehavior);
  const root = rootMapping(p, image.rootDeviceName, image.blockDevices.find((b) => b.deviceName === image.rootDeviceName)?.volumeSizeGiB ?? 8);
  if (cloud.runningVmCount() + min > cloud.maxRunningInstances) {
    throw new AwsError('InstanceLimitExceeded', `You have requested more instances (${cloud.runningVmCount() + min}) than your current instance limit of ${cloud.maxRunningInstances} allows for the specified instance type.`);
  }
  const count = Math.min(max, cloud.maxRunningInstances - cloud.runningVmCount());
  const reservationId = newId('r');
  const tags = tagsFor(p, 'instance', ['instance', 'volume', 'network-interface']);
  const volumeTags = tagsFor(p, 'volume', ['instance', 'volume', 'network-interface']);
  const imageDisk = cloud.imageDisk(region, image);
  const iamProfile = p.object('IamInstanceProfile');
  for (let n = 0; n < count; n++) {
    const id = newId('i');
    const addr = await cloud.allocateAddress();
    const inst: Instance = {
      id,
      reservationId,
      imageId: image.id,
      instanceType: typeName,
      keyName: key?.name,
      clientToken: token,
      requestFingerprint: fingerprint,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      securityGroupIds: groups.map((g) => g.id),
      privateIp: addr.privateIp,
      publicIp: addr.publicIp,
      sshPort: addr.sshPort,
      launchTime: new Date(),
      tags: new Map(tags),
      volumeId: newId('vol'),
      volumeSizeGiB: root.sizeGiB,
      volumeTags: new Map(volumeTags),
      rootDeviceName: image.rootDeviceName,
      deleteOnTermination: root.deleteOnTermination,
      iamInstanceProfile: iamProfile?.str('Arn') ?? iamProfile?.str('Name'),
      userData: p.str('UserData'),
      shutdownBehavior,
      enaSupport: undefined,
      sriovNetSupport: undefined,
      terminatedAt: null,
    };
    region.instances.set(id, inst);
    cloud.machines.launch({
      id,
      imageDisk,
      rootSizeBytes: root.sizeGiB * 1024 ** 3,
      seed: { instanceId: id, hostname: privateDnsName(inst).split('.')[0] ?? id, publicKeys: key ? [key.publicKey] : [], userData, loginUser: image.loginUser },
      memoryMb: Math.min(type.memoryMiB, MAX_VM_MEMORY_MIB),
      cpus: Math.min(type.vcpus, MAX_VM_CPUS),
      uefi: image.bootMode === 'uefi',
      ssh: { host: addr.publicIp, port: addr.sshPort },
      smbios: { manufacturer: 'Amazon EC2', product: typeName, serial: `ec2${id.slice(2)}` },
      shutdownBehavior,
    });
  }
  if (token !== undefined) region.clientTokens.set(`RunInstances:${token}`, { fingerprint, resultId: reservationId });
  return reservationXml(cloud, region, reservationId);
};

export const describeInstances: Action = ({ cloud, region, p }) => {
  const ids = p.list('InstanceId');
  for (const id of ids) cloud.instance(region, id);
  let instances = [...region.instances.values()].filter((i) => ids.length === 0 || ids.includes(i.id));
  instances = applyFilters(instances, readFilters(p), INSTANCE_FILTERS(cloud), (i) => i.tags);
  const reservations = new Map<string, Instance[]>();
  for (const i of instances) reservations.set(i.reservationId, [...(reservations.get(i.reservationId) ?? []), i]);
  return { reservationSet: [...reservations.entries()].map(([rid, list]) => reservationBody(cloud, rid, list)) };
};

export const describeInstanceStatus: Action = ({ cloud, region, p }) => {
  const ids = p.list('InstanceId');
  for (const id of ids) cloud.instance(region, id);
  const all = p.bool('IncludeAllInstances') ?? false;
  const instances = [...region.instances.values()].filter((i) => (ids.length === 0 || ids.includes(i.id)) && (all || stateOf(cloud, i) === 'running'));
  return {
    instanceStatusSet: instances.map((i) => {
      const state = stateOf(cloud, i);
      const status = state === 'running' ? 'ok' : 'not-applicable';
      return {
        instanceId: i.id,
        availabilityZone: cloud.subnet(region, i.subnetId).availabilityZone,
        instanceState: { code: STATE_CODES[state], name: state },
        systemStatus: { status, details: [{ name: 'reachability', status: state === 'running' ? 'passed' : 'not-applicable' }] },
        instanceStatus: { status, details: [{ name: 'reachability', status: state === 'running' ? 'passed' : 'not-applicable' }] },
      };
    }),
  };
};

export const stopInstances: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const force = p.bool('Force') ?? false;
  return {
    instancesSet: instancesOf(ctxOf(cloud, region), p.list('InstanceId')).map((i) => {
      const before = stateOf(cloud, i);
      if (before === 'pending') throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be stopped.`);
      if (before === 'terminated' || before === 'shutting-down') throw new AwsError('IncorrectInstanceState', `This instance '${i.id}' is not in a state from which it can be stopped.`);
      cloud.machines.stop(i.id, force);
      return stateChange(cloud, i, before);
    }),
  };
};

export const startInstances: Action = ({ cloud, region, p }) => {
  dryRun(p);
  return {
    instancesSet: instancesOf(ctxOf(cloud, region), p.list('InstanceId')).map((i) => {
      const before = stateOf(cloud, i);
      if (before !== 'stopped' && before !== 'running' && before !== 'pending') throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be started.`);
      cloud.machines.start(i.id);
      return stateChange(cloud, i, before);
    }),
  };
};

export const terminateInstances: Action = ({ cloud, region, p }) => {
  dryRun(p);
  return {
    instancesSet: instancesOf(ctxOf(cloud, region), p.list('InstanceId')).map((i) => {
      const before = stateOf(cloud, i);
      cloud.machines.terminate(i.id);
      if (i.terminatedAt === null) i.terminatedAt = new Date();
      return stateChange(cloud, i, before);
    }),
  };
};

/** The attributes Packer's amazon-ebs changes on its stopped instance (ENA, SR-IOV...). */
export const modifyInstanceAttribute: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const i = cloud.instance(region, p.required('InstanceId'));
  const state = stateOf(cloud, i);
  const value = (name: string): string | undefined => p.object(name)?.str('Value') ?? (p.str('Attribute') === lowerFirst(name) ? p.str('Value') : undefined);
  const needsStopped = ['EnaSupport', 'SriovNetSupport', 'InstanceType', 'UserData'].filter((n) => value(n) !== undefined);
  if (needsStopped.length > 0 && state !== 'stopped') {
    throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in the 'stopped' state (it is '${state}'); ${needsStopped.join(', ')} can only be changed on a stopped instance.`);
  }
  const ena = value('EnaSupport');
  if (ena !== undefined) i.enaSupport = ena === 'true';
  const sriov = value('SriovNetSupport');
  if (sriov !== undefined) i.sriovNetSupport = sriov;
  const type = value('InstanceType');
  if (type !== undefined) {
    if (!INSTANCE_TYPES[type]) throw invalidValue('InstanceType', type);
    i.instanceType = type;
  }
  const behavior = value('InstanceInitiatedShutdownBehavior');
  if (behavior !== undefined) {
    if (behavior !== 'stop' && behavior !== 'terminate') throw invalidValue('InstanceInitiatedShutdownBehavior', behavior);
    i.shutdownBehavior = behavior;
  }
  const groups = p.list('GroupId');
  if (groups.length > 0) i.securityGroupIds = groups.map((g) => cloud.securityGroup(region, g).id);
  return { return: true };
};

function lowerFirst(s: string): string {
  return `${s[0]?.toLowerCase() ?? ''}${s.slice(1)}`;
}

export const getConsoleOutput: Action = async ({ cloud, region, p }) => {
  const i = cloud.instance(region, p.required('InstanceId'));
  const text = (await cloud.machines.get(i.id)?.vm?.consoleOutput()) ?? '';
  return { instanceId: i.id, timestamp: new Date(), output: Buffer.from(text.slice(-64 * 1024)).toString('base64') };
};

export const describeInstanceTypes: Action = ({ p }) => {
  const names = p.list('InstanceType');
  for (const n of names) if (!INSTANCE_TYPES[n]) throw invalidValue('InstanceType', n);
  const list = Object.entries(INSTANCE_TYPES).filter(([n]) => names.length === 0 || names.includes(n));
  return {
    instanceTypeSet: list.map(([name, t]) => ({
      instanceType: name,
      currentGeneration: true,
      supportedUsageClasses: ['on-demand'],
      supportedRootDeviceTypes: ['ebs'],
      supportedVirtualizationTypes: ['hvm'],
      bareMetal: false,
      hypervisor: 'nitro',
      processorInfo: { supportedArchitectures: [t.architecture] },
      vCpuInfo: { defaultVCpus: t.vcpus },
      memoryInfo: { sizeInMiB: t.memoryMiB },
      burstablePerformanceSupported: t.burstable,
      supportedBootModes: ['legacy-bios', 'uefi'],
    })),
  };
};

export function stateOf(cloud: Ec2Cloud, i: Instance): MachineState {
  return cloud.machines.get(i.id)?.state ?? 'terminated';
}

function ctxOf(cloud: Ec2Cloud, region: RegionState): { cloud: Ec2Cloud; region: RegionState } {
  return { cloud, region };
}

function instancesOf(ctx: { cloud: Ec2Cloud; region: RegionState }, ids: string[]): Instance[] {
  if (ids.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceId');
  return ids.map((id) => ctx.cloud.instance(ctx.region, id));
}

function stateChange(cloud: Ec2Cloud, i: Instance, before: MachineState): XmlObject {
  const now = stateOf(cloud, i);
  return { instanceId: i.id, currentState: { code: STATE_CODES[now], name: now }, previousState: { code: STATE_CODES[before], name: before } };
}

function chooseSubnet({ cloud, region, p }: Ctx): ReturnType<Ec2Cloud['subnet']> {
  const id = p.str('SubnetId') ?? p.objects('NetworkInterface')[0]?.str('SubnetId');
  if (id !== undefined) return cloud.subnet(region, id);
  const az = p.object('Placement')?.str('AvailabilityZone');
  const s = [...region.subnets.values()].find((x) => x.isDefault && (az === undefined || x.availabilityZone === az));
  if (!s) throw new AwsError('InvalidParameterValue', az === undefined ? 'No default subnet in this region' : `Invalid availability zone: [${az}]`);
  return s;
}

function rootMapping(p: Ctx['p'], rootName: string, imageSizeGiB: number): { sizeGiB: number; deleteOnTermination: boolean } {
  const m = p.objects('BlockDeviceMapping').find((b) => b.str('DeviceName') === rootName);
  const ebs = m?.object('Ebs');
  const size = ebs?.int('VolumeSize') ?? imageSizeGiB;
  if (size < imageSizeGiB) {
    throw new AwsError('InvalidBlockDeviceMapping', `Volume of size ${size}GB is smaller than snapshot, expect size >= ${imageSizeGiB}GB`);
  }
  return { sizeGiB: size, deleteOnTermination: ebs?.bool('DeleteOnTermination') ?? true };
}

function decodeUserData(b64: string | undefined): Buffer | null {
  if (b64 === undefined) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new AwsError('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
  const data = Buffer.from(b64, 'base64');
  if (data.length > USER_DATA_LIMIT) throw new AwsError('InvalidParameterValue', `User data is limited to ${USER_DATA_LIMIT} bytes`);
  return data;
}

function privateDnsName(i: Instance): string {
  return `ip-${i.privateIp.replace(/\./g, '-')}.ec2.internal`;
}

function reservationXml(cloud: Ec2Cloud, region: RegionState, reservationId: string): XmlObject {
  const list = [...region.instances.values()].filter((i) => i.reservationId === reservationId);
  return reservationBody(cloud, reservationId, list);
}

function reservationBody(cloud: Ec2Cloud, reservationId: string, list: Instance[]): XmlObject {
  return { reservationId, ownerId: cloud.accountId, groupSet: [], instancesSet: list.map((i) => instanceXml(cloud, i)) };
}

function instanceXml(cloud: Ec2Cloud, i: Instance): XmlObject {
  const m = cloud.machines.get(i.id);
  const state = stateOf(cloud, i);
  const gone = state === 'terminated';
  const region = [...cloud.regions.values()].find((r) => r.instances.get(i.id) === i);
  const subnet = region?.subnets.get(i.subnetId);
  const image = region?.images.get(i.imageId);
  const groups = i.securityGroupIds.map((id) => ({ groupId: id, groupName: region?.securityGroups.get(id)?.name }));
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: { code: STATE_CODES[state], name: state },
    privateDnsName: gone ? '' : privateDnsName(i),
    // The public "DNS name" is the address itself: nothing resolves EC2's names here.
    dnsName: state === 'running' ? i.publicIp : '',
    reason: m?.reason ? `${m.reason.message} (${m.launchedAt.toISOString()})` : '',
    keyName: i.keyName,
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: subnet?.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: gone ? undefined : i.subnetId,
    vpcId: gone ? undefined : i.vpcId,
    privateIpAddress: gone ? undefined : i.privateIp,
    ipAddress: state === 'running' || state === 'pending' || state === 'stopping' ? i.publicIp : undefined,
    sourceDestCheck: true,
    groupSet: gone ? [] : groups,
    stateReason: m?.reason ? { ...m.reason } : undefined,
    architecture: image?.architecture ?? 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: i.rootDeviceName,
    blockDeviceMapping: gone ? [] : [{ deviceName: i.rootDeviceName, ebs: { volumeId: i.volumeId, status: 'attached', attachTime: i.launchTime, deleteOnTermination: i.deleteOnTermination } }],
    virtualizationType: 'hvm',
    clientToken: i.clientToken ?? '',
    tagSet: tagSet(i.tags),
    hypervisor: 'xen',
    networkInterfaceSet: gone
      ? []
      : [
          {
            networkInterfaceId: `eni-${i.id.slice(2)}`,
            subnetId: i.subnetId,
            vpcId: i.vpcId,
            status: 'in-use',
            privateIpAddress: i.privateIp,
            privateDnsName: privateDnsName(i),
            association: state === 'running' ? { publicIp: i.publicIp, publicDnsName: i.publicIp, ipOwnerId: 'amazon' } : undefined,
            groupSet: groups,
          },
        ],
    iamInstanceProfile: i.iamInstanceProfile === undefined ? undefined : { arn: i.iamInstanceProfile, id: 'AIPAFAKEPROFILE' },
    ebsOptimized: false,
    enaSupport: i.enaSupport ?? image?.enaSupport ?? true,
    sriovNetSupport: i.sriovNetSupport,
    bootMode: image?.bootMode,
    metadataOptions: { state: 'applied', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
  };
}
