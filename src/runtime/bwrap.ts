// bubblewrap driver. bwrap has no container lifecycle, so each command is its own
// sandbox over the same merged rootfs (fresh pid, ipc, uts and optionally net namespaces);
// nothing outlives a command, which is why `destroy` has nothing to do. It runs without a
// user namespace, so only root inside the sandbox is supported.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../core/errors.js';
import { DEFAULT_HOSTNAME, writeHostFiles } from './host-files.js';
import { capabilities, mergeEnv } from './spec.js';
import { missingTool, runTool } from './tool.js';
import type { ContainerSpec, OciRuntime, ProcessOptions, ProcessResult, RuntimeContainer } from './types.js';
import { resolveUser } from './user.js';

export class BwrapRuntime implements OciRuntime {
  readonly name = 'bwrap' as const;

  async check(): Promise<void> {
    await runTool('bwrap', ['--version']);
  }

  async create(spec: ContainerSpec): Promise<RuntimeContainer> {
    await mkdir(spec.bundleDir, { recursive: true });
    const host = await writeHostFiles(spec);
    const files = [...(host.hosts ? ['hosts'] : []), ...(host.resolvConf ? ['resolv.conf'] : [])];
    return new BwrapContainer(spec, files);
  }

  async remove(): Promise<void> {
    // Sandboxes die with their bwrap process (--die-with-parent); there is no state to remove.
  }
}

class BwrapContainer implements RuntimeContainer {
  readonly runtime = 'bwrap' as const;
  readonly id: string;

  constructor(
    private readonly spec: ContainerSpec,
    private readonly hostFiles: string[],
  ) {
    this.id = spec.id;
  }

  async exec(p: ProcessOptions): Promise<ProcessResult> {
    p.signal?.throwIfAborted();
    const userSpec = p.user ?? this.spec.user;
    const user = await resolveUser(this.spec.rootfs, userSpec);
    if (user.uid !== 0 || user.gid !== 0) {
      throw new BuildError(`user ${userSpec ?? ''}: runtime bwrap runs commands as root only; use runtime "runc" for another user`);
    }
    const args = ['--bind', this.spec.rootfs, '/', '--proc', '/proc', '--dev', '/dev', '--ro-bind', '/sys', '/sys'];
    args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session');
    if (this.spec.network === 'none') args.push('--unshare-net');
    for (const f of this.hostFiles) args.push('--ro-bind', path.join(this.spec.bundleDir, f), `/etc/${f}`);
    for (const m of this.spec.mounts ?? []) {
      if (m.type === 'tmpfs') args.push('--tmpfs', m.destination);
      else args.push(m.readonly ? '--ro-bind' : '--bind', m.source, m.destination);
    }
    args.push('--hostname', this.spec.hostname ?? DEFAULT_HOSTNAME, '--cap-drop', 'ALL');
    for (const c of capabilities(this.spec)) args.push('--cap-add', c);
    args.push('--clearenv');
    for (const kv of mergeEnv(this.spec.env, user, p.env)) {
      const i = kv.indexOf('=');
      args.push('--setenv', kv.slice(0, i), kv.slice(i + 1));
    }
    args.push('--chdir', p.cwd ?? this.spec.cwd ?? '/', '--', ...p.args);
    return new Promise<ProcessResult>((resolve, reject) => {
      const child = spawn('bwrap', args, { stdio: [p.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        child.kill('SIGKILL');
      };
      p.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout?.setEncoding('utf8').on('data', (c: string) => p.onStdout?.(c));
      child.stderr?.setEncoding('utf8').on('data', (c: string) => p.onStderr?.(c));
      if (p.stdin !== undefined && child.stdin) {
        child.stdin.on('error', () => undefined);
        if (typeof p.stdin === 'string') child.stdin.end(p.stdin);
        else p.stdin.pipe(child.stdin);
      }
      child.on('error', (err: NodeJS.ErrnoException) => {
        p.signal?.removeEventListener('abort', onAbort);
        reject(err.code === 'ENOENT' ? missingTool('bwrap', err) : err);
      });
      // A background process the command started (`daemon &`) keeps the pipes open after
      // the command exits; finish on exit and give the pipes a moment to drain, as
      // `docker exec` does, instead of waiting for EOF.
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
          p.signal?.removeEventListener('abort', onAbort);
          if (aborted) resolve({ exitCode: 137, signal: 'SIGKILL' });
          else if (signal) resolve({ exitCode: 128, signal });
          else resolve({ exitCode: code ?? 255 });
      };
      child.on('exit', (code, signal) => {
        const t = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(code, signal);
        }, 200);
        child.once('close', () => {
          clearTimeout(t);
          finish(code, signal);
        });
      });
    });
  }

  async destroy(): Promise<void> {
    // Each command's sandbox is gone when its bwrap exits.
  }
}
