// The Docker engine, through its CLI: only what docker-import needs, behind an interface so
// the post-processor is tested without an engine.
import { spawn } from 'node:child_process';

export interface DockerDriver {
  /** Null when an engine answers `docker info`; else why not. */
  unreachable(): Promise<string | null>;
  load(archive: string, signal: AbortSignal): Promise<string>;
  tag(source: string, target: string, signal: AbortSignal): Promise<void>;
}

export function cliDriver(bin = 'docker'): DockerDriver {
  return {
    async unreachable() {
      const r = await run(bin, ['info', '--format', '{{.ServerVersion}}']);
      if (r.code === 0 && r.stdout.trim() !== '') return null;
      return r.code === -1 ? `${bin} CLI not found` : r.stderr.trim().split('\n')[0] ?? `docker info exited ${r.code}`;
    },
    async load(archive, signal) {
      const r = await run(bin, ['load', '-i', archive], signal);
      if (r.code !== 0) throw new Error(`docker load: ${r.stderr.trim() || `exit code ${r.code}`}`);
      return r.stdout.trim();
    },
    async tag(source, target, signal) {
      const r = await run(bin, ['tag', source, target], signal);
      if (r.code !== 0) throw new Error(`docker tag: ${r.stderr.trim() || `exit code ${r.code}`}`);
    },
  };
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code === 'ENOENT' ? -1 : -2, stdout, stderr: e.message }));
    p.on('close', (code) => resolve({ code: code ?? -2, stdout, stderr }));
  });
}
