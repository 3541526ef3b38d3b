// Packer's shell-local keys, shared by the shell-local provisioner and post-processor
// (Packer's common/shell-local). Validation is pure: script files are read when run.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { diagnosticAt, prepareConfig } from '../core/config.js';
import type { Prepared, PrepareContext, RawConfig } from '../core/plugin.js';
import { isUnknown } from '../core/model/value.js';

export const shellLocalShape = {
  command: z.string().optional(),
  inline: z.array(z.string()).optional(),
  script: z.string().optional(),
  scripts: z.array(z.string()).optional(),
  environment_vars: z.array(z.string()).optional(),
  env: z.record(z.string()).optional(),
  env_var_format: z.string().optional(),
  /** Packer's list form (`["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]`) or one shell string. */
  execute_command: z.union([z.array(z.string()), z.string()]).optional(),
  inline_shebang: z.string().optional(),
  only_on: z.array(z.string()).optional(),
  valid_exit_codes: z.array(z.number().int()).optional(),
  tempfile_extension: z.string().optional(),
};

export const shellLocalSchema = z.object(shellLocalShape);

/** What the driver runs: normalised, with Packer's defaults applied. */
export interface ShellLocalConfig {
  /** Inline lines (from `command` or `inline`), or null when running script files. */
  inline: string[] | null;
  /** Absolute paths of script files. */
  scripts: string[];
  /** User variables in declaration order: `environment_vars` then `env`. */
  vars: [string, string][];
  envVarFormat: string;
  executeCommand: string[] | string;
  inlineShebang: string;
  onlyOn: string[] | null;
  validExitCodes: number[];
  tempfileExtension: string;
}

export const IGNORED_KEYS: Record<string, string> = {
  use_linux_pathing: 'use_linux_pathing only matters on Windows (WSL); it is ignored.',
  binary: 'binary only matters on Windows; it is ignored.',
};

type RawShape = z.output<typeof shellLocalSchema>;

export function prepareShellLocal<Extra extends z.ZodRawShape = Record<never, never>>(
  raw: RawConfig,
  ctx: PrepareContext,
  extra?: Extra,
): Prepared<ShellLocalConfig & { extra: z.output<z.ZodObject<Extra>> }> {
  const schema = shellLocalSchema.extend(extra ?? ({} as Extra));
  const prepared = prepareConfig(schema, raw, { ignored: IGNORED_KEYS });
  // Cross-key checks read the raw values, so they are reported even when the schema
  // rejected something else: every problem at once.
  const v = raw.values;
  const errors: Diagnostic[] = [...prepared.errors];
  const set = (['command', 'inline', 'script', 'scripts'] as const).filter((k) => v[k] !== undefined);
  if (set.length > 1) {
    errors.push(
      diagnosticAt(raw, [set[1] ?? 'command'], 'Conflicting arguments', 'Only one of command, inline, script or scripts may be specified.'),
    );
  } else if (set.length === 0) {
    errors.push({
      severity: 'error',
      summary: 'Missing required argument',
      detail: 'One of command, inline, script or scripts must be specified.',
      subject: raw.blockRange,
    });
  }
  // Values unknown until run time (validate) are skipped here and checked when the build runs.
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
  list(v['environment_vars']).forEach((e, i) => {
    if (typeof e === 'string' && !e.includes('=')) {
      errors.push(
        diagnosticAt(raw, ['environment_vars', i], 'Invalid value', `Environment variable not in format 'key=value': ${e}`),
      );
    }
  });
  const c = prepared.config as (RawShape & Record<string, unknown>) | null;
  if (errors.length > 0 || !c) return { config: null, warnings: prepared.warnings, errors };

  const toAbs = (p: string): string => (isUnknown(p) || isAbsolute(p) ? p : resolve(ctx.templateDir, p));
  const vars: [string, string][] = [];
  for (const v of list(c.environment_vars)) {
    if (typeof v !== 'string') continue;
    const eq = v.indexOf('=');
    vars.push([v.slice(0, eq), v.slice(eq + 1)]);
  }
  const env: unknown = c.env;
  if (env !== null && typeof env === 'object' && !isUnknown(env)) {
    for (const [k, v] of Object.entries(env)) if (typeof v === 'string') vars.push([k, v]);
  }
  const extraOut: Record<string, unknown> = {};
  for (const k of Object.keys(extra ?? {})) if (c[k] !== undefined) extraOut[k] = c[k];
  return {
    config: {
      inline: c.command !== undefined ? [c.command] : (c.inline ?? null),
      scripts: c.script !== undefined ? [toAbs(c.script)] : list(c.scripts).map((p) => toAbs(p as string)),
      vars,
      envVarFormat: c.env_var_format ?? "%s='%s' ",
      executeCommand: c.execute_command ?? ['/bin/sh', '-c', '{{.Vars}} {{.Script}}'],
      inlineShebang: c.inline_shebang ?? '/bin/sh -e',
      onlyOn: c.only_on ?? null,
      validExitCodes: c.valid_exit_codes ?? [0],
      tempfileExtension: c.tempfile_extension ?? '',
      extra: extraOut as z.output<z.ZodObject<Extra>>,
    },
    warnings: prepared.warnings,
    errors: [],
  };
}
