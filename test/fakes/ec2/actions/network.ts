// The network a region has: its default VPC and subnets, security groups (SSH rules are
// recorded and reported; QEMU's forward is what really lets SSH in), regions and zones.
import type { Ec2Cloud } from '../cloud.js';
import { AwsError, invalidValue } from '../errors.js';
import { applyFilters, readFilters, type FilterFields } from '../filters.js';
import { newId, type IpRule, type SecurityGroup, type Subnet, type Vpc } from '../model.js';
import type { Params } from '../query.js';
import type { XmlObject } from '../xml.js';
import { dryRun, tagSet, tagsFor, type Action } from './context.js';

const VPC_FILTERS: FilterFields<Vpc> = {
  'vpc-id': (v) => v.id,
  'is-default': (v) => v.isDefault,
  'cidr-block': (v) => v.cidr,
  'cidr': (v) => v.cidr,
  state: () => 'available',
};

const SUBNET_FILTERS: FilterFields<Subnet> = {
  'subnet-id': (s) => s.id,
  'vpc-id': (s) => s.vpcId,
  'availability-zone': (s) => s.availabilityZone,
  'default-for-az': (s) => s.isDefault,
  'cidr-block': (s) => s.cidr,
  state: () => 'available',
  'map-public-ip-on-launch': (s) => s.mapPublicIp,
};

const GROUP_FILTERS: FilterFields<SecurityGroup> = {
  'group-id': (g) => g.id,
  'group-name': (g) => g.name,
  'vpc-id': (g) => g.vpcId,
  description: (g) => g.description,
  'owner-id': (g) => g.ownerId,
};

export const describeVpcs: Action = ({ region, p }) => {
  const ids = p.list('VpcId');
  for (const id of ids) if (!region.vpcs.has(id)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  let vpcs = [...region.vpcs.values()].filter((v) => ids.length === 0 || ids.includes(v.id));
  vpcs = applyFilters(vpcs, readFilters(p), VPC_FILTERS, (v) => v.tags);
  return {
    vpcSet: vpcs.map((v) => ({ vpcId: v.id, state: 'available', cidrBlock: v.cidr, dhcpOptionsId: 'dopt-00000000', instanceTenancy: 'default', isDefault: v.isDefault, tagSet: tagSet(v.tags) })),
  };
};

export const describeSubnets: Action = ({ cloud, region, p }) => {
  const ids = p.list('SubnetId');
  for (const id of ids) cloud.subnet(region, id);
  let subnets = [...region.subnets.values()].filter((s) => ids.length === 0 || ids.includes(s.id));
  subnets = applyFilters(subnets, readFilters(p), SUBNET_FILTERS, (s) => s.tags);
  return {
    subnetSet: subnets.map((s) => ({
      subnetId: s.id,
      state: 'available',
      vpcId: s.vpcId,
      cidrBlock: s.cidr,
      availableIpAddressCount: 4091,
      availabilityZone: s.availabilityZone,
      defaultForAz: s.isDefault,
      mapPublicIpOnLaunch: s.mapPublicIp,
      ownerId: cloud.accountId,
      tagSet: tagSet(s.tags),
    })),
  };
};

export const createSecurityGroup: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const name = p.required('GroupName');
  const description = p.required('GroupDescription');
  if (name.startsWith('sg-')) throw invalidValue('GroupName', name, "Group names may not start with 'sg-'.");
  const vpcId = p.str('VpcId') ?? [...region.vpcs.values()].find((v) => v.isDefault)?.id ?? '';
  if (!region.vpcs.has(vpcId)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  if ([...region.securityGroups.values()].some((g) => g.name === name && g.vpcId === vpcId)) {
    throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
  }
  const g: SecurityGroup = {
    id: newId('sg'),
    name,
    description,
    vpcId,
    ownerId: cloud.accountId,
    ingress: [],
    egress: [{ protocol: '-1', fromPort: undefined, toPort: undefined, cidrs: ['0.0.0.0/0'], groupIds: [] }],
    tags: tagsFor(p, 'security-group', ['security-group']),
  };
  region.securityGroups.set(g.id, g);
  return { return: true, groupId: g.id, tagSet: tagSet(g.tags) };
};

export const authorizeSecurityGroupIngress: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const g = groupOf(cloud, region, p);
  const rules = readRules(p);
  for (const r of rules) {
    if (g.ingress.some((x) => sameRule(x, r))) throw new AwsError('InvalidPermission.Duplicate', `the specified rule "peer: ${r.cidrs[0] ?? r.groupIds[0] ?? ''}, ${r.protocol.toUpperCase()}, from port: ${r.fromPort ?? ''}, to port: ${r.toPort ?? ''}, ALLOW" already exists`);
    for (const id of r.groupIds) cloud.securityGroup(region, id);
  }
  g.ingress.push(...rules);
  return { return: true, securityGroupRuleSet: rules.map((r, i) => ({ securityGroupRuleId: `sgr-${g.id.slice(3)}${i}`, groupId: g.id, isEgress: false, ipProtocol: r.protocol, fromPort: r.fromPort, toPort: r.toPort, cidrIpv4: r.cidrs[0] })) };
};

export const revokeSecurityGroupIngress: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const g = groupOf(cloud, region, p);
  const rules = readRules(p);
  g.ingress = g.ingress.filter((x) => !rules.some((r) => sameRule(x, r)));
  return { return: true };
};

export const deleteSecurityGroup: Action = ({ cloud, region, p }) => {
  dryRun(p);
  const g = groupOf(cloud, region, p);
  if (g.name === 'default') throw new AwsError('CannotDelete', `the specified group: "${g.id}" name: "default" cannot be deleted by a user`);
  // An instance that is not yet terminated still holds its groups: EC2's DependencyViolation.
  const user = [...region.instances.values()].find((i) => i.securityGroupIds.includes(g.id) && cloud.machines.get(i.id)?.state !== 'terminated');
  if (user) throw new AwsError('DependencyViolation', `resource ${g.id} has a dependent object`);
  const referrer = [...region.securityGroups.values()].find((o) => o.id !== g.id && o.ingress.some((r) => r.groupIds.includes(g.id)));
  if (referrer) throw new AwsError('DependencyViolation', `resource ${g.id} has a dependent object`);
  region.securityGroups.delete(g.id);
  return { return: true, groupId: g.id };
};

export const describeSecurityGroups: Action = ({ cloud, region, p }) => {
  const ids = p.list('GroupId');
  const names = p.list('GroupName');
  for (const id of ids) cloud.securityGroup(region, id);
  let groups = [...region.securityGroups.values()];
  if (ids.length > 0) groups = groups.filter((g) => ids.includes(g.id));
  if (names.length > 0) {
    for (const n of names) if (!groups.some((g) => g.name === n)) throw new AwsError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC`);
    groups = groups.filter((g) => names.includes(g.name));
  }
  groups = applyFilters(groups, readFilters(p), GROUP_FILTERS, (g) => g.tags);
  return { securityGroupInfo: groups.map(groupXml) };
};

export const describeRegions: Action = ({ cloud, p }) => {
  const names = p.list('RegionName');
  for (const n of names) if (!cloud.regions.has(n)) throw invalidValue('RegionName', n, 'No such region.');
  return {
    regionInfo: [...cloud.regions.keys()].filter((n) => names.length === 0 || names.includes(n)).map((n) => ({ regionName: n, regionEndpoint: `ec2.${n}.amazonaws.com`, optInStatus: 'opt-in-not-required' })),
  };
};

export const describeAvailabilityZones: Action = ({ region }) => ({
  availabilityZoneInfo: region.availabilityZones.map((z, i) => ({ zoneName: z, zoneState: 'available', regionName: region.name, zoneId: `use${region.index + 1}-az${i + 1}`, zoneType: 'availability-zone', optInStatus: 'opt-in-not-required' })),
});

function groupOf(cloud: Ec2Cloud, region: Parameters<Action>[0]['region'], p: Params): SecurityGroup {
  const id = p.str('GroupId');
  if (id !== undefined) return cloud.securityGroup(region, id);
  const name = p.required('GroupName');
  const g = [...region.securityGroups.values()].find((x) => x.name === name && region.vpcs.get(x.vpcId)?.isDefault);
  if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC`);
  return g;
}

function readRules(p: Params): IpRule[] {
  const perms = p.objects('IpPermissions');
  if (perms.length === 0) {
    const protocol = p.str('IpProtocol');
    if (protocol === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter IpPermissions');
    return [{ protocol, fromPort: p.int('FromPort'), toPort: p.int('ToPort'), cidrs: [p.str('CidrIp') ?? '0.0.0.0/0'], groupIds: [] }];
  }
  return perms.map((perm) => {
    const protocol = perm.required('IpProtocol');
    if (!['tcp', 'udp', 'icmp', '-1', '6', '17', '1'].includes(protocol)) throw invalidValue('IpProtocol', protocol);
    const cidrs = perm.objects('IpRanges').map((r) => r.required('CidrIp'));
    for (const c of cidrs) if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)) throw invalidValue('CidrIp', c, 'CIDR block is malformed.');
    return { protocol, fromPort: perm.int('FromPort'), toPort: perm.int('ToPort'), cidrs, groupIds: perm.objects('Groups').map((g) => g.required('GroupId')) };
  });
}

function sameRule(a: IpRule, b: IpRule): boolean {
  return a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidrs.join() === b.cidrs.join() && a.groupIds.join() === b.groupIds.join();
}

function ruleXml(r: IpRule, ownerId: string): XmlObject {
  return {
    ipProtocol: r.protocol,
    fromPort: r.fromPort,
    toPort: r.toPort,
    groups: r.groupIds.map((groupId) => ({ groupId, userId: ownerId })),
    ipRanges: r.cidrs.map((cidrIp) => ({ cidrIp })),
    ipv6Ranges: [],
    prefixListIds: [],
  };
}

function groupXml(g: SecurityGroup): XmlObject {
  return {
    ownerId: g.ownerId,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    ipPermissions: g.ingress.map((r) => ruleXml(r, g.ownerId)),
    ipPermissionsEgress: g.egress.map((r) => ruleXml(r, g.ownerId)),
    tagSet: tagSet(g.tags),
  };
}
