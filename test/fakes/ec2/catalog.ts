// The public AMIs every region starts with, under the owners and names real templates
// filter on, each booting the Debian disk imgbuild builds for the local clouds and logging
// in as the user those images have. Any disk can be added as a seed by name (tests, users).
import type { Ec2Cloud } from './cloud.js';
import { newImage, rootDevice } from './actions/images.js';
import { newSnapshot } from './actions/snapshots.js';
import type { DiskFormat } from '../machines/disk-store.js';

export interface SeedImage {
  name: string;
  ownerId: string;
  ownerAlias?: string;
  description?: string;
  /** The user cloud-init creates (unset: the disk's own default user). */
  loginUser?: string;
  architecture?: string;
  bootMode?: string;
  /** The disk file (never written: instances get copy-on-write overlays). */
  disk: string;
  format: DiskFormat;
  /** Size of the AMI's root volume; at least the disk's size. */
  volumeSizeGiB?: number;
  /** Regions to publish in (default: all). */
  regions?: string[];
  /** Public (default) or private to the seed's owner account. */
  public?: boolean;
  /** A fixed AMI id (templates that name one), instead of a new one per region. */
  imageId?: string;
}

/** The images real templates look for, by their publishers' owner ids and name patterns. */
export function standardSeeds(disk: string): SeedImage[] {
  const day = '20241201';
  return [
    { name: `ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-${day}`, ownerId: '099720109477', description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-12-01 (local EC2: Debian 12 underneath)', loginUser: 'ubuntu', disk, format: 'raw' },
    { name: `ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-${day}`, ownerId: '099720109477', description: 'Canonical, Ubuntu, 16.04 LTS, amd64 xenial image (local EC2: Debian 12 underneath)', loginUser: 'ubuntu', disk, format: 'raw' },
    { name: `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-${day}`, ownerId: '099720109477', description: 'Canonical, Ubuntu, 24.04, amd64 noble image (local EC2: Debian 12 underneath)', loginUser: 'ubuntu', disk, format: 'raw' },
    { name: `debian-12-amd64-${day}-1949`, ownerId: '136693071363', description: 'Debian 12 (20241201-1949)', loginUser: 'admin', disk, format: 'raw' },
    // The local EC2 runs x86_64 guests only: this arm64 AMI boots the same x86_64 disk, so
    // templates that build for both architectures run; what runs is not an arm64 system.
    { name: `debian-12-arm64-${day}-1949`, ownerId: '136693071363', description: 'Debian 12 (20241201-1949), arm64 (local EC2: an x86_64 disk)', loginUser: 'admin', architecture: 'arm64', disk, format: 'raw' },
    { name: `al2023-ami-2023.6.${day}.0-kernel-6.1-x86_64`, ownerId: '137112412989', ownerAlias: 'amazon', description: 'Amazon Linux 2023 AMI (local EC2: Debian 12 underneath)', loginUser: 'ec2-user', disk, format: 'raw' },
  ];
}

/** Publishes a seed in its regions: a completed snapshot on the disk, an available image. */
export async function addSeed(cloud: Ec2Cloud, seed: SeedImage): Promise<string[]> {
  const sizeBytes = await diskSize(cloud, seed);
  const sizeGiB = Math.max(seed.volumeSizeGiB ?? 0, Math.ceil(sizeBytes / 1024 ** 3));
  const ids: string[] = [];
  for (const regionName of seed.regions ?? [...cloud.regions.keys()]) {
    const region = cloud.region(regionName);
    const snap = newSnapshot(cloud, region, { volumeId: 'vol-ffffffff', volumeSizeGiB: sizeGiB, description: `Seed snapshot of ${seed.name}` });
    snap.ownerId = seed.ownerId;
    snap.state = 'completed';
    snap.progress = 100;
    snap.loginUser = seed.loginUser;
    await cloud.store.adopt(snap.disk, seed.disk, seed.format);
    const img = newImage(
      cloud,
      {
        name: seed.name,
        description: seed.description,
        architecture: seed.architecture ?? 'x86_64',
        bootMode: seed.bootMode,
        enaSupport: true,
        imdsSupport: 'v2.0',
        loginUser: seed.loginUser,
        blockDevices: [rootDevice('/dev/xvda', snap, 'gp3')],
        rootDeviceName: '/dev/xvda',
        tags: new Map(),
      },
      seed.ownerId,
      seed.ownerAlias,
    );
    if (seed.imageId !== undefined) img.id = seed.imageId;
    img.state = 'available';
    img.public = seed.public ?? true;
    if (img.public) img.launchGroups.add('all');
    region.images.set(img.id, img);
    ids.push(img.id);
  }
  return ids;
}

async function diskSize(cloud: Ec2Cloud, seed: SeedImage): Promise<number> {
  const probe = `probe-${process.pid}-${Date.now()}`;
  await cloud.store.adopt(probe, seed.disk, seed.format);
  try {
    return await cloud.store.virtualSize(probe);
  } finally {
    await cloud.store.remove(probe);
  }
}
