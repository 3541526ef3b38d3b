// Resolving `user` ("uid:gid", "name", "name:group") against the image's own /etc/passwd
// and /etc/group, as Docker does: the host's user database means nothing inside the image.
import { readFile } from 'node:fs/promises';
import { BuildError } from '../core/errors.js';
import { resolveInRoot } from './rootfs-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

export async function resolveUser(rootfs: string, user: string | undefined): Promise<ResolvedUser> {
  const spec = user === undefined || user === '' ? '0' : user;
  const [userPart = '0', groupPart] = spec.split(':', 2);
  const passwd = parseDb(await readInRoot(rootfs, '/etc/passwd'));
  const groups = parseDb(await readInRoot(rootfs, '/etc/group'));
  const byName = passwd.find((f) => f[0] === userPart);
  const byUid = /^\d+$/.test(userPart) ? passwd.find((f) => f[2] === userPart) : undefined;
  const entry = byName ?? byUid;
  let uid: number;
  if (/^\d+$/.test(userPart)) uid = Number(userPart);
  else if (entry) uid = Number(entry[2]);
  else throw new BuildError(`user ${userPart}: not found in the image's /etc/passwd; create it in an earlier provisioner or use a numeric uid`);
  let gid = entry ? Number(entry[3]) : 0;
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((f) => f[0] === groupPart);
      if (!g) throw new BuildError(`group ${groupPart}: not found in the image's /etc/group; use a numeric gid`);
      gid = Number(g[2]);
    }
  }
  const name = entry?.[0];
  const additionalGids =
    name === undefined
      ? []
      : groups
          .filter((g) => (g[3] ?? '').split(',').includes(name))
          .map((g) => Number(g[2]))
          .filter((g) => g !== gid);
  return { uid, gid, additionalGids, home: entry?.[5] || '/' };
}

async function readInRoot(rootfs: string, p: string): Promise<string> {
  try {
    return await readFile(await resolveInRoot(rootfs, p), 'utf8');
  } catch {
    return '';
  }
}

function parseDb(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}
