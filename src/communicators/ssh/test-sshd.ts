// A real OpenSSH server for tests: /usr/sbin/sshd on 127.0.0.1 and a free port, with a
// throwaway host key, an authorized_keys file and its own config, run in the foreground
// and killed by stop(). Test support only; nothing in the build imports it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EnvironmentError } from '../../core/errors.js';

export interface TestSshd {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startSshd(opts: { authorizedKeys: string[]; sftp?: boolean; extra?: string[] }): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-sshd-'));
  const hostKey = path.join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  writeFileSync(path.join(dir, 'authorized_keys'), `${opts.authorizedKeys.join('\n')}\n`, { mode: 0o600 });
  // Privilege separation needs this directory; systemd would create it on a normal host.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PermitRootLogin yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes no',
    'UsePAM no',
    ...(opts.extra?.some((l) => l.startsWith('LogLevel')) ? [] : ['LogLevel ERROR']),
    ...(opts.sftp === false ? [] : ['Subsystem sftp /usr/lib/openssh/sftp-server']),
    ...(opts.extra ?? []),
  ].join('\n');
  const cfgFile = path.join(dir, 'sshd_config');
  writeFileSync(cfgFile, `${config}\n`);
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfgFile], { stdio: ['ignore', 'ignore', process.env['IMGBUILD_SSHD_LOG'] ? 'inherit' : 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitForPort(port, child, () => stderr);
  return {
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new EnvironmentError(`test sshd exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new EnvironmentError(`test sshd did not listen on 127.0.0.1:${port}: ${stderr()}`);
}
