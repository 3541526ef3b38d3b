// A tiny root filesystem made from the host's own binaries (dash, coreutils and their
// libraries), so runtime tests run real containers without downloading an image.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const BINARIES = ['sh', 'dash', 'sleep', 'id', 'cat', 'echo', 'env', 'ls', 'pwd', 'touch', 'rm', 'mkdir', 'chmod', 'ip', 'true', 'false', 'kill'];

export function makeTestRootfs(dir: string): string {
  for (const d of ['usr/bin', 'usr/lib', 'usr/lib64', 'etc', 'tmp', 'root', 'home/builder', 'proc', 'dev', 'sys']) mkdirSync(path.join(dir, d), { recursive: true });
  for (const [link, target] of [['bin', 'usr/bin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64'], ['sbin', 'usr/bin']] as const) {
    if (!existsSync(path.join(dir, link))) symlinkSync(target, path.join(dir, link));
  }
  const libs = new Set<string>();
  for (const name of BINARIES) {
    const host = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((d) => path.join(d, name)).find((p) => existsSync(p));
    if (!host) continue;
    const real = realpathSync(host);
    copyFileSync(real, path.join(dir, 'usr/bin', name));
    const out = execFileSync('ldd', [real], { encoding: 'utf8' });
    for (const m of out.matchAll(/(\/[^\s)]+)/g)) if (m[1]) libs.add(m[1]);
  }
  for (const lib of libs) {
    const target = path.join(dir, lib.replace(/^\/(lib|lib64)\//, 'usr/$1/'));
    mkdirSync(path.dirname(target), { recursive: true });
    if (!existsSync(target)) copyFileSync(realpathSync(lib), target);
  }
  writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nbuilder:x:1234:1234:builder:/home/builder:/bin/sh\n');
  writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\nbuilder:x:1234:\nextra:x:2000:builder\n');
  return dir;
}
