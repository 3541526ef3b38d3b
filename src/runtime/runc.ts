// runc and crun drivers. One long-lived container per build step: `run -d` starts a tiny
// shell loop from the rootfs as init, each command is `exec --process` into it. Compared
// with one `run` per command this keeps PID 1 a real reaper, lets a daemon started by one
// command serve the next (as in Packer's docker builder), pays the namespace/mount setup
// once, and makes "kill everything" a single `kill <init>`: the pid namespace goes with it.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BuildError, EnvironmentError } from '../core/errors.js';
import { writeHostFiles } from './host-files.js';
import { processJson, runtimeConfig } from './spec.js';
import { lastLine, missingTool, runTool, type ToolResult } from './tool.js';
import type { ContainerSpec, OciRuntime, ProcessOptions, ProcessResult, RuntimeContainer, RuntimeName } from './types.js';
import { resolveUser, type ResolvedUser } from './user.js';

/** Init of the build container: sleeps until told to stop, exits on TERM. */
/** Runs "$1" in a child shell (fd 3 closed for it) and writes its exit status to fd 3. */
const STATUS_WRAPPER = '/bin/sh -c "$1" 3>&-; s=$?; echo $s >&3; exit $s';

export const PAUSE_ARGS = ['/bin/sh', '-c', 'trap "exit 0" TERM; while :; do sleep 3600 & wait; done'];

export class RuncRuntime implements OciRuntime {
  readonly name: RuntimeName;
  private readonly bin: string;

  constructor(name: 'runc' | 'crun' = 'runc') {
    this.name = name;
    this.bin = name;
  }

  async check(): Promise<void> {
    const res = await runTool(this.bin, ['--version']);
    if (res.code !== 0) throw new EnvironmentError(`${this.bin} --version: ${lastLine(res.stderr)}; reinstall it`);
    if (this.name === 'crun') await runTool('unshare', ['--version']);
  }

  async create(spec: ContainerSpec): Promise<RuntimeContainer> {
    await mkdir(spec.bundleDir, { recursive: true });
    const user = await resolveUser(spec.rootfs, spec.user);
    const host = await writeHostFiles(spec);
    const config = runtimeConfig(spec, user, PAUSE_ARGS, host);
    await writeFile(path.join(spec.bundleDir, 'config.json'), JSON.stringify(config, null, 2));
    const res = await this.startDetached(spec);
    if (res.code !== 0) {
      // A half-created container (state dir, cgroup) would block the next run with this id.
      await this.remove(spec.id);
      const msg = runtimeMessage(res.stderr);
      const hint = /no such file|not found/i.test(msg) ? 'the base image needs /bin/sh and sleep for the build container' : 'check the runtime settings (user, mounts, cap_add)';
      throw new BuildError(`${this.name} run ${spec.id}: ${msg}; ${hint}`, {
        code: 'E_RUNTIME',
        source: 'environment',
      });
    }
    return new RuncContainer(this, spec, user);
  }

  /**
   * `run -d` hands its own stdio to the container's init, so pipes would stay open for the
   * container's lifetime: give it a log file instead and read that once runc has exited.
   */
  private async startDetached(spec: ContainerSpec): Promise<ToolResult> {
    const logPath = path.join(spec.bundleDir, 'run.log');
    const log = await open(logPath, 'w');
    try {
      const runArgs = ['run', '-d', '--pid-file', path.join(spec.bundleDir, 'init.pid'), '--bundle', spec.bundleDir, spec.id];
      const [bin, args] =
        this.name === 'crun'
          ? // crun refuses this machine's hybrid cgroup v1/v2 layout; a private mount namespace
            // with only cgroup2 mounted and no cgroup management makes it work (DESIGN.md).
            ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec crun --cgroup-manager=disabled ${runArgs.map(shq).join(' ')}`]]
          : [this.bin, runArgs];
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(bin, args, { stdio: ['ignore', log.fd, log.fd] });
        child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? missingTool(bin, err) : err));
        child.on('exit', (c) => resolve(c ?? -1));
      });
      return { code, signal: null, stdout: '', stderr: await readFile(logPath, 'utf8') };
    } finally {
      await log.close();
    }
  }

  async remove(id: string): Promise<void> {
    // `delete -f` SIGKILLs the init (the pid namespace dies with it) and removes the state in
    // one call; retry only while a dying container is still reported as running.
    for (let i = 0; i < 20; i++) {
      const res = await this.tool(['delete', '-f', id]);
      if (res.code === 0 || /does not exist|not found|no such/i.test(res.stderr)) return;
      if (i === 0) await this.tool(['kill', id, 'KILL']);
      await new Promise((r) => setTimeout(r, 25 * (i + 1)));
    }
    const last = await this.tool(['delete', '-f', id]);
    if (last.code !== 0 && !/does not exist|not found|no such/i.test(last.stderr)) {
      throw new EnvironmentError(`${this.name} delete ${id}: ${runtimeMessage(last.stderr)}; remove it by hand with \`${this.name} delete -f ${id}\``);
    }
  }

  tool(args: string[]): Promise<ToolResult> {
    const [bin, a] = this.spawnArgs(args);
    return runTool(bin, a);
  }

  spawnArgs(args: string[]): [string, string[]] {
    return this.name === 'crun' ? ['crun', ['--cgroup-manager=disabled', ...args]] : [this.bin, args];
  }
}

class RuncContainer implements RuntimeContainer {
  readonly id: string;
  readonly runtime: RuntimeName;
  private execCount = 0;
  private destroyed = false;

  constructor(
    private readonly rt: RuncRuntime,
    private readonly spec: ContainerSpec,
    private readonly user: ResolvedUser,
  ) {
    this.id = spec.id;
    this.runtime = rt.name;
  }

  async exec(p: ProcessOptions): Promise<ProcessResult> {
    if (this.destroyed) throw new BuildError(`container ${this.id}: already stopped`, { source: 'internal' });
    p.signal?.throwIfAborted();
    const user = p.user === undefined ? this.user : await resolveUser(this.spec.rootfs, p.user);
    const procFile = path.join(this.spec.bundleDir, `exec-${++this.execCount}.json`);
    const extra: { env?: Record<string, string>; cwd?: string } = {};
    if (p.env) extra.env = p.env;
    if (p.cwd) extra.cwd = p.cwd;
    // runc copies a non-terminal exec's stdout/stderr and does not exit until every writer
    // has closed them, so `daemon &` would hang the build. Shell commands therefore report
    // their exit status on an extra fd (3), which runc passes through without copying.
    const shell = p.args.length === 3 && p.args[0] === '/bin/sh' && p.args[1] === '-c';
    const args = shell ? ['/bin/sh', '-c', STATUS_WRAPPER, 'imgbuild-exec', p.args[2] as string] : p.args;
    await writeFile(procFile, JSON.stringify(processJson(this.spec, user, args, extra)));
    const [bin, runtimeArgs] = this.rt.spawnArgs(['exec', ...(shell ? ['--preserve-fds', '1'] : []), '--process', procFile, this.id]);
    return new Promise<ProcessResult>((resolve, reject) => {
      const child = spawn(bin, runtimeArgs, { stdio: [p.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(shell ? ['pipe' as const] : [])] });
      let aborted = false;
      let settled = false;
      let reported: number | null = null;
      const onAbort = (): void => {
        aborted = true;
        // Killing init tears down the pid namespace: every process the command started dies.
        void this.rt.tool(['kill', this.id, 'KILL']).finally(() => child.kill('SIGKILL'));
      };
      const finish = (result: ProcessResult): void => {
        if (settled) return;
        settled = true;
        p.signal?.removeEventListener('abort', onAbort);
        resolve(aborted ? { exitCode: result.exitCode, signal: 'SIGKILL' } : result);
      };
      p.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout?.setEncoding('utf8').on('data', (c: string) => p.onStdout?.(c));
      child.stderr?.setEncoding('utf8').on('data', (c: string) => p.onStderr?.(c));
      const status = child.stdio[3];
      if (status && 'setEncoding' in status) {
        let text = '';
        status.setEncoding('utf8');
        status.on('data', (c: string) => {
          text += c;
          const m = /^(\d+)\n/.exec(text);
          if (!m || reported !== null) return;
          reported = Number(m[1]);
          // The command is done; what still holds the pipes is a background process. Let
          // its output drain briefly, then stop waiting for runc (the process lives on in
          // the container until the container is stopped, as with `docker exec`).
          setTimeout(() => {
            if (settled) return;
            child.kill('SIGKILL');
            child.stdout?.destroy();
            child.stderr?.destroy();
            status.destroy();
            finish({ exitCode: reported ?? 255 });
          }, 200);
        });
        status.on('error', () => undefined);
      }
      if (p.stdin !== undefined && child.stdin) {
        child.stdin.on('error', () => undefined); // the command may exit without reading stdin
        if (typeof p.stdin === 'string') child.stdin.end(p.stdin);
        else p.stdin.pipe(child.stdin);
      }
      child.on('error', (err: NodeJS.ErrnoException) => {
        p.signal?.removeEventListener('abort', onAbort);
        settled = true;
        reject(err.code === 'ENOENT' ? missingTool(bin, err) : err);
      });
      child.on('close', (code, signal) => {
        if (aborted) finish({ exitCode: code ?? 137 });
        else if (reported !== null) finish({ exitCode: reported });
        else if (signal) finish({ exitCode: 128, signal });
        else finish({ exitCode: code ?? 255 });
      });
    });
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    // Faster than `delete -f` (which polls at 100 ms): kill the init, watch it die, delete.
    const pid = Number((await readFile(path.join(this.spec.bundleDir, 'init.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      await this.rt.tool(['kill', this.id, 'KILL']);
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline && (await alive(pid))) await new Promise((r) => setTimeout(r, 5));
    }
    await this.rt.remove(this.id);
  }
}

/** Running (not gone, not a zombie waiting for its reaper). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** runc logs `time=... level=error msg="..."`; keep the message. */
export function runtimeMessage(stderr: string): string {
  const line = lastLine(stderr);
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
  return m?.[1] !== undefined ? m[1].replace(/\\"/g, '"') : line;
}

function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
