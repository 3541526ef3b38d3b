// The file operations of extraction, done synchronously: a layer is tens of thousands of
// small metadata calls, and a thread-pool round trip per call made extraction several times
// slower than tar(1). Each returns a promise so call sites keep one error path.
import {
  chmodSync,
  closeSync,
  constants as C,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';

function wrap<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

export const fsx = {
  lstat: (p: string): Promise<Stats> => wrap(() => lstatSync(p)),
  mkdir: (p: string, o: { mode: number }): Promise<void> => wrap(() => void mkdirSync(p, o)),
  chmod: (p: string, mode: number): Promise<void> => wrap(() => chmodSync(p, mode)),
  lchown: (p: string, uid: number, gid: number): Promise<void> => wrap(() => lchownSync(p, uid, gid)),
  utimes: (p: string, a: number, m: number): Promise<void> => wrap(() => utimesSync(p, a, m)),
  lutimes: (p: string, a: number, m: number): Promise<void> => wrap(() => lutimesSync(p, a, m)),
  symlink: (target: string, p: string): Promise<void> => wrap(() => symlinkSync(target, p)),
  link: (existing: string, p: string): Promise<void> => wrap(() => linkSync(existing, p)),
  rm: (p: string, o: { recursive: boolean; force: boolean }): Promise<void> => wrap(() => rmSync(p, o)),
  readdir: (p: string): Promise<string[]> => wrap(() => readdirSync(p)),
  /** O_EXCL|O_NOFOLLOW: never opens through a link nor over an existing file. */
  createExclusive: (p: string): number => openSync(p, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600),
  writeAll(fd: number, b: Buffer): void {
    for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
  },
  close: (fd: number): void => closeSync(fd),
};
