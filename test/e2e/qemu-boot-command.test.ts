// boot_command against a real guest: the host's kernel boots a tiny busybox initramfs under
// QEMU (TCG) whose init reads one line from the keyboard console (tty1) and writes it to
// the serial port. What the serial log shows is what the guest received from our QMP key
// events: literal text, shifted symbols, held modifiers, <bs> editing and <wait>.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HostQemuDriver, type QemuProcess } from '../../builders/qemu/driver.js';
import { parseBootCommand, typeBootCommand } from '../../src/vm/boot-command.js';
import type { Qmp } from '../../src/vm/qmp.js';

const work = mkdtempSync(path.join(tmpdir(), 'imgbuild-qemu-bootcmd-'));
const driver = new HostQemuDriver(work);
let proc: QemuProcess | null = null;
let qmp: Qmp | null = null;

afterAll(async () => {
  qmp?.close();
  if (proc?.running) {
    proc.kill('SIGKILL');
    await proc.exited;
  }
  rmSync(work, { recursive: true, force: true });
});

/** The newest /boot/vmlinuz-*, or a clear failure naming the package to install. */
function hostKernel(): string {
  const k = existsSync('/boot') ? readdirSync('/boot').filter((f) => f.startsWith('vmlinuz-')).sort().pop() : undefined;
  if (k === undefined || !existsSync('/bin/busybox')) {
    throw new Error('this test boots the host kernel with a busybox initramfs: apt-get install -y linux-image-amd64 busybox-static cpio');
  }
  return path.join('/boot', k);
}

function initramfs(): string {
  const root = path.join(work, 'initramfs');
  for (const d of ['bin', 'dev', 'proc']) mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
  chmodSync(path.join(root, 'bin/busybox'), 0o755);
  writeFileSync(
    path.join(root, 'init'),
    [
      '#!/bin/busybox sh',
      '/bin/busybox mount -t devtmpfs dev /dev',
      'echo READY > /dev/ttyS0',
      'IFS= read -r line < /dev/tty1',
      'echo "TYPED:$line:END" > /dev/ttyS0',
      '/bin/busybox poweroff -f',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const out = path.join(work, 'initramfs.cpio.gz');
  execFileSync('sh', ['-c', `cd "${root}" && find . | cpio -o -H newc --quiet | gzip -1 > "${out}"`]);
  return out;
}

async function waitFor(file: string, pattern: RegExp, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'latin1') : '';
    if (pattern.test(text)) return text;
    if (Date.now() > deadline || (proc !== null && !proc.running)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('typed keys reach the guest exactly: text, shifted symbols, held shift, <bs>, <wait>', async () => {
  const kernel = hostKernel();
  const initrd = initramfs();
  const serial = path.join(work, 'serial.log');
  const sock = path.join(work, 'qmp.sock');
  proc = await driver.spawnQemu(
    'qemu-system-x86_64',
    ['-accel', 'tcg', '-m', '256M', '-display', 'none', '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyS0 quiet panic=-1', '-serial', `file:${serial}`, '-qmp', `unix:${sock},server=on,wait=off`, '-nic', 'none'],
    path.join(work, 'qemu.log'),
  );
  const signal = new AbortController().signal;
  qmp = await driver.connectQmp(sock, signal);
  const ready = await waitFor(serial, /READY/, 90_000);
  expect(ready).toContain('READY');

  const command = 'Hello, World! <leftShiftOn>abc<leftShiftOff> ~|{}:"<>?_+ 0-9 @#$%^&*()[]=;\',./`<wait1>x<bs>y<enter>';
  const started = Date.now();
  await typeBootCommand(qmp, parseBootCommand(command), { keyIntervalMs: 10, signal, sleep: (ms, s) => driver.sleep(ms, s) });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);

  const out = await waitFor(serial, /TYPED:.*:END/, 30_000);
  expect(out).toContain('TYPED:Hello, World! ABC ~|{}:"<>?_+ 0-9 @#$%^&*()[]=;\',./`y:END');
  await proc.exited;
}, 180_000);
