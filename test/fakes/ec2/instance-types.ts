// The instance types the local EC2 offers: their vCPUs, memory and architecture as AWS
// lists them. A VM gets at most 2 vCPUs and 1 GiB here (TCG on a 2-core host); what the
// API reports is the type's real size.
export interface InstanceType {
  vcpus: number;
  memoryMiB: number;
  architecture: 'x86_64' | 'arm64';
  burstable: boolean;
}

const t = (vcpus: number, memoryMiB: number, architecture: 'x86_64' | 'arm64' = 'x86_64', burstable = false): InstanceType => ({ vcpus, memoryMiB, architecture, burstable });

export const INSTANCE_TYPES: Record<string, InstanceType> = {
  't2.nano': t(1, 512, 'x86_64', true),
  't2.micro': t(1, 1024, 'x86_64', true),
  't2.small': t(1, 2048, 'x86_64', true),
  't2.medium': t(2, 4096, 'x86_64', true),
  't2.large': t(2, 8192, 'x86_64', true),
  't3.nano': t(2, 512, 'x86_64', true),
  't3.micro': t(2, 1024, 'x86_64', true),
  't3.small': t(2, 2048, 'x86_64', true),
  't3.medium': t(2, 4096, 'x86_64', true),
  't3.large': t(2, 8192, 'x86_64', true),
  't3.xlarge': t(4, 16384, 'x86_64', true),
  't3a.micro': t(2, 1024, 'x86_64', true),
  't3a.small': t(2, 2048, 'x86_64', true),
  't3a.medium': t(2, 4096, 'x86_64', true),
  't4g.micro': t(2, 1024, 'arm64', true),
  't4g.small': t(2, 2048, 'arm64', true),
  'm5.large': t(2, 8192),
  'm5.xlarge': t(4, 16384),
  'm6i.large': t(2, 8192),
  'c5.large': t(2, 4096),
  'c5.xlarge': t(4, 8192),
  'c6g.large': t(2, 4096, 'arm64'),
  'r5.large': t(2, 16384),
};

export const MAX_VM_CPUS = 2;
export const MAX_VM_MEMORY_MIB = 1024;
