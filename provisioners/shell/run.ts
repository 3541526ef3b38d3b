// Runs Packer shell scripts through the communicator: each inline block or script file is
// uploaded to remote_path, run via execute_command with PACKER_* and user variables, and
// removed unless skip_clean. The communicator is the driver: tests give it a fake.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import { BuildError, CancelledError, errorMessage, isImgbuildError } from '../../src/core/errors.js';
import { renderGoTemplate } from '../../src/core/gotemplate.js';
import type { ProvisionContext } from '../../src/core/plugin.js';
import type { ShellConfig } from './config.js';
import { flattenVars, setPackerHttpVars } from '../../src/core/shell-vars.js';

interface Script {
  /** What the user sees: the file name, or "inline script". */
  shown: string;
  content: Buffer;
}

export async function runShell(ctx: ProvisionContext, config: ShellConfig, source = 'shell'): Promise<void> {
  const scripts = await loadScripts(config);
  const vars = packerVars(config, ctx);
  for (const script of scripts) {
    if (ctx.signal.aborted) throw new CancelledError();
    ctx.ui.say(`Provisioning with shell script: ${script.shown}`);
    const remotePath = remotePathFor(config, script.content);
    await withStartRetry(config, ctx, () => ctx.comm.upload(remotePath, script.content, { mode: 0o755, signal: ctx.signal }));
    let envVarFile = '';
    if (config.useEnvVarFile) {
      envVarFile = posix.join(config.remoteFolder, `varfile_${shortHash(script.content)}.sh`);
      await ctx.comm.upload(envVarFile, Buffer.from(flattenVars(vars, config.envVarFormat)), { mode: 0o644, signal: ctx.signal });
    }
    const tvars = {
      Vars: config.useEnvVarFile ? '' : flattenVars(vars, config.envVarFormat),
      Path: remotePath,
      EnvVarFile: envVarFile,
    };
    const command = renderGoTemplate(config.executeCommand, tvars, 'execute_command');
    let res;
    try {
      res = await ctx.comm.exec(command, {
        signal: ctx.signal,
        onStdout: (c) => ctx.ui.output(source, 'stdout', c),
        onStderr: (c) => ctx.ui.output(source, 'stderr', c),
      });
    } catch (e) {
      ctx.ui.flush();
      // A script that reboots the machine drops the connection: with expect_disconnect that
      // is success, as in Packer. The script file stays (the machine may be gone); the
      // communicator reconnects for the next command.
      if (config.expectDisconnect && isImgbuildError(e) && e.code === 'E_COMM_DISCONNECTED') {
        ctx.ui.message(`Connection dropped while running ${script.shown}, as expect_disconnect allows; the next command reconnects`);
        continue;
      }
      throw e;
    }
    ctx.ui.flush();
    if (ctx.signal.aborted) throw new CancelledError();
    if (!config.validExitCodes.includes(res.exitCode)) {
      throw new BuildError(
        `shell: script ${script.shown} exited with status ${res.exitCode}${res.signal ? ` (${res.signal})` : ''}; allowed exit codes are ${JSON.stringify(config.validExitCodes)} (see its output above)`,
        { code: 'E_SCRIPT_EXIT' },
      );
    }
    if (!config.skipClean) {
      const targets = [remotePath, ...(envVarFile ? [envVarFile] : [])].map(shq).join(' ');
      const rm = await ctx.comm.exec(`rm -f ${targets}`, { signal: ctx.signal });
      if (rm.exitCode !== 0) throw new BuildError(`shell: removing ${remotePath} after the script failed with status ${rm.exitCode}; set skip_clean to keep it`);
    }
  }
  if (config.pauseAfterMs > 0) {
    ctx.ui.say(`Pausing ${config.pauseAfterMs / 1000}s after this provisioner...`);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, config.pauseAfterMs);
      ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(new CancelledError()); }, { once: true });
    });
  }
}

/** The first line of an inline script, or the script names: for history entries and logs. */
export function describeShell(config: ShellConfig): string {
  if (config.inline) return config.inline.find((l) => l.trim() !== '')?.trim() ?? '(empty inline script)';
  return config.scripts.map((s) => basename(s)).join(', ');
}

async function loadScripts(config: ShellConfig): Promise<Script[]> {
  if (config.inline) {
    const text = `#!${config.inlineShebang}\n${config.inline.join('\n')}\n`;
    return [{ shown: 'inline script', content: Buffer.from(text) }];
  }
  return Promise.all(
    config.scripts.map(async (p) => {
      try {
        return { shown: p, content: await readFile(p) };
      } catch (e) {
        throw new BuildError(`shell: script ${p}: ${errorMessage(e)}; check the path (relative paths start at the template folder)`, { cause: e });
      }
    }),
  );
}

function remotePathFor(config: ShellConfig, content: Buffer): string {
  if (config.remotePath !== null) return config.remotePath;
  // Packer picks a random name; one derived from the content keeps layers reproducible.
  return posix.join(config.remoteFolder, config.remoteFile ?? `script_${shortHash(content)}.sh`);
}

/** Packer's start_retry_timeout: the first upload is retried while the remote is not ready. */
async function withStartRetry(config: ShellConfig, ctx: ProvisionContext, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + config.startRetryTimeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await fn();
      return;
    } catch (e) {
      // Our errors (bad path, escape) will not heal by waiting; I/O hiccups and a connection
      // lost to a reboot the previous provisioner started (the communicator reconnects) do.
      const dropped = isImgbuildError(e) && e.code === 'E_COMM_DISCONNECTED';
      if ((e instanceof BuildError && !dropped) || ctx.signal.aborted || Date.now() + delay > deadline) throw e;
      ctx.ui.message(`Retrying upload: ${errorMessage(e)}`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function packerVars(config: ShellConfig, ctx: ProvisionContext): [string, string][] {
  const m = new Map<string, string>();
  m.set('PACKER_BUILD_NAME', ctx.build.sourceName);
  m.set('PACKER_BUILDER_TYPE', ctx.build.sourceType);
  setPackerHttpVars(m, ctx.generated);
  for (const [k, v] of config.vars) m.set(k, v);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}



function shortHash(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 12);
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}
