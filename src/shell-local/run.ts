// Shared by the shell-local provisioner and post-processor (Packer keeps this code in its
// SDK's shell-local package for the same reason): running commands on this machine.
// Runs shell-local scripts on this host, as Packer's common/shell-local does: each inline
// block or script file becomes an executable temp file run through execute_command, with
// PACKER_* and user variables both in `{{.Vars}}` and in the environment. The command runs
// in its own process group so an abort kills everything it started.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BuildError, EnvironmentError, cancelledBy, errorMessage } from '../core/errors.js';
import { renderGoTemplate } from '../core/gotemplate.js';
import type { BuildInfo, GeneratedData } from '../core/plugin.js';
import type { Ui } from '../core/ui.js';
import type { ShellLocalConfig } from './config.js';
import { flattenVars, setPackerHttpVars } from '../core/shell-vars.js';

export interface ShellLocalRun {
  signal: AbortSignal;
  ui: Ui;
  build: BuildInfo;
  generated: GeneratedData;
  /** Name shown on output lines. */
  source: string;
  /** Extra variables the caller adds (the post-processor adds none today). */
  extraVars?: [string, string][];
}

/** Grace between SIGTERM and SIGKILL when the build is aborted. */
const KILL_GRACE_MS = 5000;

export async function runShellLocal(config: ShellLocalConfig, run: ShellLocalRun): Promise<void> {
  const os = goos(process.platform);
  if (config.onlyOn && !config.onlyOn.includes(os)) {
    run.ui.say(`Skipping shell-local: only_on does not include this OS (${os})`);
    return;
  }
  const dir = await fs.mkdtemp(join(tmpdir(), 'imgbuild-shell-local-'));
  try {
    const scripts = await materialise(config, dir);
    const vars = packerVars(config, run);
    const flattened = flattenVars(vars, config.envVarFormat);
    for (const script of scripts) {
      if (run.signal.aborted) throw cancelledBy(run.signal);
      run.ui.say(`Running local shell script: ${script.shown}`);
      const tvars = { Vars: flattened, Script: script.path, Path: script.path, Command: script.path };
      const argv =
        typeof config.executeCommand === 'string'
          ? ['/bin/sh', '-c', renderGoTemplate(config.executeCommand, tvars, 'execute_command')]
          : config.executeCommand.map((a) => renderGoTemplate(a, tvars, 'execute_command'));
      const env: Record<string, string> = { ...(process.env as Record<string, string>) };
      // Packer exports its run UUID to its own environment, so every child inherits it.
      const runUuid = run.generated['PackerRunUUID'];
      if (runUuid !== undefined) env['PACKER_RUN_UUID'] = String(runUuid);
      for (const [k, v] of vars) env[k] = v;
      const code = await spawnGroup(argv, env, run);
      if (!config.validExitCodes.includes(code)) {
        throw new BuildError(
          `Erroneous exit code ${code} while executing script: ${script.shown}\n\nPlease see output above for more information.`,
          { code: 'E_SCRIPT_EXIT' },
        );
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface Materialised {
  path: string;
  shown: string;
}

/** Executable copies, so neither user files nor their mode bits are touched. */
async function materialise(config: ShellLocalConfig, dir: string): Promise<Materialised[]> {
  const ext = config.tempfileExtension;
  if (config.inline) {
    const path = join(dir, `inline${ext}`);
    await fs.writeFile(path, `#!${config.inlineShebang}\n${config.inline.join('\n')}\n`, { mode: 0o700 });
    return [{ path, shown: path }];
  }
  const out: Materialised[] = [];
  for (const [i, src] of config.scripts.entries()) {
    const path = join(dir, `${i}-${basename(src)}`);
    try {
      await fs.copyFile(src, path);
    } catch (e) {
      throw new BuildError(`read script ${src}: ${errorMessage(e)}`, { code: 'E_SCRIPT_READ', cause: e });
    }
    await fs.chmod(path, 0o700);
    out.push({ path, shown: src });
  }
  return out;
}

/** Packer's variables first, then the user's; a user variable may override Packer's. */
function packerVars(config: ShellLocalConfig, run: ShellLocalRun): [string, string][] {
  const m = new Map<string, string>();
  m.set('PACKER_BUILD_NAME', run.build.sourceName);
  m.set('PACKER_BUILDER_TYPE', run.build.sourceType);
  setPackerHttpVars(m, run.generated);
  for (const [k, v] of [...config.vars, ...(run.extraVars ?? [])]) m.set(k, v);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}


function goos(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'windows' : platform;
}

function spawnGroup(argv: string[], env: Record<string, string>, run: ShellLocalRun): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new BuildError('execute_command is empty'));
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    run.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (c: string) => run.ui.output(run.source, 'stdout', c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => run.ui.output(run.source, 'stderr', c));
    child.on('error', (e) => {
      run.signal.removeEventListener('abort', onAbort);
      reject(new EnvironmentError(`run ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, sig) => {
      run.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      run.ui.flush();
      if (run.signal.aborted) reject(cancelledBy(run.signal));
      else if (code === null) reject(new BuildError(`script killed by signal ${sig ?? 'unknown'}`, { code: 'E_SCRIPT_SIGNAL' }));
      else resolve(code);
    });
  });
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}
