// Shared by the disk e2e tests and the benchmark: a bootable Debian rootfs built once per
// machine with mmdebstrap (cached by src/bootstrap under IMGBUILD_CACHE_DIR), and a QEMU
// boot that watches the serial console for a pattern, time-boxed, killing QEMU after.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { EnvironmentError } from '../core/errors.js';
import { bootstrapTarball, type BootstrapOptions } from '../bootstrap/index.js';
import { defaultCacheDir } from '../oci/cache-dir.js';

export const VM_EPOCH = 1700000000;
export const VM_ROOTFS: BootstrapOptions = { suite: 'bookworm', variant: 'minbase', packages: ['linux-image-amd64', 'systemd-sysv', 'udev'] };
export const OVMF = '/usr/share/ovmf/OVMF.fd';

export async function vmRootfsTarball(): Promise<string> {
  return bootstrapTarball(VM_ROOTFS, { cacheDir: defaultCacheDir(), sourceDateEpoch: VM_EPOCH });
}

/** Extracts a rootfs tarball as root, keeping owners (the tar CLI, as a user would). */
export function extractTarball(tarball: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('tar', ['--numeric-owner', '-xpf', tarball, '-C', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new EnvironmentError(`tar -x ${tarball}: ${r.stderr.trim()}`);
}

export interface BootResult {
  matched: boolean;
  output: string;
  ms: number;
}

/**
 * Boots `disk` under TCG (this machine's KVM cannot run stock kernels) and resolves when
 * `until` matches the serial console or after `timeoutMs`; QEMU is killed either way.
 */
export function bootAndWatch(o: { disk: string; format: string; firmware: 'bios' | 'uefi'; until: RegExp; timeoutMs: number }): Promise<BootResult> {
  const args = [
    '-accel', 'tcg', '-m', '1024', '-smp', '2', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot',
    '-drive', `file=${o.disk},format=${o.format},if=virtio,snapshot=on`,
    '-nic', 'none',
    ...(o.firmware === 'uefi' ? ['-bios', OVMF] : []),
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let done = false;
    const finish = (matched: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ matched, output, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), o.timeoutMs);
    const onData = (c: Buffer): void => {
      output += c.toString('latin1');
      if (o.until.test(output)) finish(true);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(e);
      }
    });
    child.on('close', () => finish(false));
  });
}
