// What a cloud hands a new machine at first boot (its id, host name, SSH keys, the user's
// user data, the image's login user), delivered as a cloud-init NoCloud seed: a CD
// labelled "cidata" (see README.md for why a seed and not a metadata service).
import { mkdtemp, rm } from 'node:fs/promises';
import { makeIso } from '../../../src/vm/iso.js';

export interface MachineSeed {
  instanceId: string;
  hostname: string;
  /** OpenSSH public keys the login user gets (the key pair's). */
  publicKeys: string[];
  /** The user's user data, as given (a script, #cloud-config, a MIME multipart, gzip...). */
  userData: Buffer | null;
  /** The image's default user: cloud-init creates it and gives it the public keys (unset: the disk's own default user). */
  loginUser: string | undefined;
}

/** Writes the seed ISO to `out`. */
export async function writeSeedIso(seed: MachineSeed, out: string): Promise<void> {
  const staging = await mkdtemp(`${out}.staging-`);
  try {
    await makeIso({ files: [], content: seedFiles(seed), label: 'cidata' }, staging, out);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The seed's files. The login user is vendor data, the way clouds ship their defaults:
 * `user:` renames cloud-init's default user (keeping the distro's groups and sudo rule), the
 * metadata's public keys go to that user, and the user's own user data still wins over it.
 */
export function seedFiles(seed: MachineSeed): Record<string, string> {
  const metaData = [
    `instance-id: ${seed.instanceId}`,
    `local-hostname: ${seed.hostname}`,
    'public-keys:',
    ...seed.publicKeys.map((k) => `  - ${JSON.stringify(k.trim())}`),
  ];
  if (seed.publicKeys.length === 0) metaData[metaData.length - 1] = 'public-keys: []';
  return {
    'meta-data': `${metaData.join('\n')}\n`,
    'vendor-data': seed.loginUser === undefined ? '#cloud-config\n{}\n' : `#cloud-config\nuser:\n  name: ${JSON.stringify(seed.loginUser)}\n`,
    // Binary user data (gzip) goes through latin1 untouched: makeIso writes strings as
    // UTF-8, so it is given the bytes' own string only when they are valid UTF-8.
    'user-data': seed.userData === null ? '' : userDataText(seed.userData),
  };
}

function userDataText(data: Buffer): string {
  const text = data.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(data)) return text;
  throw new Error('binary user data is not supported by the NoCloud seed writer; give it as text (a script or #cloud-config)');
}
