// The build container's /etc/hosts and /etc/resolv.conf: private copies in the bundle
// directory, bind-mounted read-only, so a build never edits the host's. /etc/hosts also
// names the container's own hostname (as Docker's does), or every `sudo` in a provisioner
// prints "unable to resolve host imgbuild".
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerSpec } from './types.js';

export interface HostFiles {
  /** Private copy of the host's resolv.conf (host network only). */
  resolvConf?: string;
  /** The container's hosts file. */
  hosts?: string;
}

/** Where a loopback address names the machine itself on Debian (see hosts(5) there). */
const SELF_ADDRESS = '127.0.1.1';
const LOOPBACK = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';

export async function writeHostFiles(spec: ContainerSpec): Promise<HostFiles> {
  const files: HostFiles = {};
  const hostname = spec.hostname ?? DEFAULT_HOSTNAME;
  // Sharing the host's network, names the host resolves resolve inside too; without a
  // network, only loopback exists.
  const base = spec.network === 'host' ? await readFile('/etc/hosts', 'utf8').catch(() => LOOPBACK) : LOOPBACK;
  files.hosts = path.join(spec.bundleDir, 'hosts');
  await writeFile(files.hosts, hostsNaming(base, hostname));
  if (spec.network === 'host') {
    const copy = path.join(spec.bundleDir, 'resolv.conf');
    try {
      await copyFile('/etc/resolv.conf', copy);
      files.resolvConf = copy;
    } catch {
      // A host without the file simply gives the container none.
    }
  }
  return files;
}

export const DEFAULT_HOSTNAME = 'imgbuild';

/** `base` with a line naming `hostname`, unless a line already does. */
export function hostsNaming(base: string, hostname: string): string {
  const named = base.split('\n').some((l) => l.replace(/#.*/, '').trim().split(/\s+/).slice(1).includes(hostname));
  if (named) return base;
  return `${base}${base.endsWith('\n') || base === '' ? '' : '\n'}${SELF_ADDRESS}\t${hostname}\n`;
}
