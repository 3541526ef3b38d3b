// Running host tools (runc, crun, bwrap, mount, mmdebstrap). A missing binary is the most
// common failure on a fresh machine, so it becomes one EnvironmentError naming the Debian
// package to install instead of a bare ENOENT.
import { spawn } from 'node:child_process';
import { EnvironmentError } from '../core/errors.js';

/** Debian package that ships each tool we call. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  runc: 'runc',
  crun: 'crun',
  bwrap: 'bubblewrap',
  unshare: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  mmdebstrap: 'mmdebstrap',
  skopeo: 'skopeo',
  umoci: 'umoci',
};

export interface ToolResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  input?: string;
  cwd?: string;
  /** Called with each stderr chunk as it arrives (long-running tools such as mmdebstrap). */
  onStderr?: (chunk: string) => void;
}

export function missingTool(bin: string, cause?: unknown): EnvironmentError {
  const pkg = TOOL_PACKAGES[bin] ?? bin;
  return new EnvironmentError(
    `${bin}: executable not found in PATH; install it with \`apt-get install -y ${pkg}\``,
    { code: 'E_TOOL_MISSING', cause },
  );
}

/** Runs a tool to completion, collecting its output. Never throws for a non-zero exit. */
export function runTool(bin: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal, killSignal: 'SIGTERM' as const }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      opts.onStderr?.(c);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(missingTool(bin, err));
      else if (err.name === 'AbortError') resolve({ code: -1, signal: 'SIGTERM', stdout, stderr });
      else reject(err);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

/** Last non-empty line of a tool's stderr, for one-line error messages. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? '(no output)';
}
