// Starts the local EC2: state, seeded catalog, HTTP front. Tests and scripts/fake-cloud.sh
// both come through here.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { debianCloudDisk } from '../machines/cloud-image.js';
import { addSeed, standardSeeds, type SeedImage } from './catalog.js';
import { Ec2Cloud, type Ec2Delays } from './cloud.js';
import { startEc2Server } from './server.js';
import type { Credentials } from './sigv4.js';
import { s3Dir, startS3 } from './services/s3.js';

export interface FakeEc2Options {
  host?: string;
  port?: number;
  /** Disks, VM logs; a temporary directory (removed on stop) when not given. */
  stateDir?: string;
  credentials?: Credentials;
  regions?: string[];
  delays?: Partial<Ec2Delays>;
  maxRunningInstances?: number;
  /** `standard`: the Ubuntu/Debian/Amazon Linux catalog on imgbuild's Debian disk (built once, cached). */
  seeds?: 'standard' | 'none' | SeedImage[];
  log?: (line: string) => void;
}

export interface FakeEc2 {
  url: string;
  cloud: Ec2Cloud;
  credentials: Credentials;
  /** The environment the SDK (and imgbuild) needs to talk to this EC2. */
  env: Record<string, string>;
  /** Switches every VM off and closes the server. */
  stop(): Promise<void>;
}

export async function startFakeEc2(opts: FakeEc2Options = {}): Promise<FakeEc2> {
  const ownDir = opts.stateDir === undefined;
  const stateDir = opts.stateDir ?? (await mkdtemp(path.join(tmpdir(), 'imgbuild-fake-ec2-')));
  await mkdir(stateDir, { recursive: true });
  const credentials = opts.credentials ?? { accessKeyId: 'AKIAIMGBUILDFAKE0001', secretAccessKey: 'fake-secret-key-imgbuild-local-ec2-000001' };
  const cloud = new Ec2Cloud({
    stateDir,
    credentials,
    ...(opts.regions ? { regions: opts.regions } : {}),
    ...(opts.delays ? { delays: opts.delays } : {}),
    ...(opts.maxRunningInstances !== undefined ? { maxRunningInstances: opts.maxRunningInstances } : {}),
  });
  await cloud.init();
  cloud.s3 = await startS3(s3Dir(stateDir), credentials);
  const seeds = opts.seeds ?? 'standard';
  const list = seeds === 'none' ? [] : seeds === 'standard' ? standardSeeds(await debianCloudDisk(opts.log)) : seeds;
  for (const s of list) await addSeed(cloud, s);
  const server = await startEc2Server(cloud, { ...(opts.host ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) });
  const region = [...cloud.regions.keys()][0] ?? 'us-east-1';
  let stopped = false;
  return {
    url: server.url,
    cloud,
    credentials,
    env: {
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.close();
      await cloud.s3?.close();
      await cloud.machines.shutdownAll();
      if (ownDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
