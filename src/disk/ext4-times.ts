// mke2fs -d copies each source file's atime and ctime (e2fsprogs 1.47.0 has no switch to
// clamp them; E2FSPROGS_FAKE_TIME covers only what mke2fs creates itself). Both change
// whenever a tree is extracted or read again, so they are set to SOURCE_DATE_EPOCH afterwards
// with debugfs, on the filesystem inside the disk file (`file?offset=N`, no loop device).
import { writeFile } from 'node:fs/promises';
import type { DiskDriver } from './driver.js';

/** First inode mke2fs hands out to files; 1 and 3-10 are reserved and keep mke2fs's times. */
const FIRST_INO = 11;
const ROOT_INO = 2;

export async function clampExt4Times(
  driver: DiskDriver,
  device: string,
  o: { epoch: number; scriptPath: string; env: Record<string, string>; signal?: AbortSignal },
): Promise<number> {
  const sig = o.signal ? { signal: o.signal } : {};
  const stats = await driver.run('debugfs', ['-R', 'stats', device], { env: o.env, ...sig });
  const inodes = usedInodes(stats);
  const t = `@${o.epoch}`;
  const lines: string[] = [];
  for (const ino of inodes) lines.push(`sif <${ino}> atime ${t}`, `sif <${ino}> ctime ${t}`);
  await writeFile(o.scriptPath, `${lines.join('\n')}\n`);
  await driver.run('debugfs', ['-w', '-f', o.scriptPath, device], { env: o.env, ...sig });
  return inodes.length;
}

/**
 * Inodes mke2fs may have used, from `debugfs -R stats`: in each group, those below its
 * high-water mark ("N unused inodes" counts the never-used tail). mke2fs -d never frees an
 * inode, so these are exactly the ones it wrote.
 */
export function usedInodes(stats: string): number[] {
  const perGroup = Number(/Inodes per group:\s+(\d+)/.exec(stats)?.[1] ?? NaN);
  if (!Number.isFinite(perGroup)) return [];
  const out: number[] = [ROOT_INO];
  const re = /^\s*Group\s+(\d+):[^\n]*\n[^\n]*?(\d+) unused inodes/gm;
  for (let m = re.exec(stats); m !== null; m = re.exec(stats)) {
    const g = Number(m[1]);
    const used = perGroup - Number(m[2]);
    for (let i = 1; i <= used; i++) {
      const ino = g * perGroup + i;
      if (ino >= FIRST_INO) out.push(ino);
    }
  }
  return out;
}
