// Configuration of the `container` builder (native keys) and the `docker` builder (Packer's
// docker builder keys). Both normalise to one ContainerBuildConfig, so they share steps.
// Validation is pure: nothing here touches the system or reads files.
import path from 'node:path';
import { z } from 'zod';
import { diagnosticAt, prepareConfig } from '../../src/core/config.js';
import type { Prepared, PrepareContext, RawConfig } from '../../src/core/plugin.js';
import type { Diagnostic } from '../../src/hcl/diagnostic.js';
import type { ContainerConfig, Platform } from '../../src/oci/image.js';
import { parsePlatform } from '../../src/oci/config.js';
import type { MountSpec, NetworkMode, RuntimeName } from '../../src/runtime/types.js';
import type { BootstrapOptions } from '../../src/bootstrap/index.js';
import { applyChange } from './changes.js';

export type BaseSource =
  | { kind: 'registry'; ref: string }
  | { kind: 'oci-layout'; path: string; ref?: string }
  | { kind: 'oci-archive'; path: string; ref?: string }
  | { kind: 'docker-archive'; path: string; ref?: string }
  | { kind: 'rootfs'; path: string }
  | { kind: 'scratch' }
  | { kind: 'bootstrap'; options: BootstrapOptions };

export type OutputTarget =
  | { kind: 'oci'; path: string; tag?: string }
  | { kind: 'oci-archive'; path: string; tag?: string }
  | { kind: 'docker-archive'; path: string; tag?: string }
  | { kind: 'registry'; ref: string };

export interface ContainerBuildConfig {
  /** Which plugin the config came from: `container` or `docker` (Packer compatibility). */
  flavour: 'container' | 'docker';
  base: BaseSource;
  pull: boolean;
  platform: Platform | null;
  runtime: RuntimeName;
  network: NetworkMode;
  user: string | null;
  workdir: string | null;
  env: string[];
  mounts: MountSpec[];
  privileged: boolean;
  capAdd: string[];
  squash: boolean;
  exclude: string[];
  changes: string[];
  /** Structured `config {}`: applied after `changes`. */
  imageConfig: ContainerConfig;
  annotations: Record<string, string>;
  /** Empty with `discard`. */
  outputs: OutputTarget[];
  /** null: SOURCE_DATE_EPOCH from the environment at build time, else 0. */
  sourceDateEpoch: number | null;
  compression: 'gzip' | 'zstd' | 'none';
  author: string | null;
  message: string | null;
  discard: boolean;
  /** docker `export_path`: a flat tar of the final filesystem (`docker export`). */
  exportPath: string | null;
  fixUploadOwner: boolean;
  login: { server: string; username: string; password: string } | null;
}

const mountSchema = z.object({
  source: z.string(),
  destination: z.string(),
  type: z.string().optional(),
  options: z.array(z.string()).optional(),
  readonly: z.boolean().optional(),
});

const bootstrapSchema = z.object({
  suite: z.string(),
  variant: z.string().optional(),
  packages: z.array(z.string()).optional(),
  mirror: z.string().optional(),
  architecture: z.string().optional(),
  components: z.array(z.string()).optional(),
});

const imageConfigBlockSchema = z.object({
  cmd: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  env: z.record(z.string()).optional(),
  exposed_ports: z.array(z.string()).optional(),
  labels: z.record(z.string()).optional(),
  user: z.string().optional(),
  workdir: z.string().optional(),
  volumes: z.array(z.string()).optional(),
  stop_signal: z.string().optional(),
});

const common = {
  platform: z.string().optional(),
  pull: z.boolean().optional(),
  privileged: z.boolean().optional(),
  cap_add: z.array(z.string()).optional(),
  changes: z.array(z.string()).optional(),
  author: z.string().optional(),
  message: z.string().optional(),
  fix_upload_owner: z.boolean().optional(),
  runtime: z.enum(['runc', 'crun', 'bwrap']).optional(),
  source_date_epoch: z.number().int().nonnegative().optional(),
  compression: z.enum(['gzip', 'zstd', 'none']).optional(),
  exclude: z.array(z.string()).optional(),
};

export const containerSchema = z.object({
  ...common,
  image: z.string().optional(),
  bootstrap: bootstrapSchema.optional(),
  network: z.enum(['host', 'none']).optional(),
  user: z.string().optional(),
  workdir: z.string().optional(),
  env: z.record(z.string()).optional(),
  mounts: z.array(mountSchema).optional(),
  volumes: z.record(z.string()).optional(),
  squash: z.boolean().optional(),
  config: imageConfigBlockSchema.optional(),
  annotations: z.record(z.string()).optional(),
  output: z.union([z.string(), z.array(z.string())]).optional(),
});

export const dockerSchema = z.object({
  ...common,
  image: z.string(),
  commit: z.boolean().optional(),
  discard: z.boolean().optional(),
  export_path: z.string().optional(),
  run_command: z.array(z.string()).optional(),
  volumes: z.record(z.string()).optional(),
  container_dir: z.string().optional(),
  login: z.boolean().optional(),
  login_server: z.string().optional(),
  login_username: z.string().optional(),
  login_password: z.string().optional(),
  ecr_login: z.boolean().optional(),
  aws_access_key: z.string().optional(),
  aws_secret_key: z.string().optional(),
  aws_token: z.string().optional(),
  aws_profile: z.string().optional(),
  // Packer docker keys that only make sense with a Docker daemon; accepted for compatibility.
  exec_user: z.string().optional(),
  tmpfs: z.array(z.string()).optional(),
  device: z.array(z.string()).optional(),
  build: z.unknown().optional(),
  windows_container: z.boolean().optional(),
  output: z.union([z.string(), z.array(z.string())]).optional(),
});

const DOCKER_IGNORED: Record<string, string> = {
  run_command: 'run_command is ignored apart from -u/--user (the build user): the daemonless builder starts its own build container.',
  container_dir: 'container_dir is ignored: files are written straight into the build filesystem.',
  ecr_login: 'ecr_login is not supported; log in with login_username/login_password or ~/.docker/config.json.',
  aws_access_key: 'aws_access_key is ignored (no ECR login).',
  aws_secret_key: 'aws_secret_key is ignored (no ECR login).',
  aws_token: 'aws_token is ignored (no ECR login).',
  aws_profile: 'aws_profile is ignored (no ECR login).',
  windows_container: 'windows_container is ignored: only Linux containers are built.',
  build: 'build (Dockerfile builds) is not supported; use image or bootstrap.',
  device: 'device is ignored by the daemonless builder.',
  tmpfs: 'tmpfs is ignored by the daemonless builder.',
};

export function prepareContainer(raw: RawConfig, ctx: PrepareContext): Prepared<ContainerBuildConfig> {
  const prepared = prepareConfig(containerSchema, raw);
  const errors: Diagnostic[] = [...prepared.errors];
  const v = raw.values;
  if (v['image'] !== undefined && v['bootstrap'] !== undefined) {
    errors.push(diagnosticAt(raw, ['bootstrap'], 'Conflicting arguments', 'Set either image or a bootstrap block, not both.'));
  } else if (v['image'] === undefined && v['bootstrap'] === undefined) {
    errors.push({ severity: 'error', summary: 'Missing required argument', detail: 'Set image (a registry reference, oci-layout:PATH, oci-archive:PATH, docker-archive:PATH, rootfs:PATH.tar or scratch) or a bootstrap block.', subject: raw.blockRange });
  }
  const c = prepared.config;
  if (!c || errors.length > 0) return { config: null, warnings: prepared.warnings, errors };
  const abs = (p: string): string => (path.isAbsolute(p) ? p : path.resolve(ctx.templateDir, p));
  const base: BaseSource | string = c.bootstrap ? { kind: 'bootstrap', options: bootstrapOptions(c.bootstrap) } : parseImage(c.image ?? '', abs);
  if (typeof base === 'string') errors.push(diagnosticAt(raw, ['image'], 'Invalid value', base));
  const outputs: OutputTarget[] = [];
  const outs = c.output === undefined ? [`oci:output-${ctx.sourceFullName.split('.').pop() ?? 'container'}`] : typeof c.output === 'string' ? [c.output] : c.output;
  outs.forEach((o, i) => {
    const t = parseOutput(o, (p) => (path.isAbsolute(p) ? p : path.resolve(p)));
    if (typeof t === 'string') errors.push(diagnosticAt(raw, typeof c.output === 'string' ? ['output'] : ['output', i], 'Invalid value', t));
    else outputs.push(t);
  });
  const mounts: MountSpec[] = (c.mounts ?? []).map((m) => {
    const out: MountSpec = { source: m.type === undefined || m.type === 'bind' ? abs(m.source) : m.source, destination: m.destination };
    if (m.type !== undefined) out.type = m.type;
    if (m.options !== undefined) out.options = m.options;
    if (m.readonly !== undefined) out.readonly = m.readonly;
    return out;
  });
  for (const [host, dest] of Object.entries(c.volumes ?? {})) mounts.push({ source: abs(host), destination: dest });
  const common = commonParts(raw, c, errors);
  const imageConfig: ContainerConfig = {};
  if (c.config) {
    const k = c.config;
    if (k.cmd) imageConfig.Cmd = k.cmd;
    if (k.entrypoint) imageConfig.Entrypoint = k.entrypoint;
    if (k.env) imageConfig.Env = Object.entries(k.env).map(([a, b]) => `${a}=${b}`);
    if (k.exposed_ports) imageConfig.ExposedPorts = Object.fromEntries(k.exposed_ports.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]));
    if (k.labels) imageConfig.Labels = k.labels;
    if (k.user !== undefined) imageConfig.User = k.user;
    if (k.workdir !== undefined) imageConfig.WorkingDir = k.workdir;
    if (k.volumes) imageConfig.Volumes = Object.fromEntries(k.volumes.map((p) => [p, {}]));
    if (k.stop_signal !== undefined) imageConfig.StopSignal = k.stop_signal;
  }
  if (errors.length > 0 || typeof base === 'string') return { config: null, warnings: prepared.warnings, errors };
  return {
    config: {
      flavour: 'container',
      base,
      ...common,
      network: c.network ?? 'host',
      user: c.user ?? null,
      workdir: c.workdir ?? null,
      env: Object.entries(c.env ?? {}).map(([a, b]) => `${a}=${b}`),
      mounts,
      squash: c.squash ?? false,
      imageConfig,
      annotations: c.annotations ?? {},
      outputs,
      discard: false,
      exportPath: null,
      login: null,
    },
    warnings: prepared.warnings,
    errors: [],
  };
}

export function prepareDocker(raw: RawConfig, ctx: PrepareContext): Prepared<ContainerBuildConfig> {
  const prepared = prepareConfig(dockerSchema, raw, { ignored: DOCKER_IGNORED });
  const errors: Diagnostic[] = [...prepared.errors];
  const v = raw.values;
  const modes = (['commit', 'discard', 'export_path'] as const).filter((k) => v[k] !== undefined && v[k] !== false);
  if (modes.length !== 1) {
    errors.push(
      modes.length === 0
        ? { severity: 'error', summary: 'Missing required argument', detail: 'One of commit, discard or export_path must be set.', subject: raw.blockRange }
        : diagnosticAt(raw, [modes[1] ?? 'commit'], 'Conflicting arguments', 'Only one of commit, discard or export_path can be set.'),
    );
  }
  if (v['login'] === true && (v['login_username'] === undefined || v['login_password'] === undefined)) {
    errors.push(diagnosticAt(raw, ['login'], 'Missing required argument', 'login needs login_username and login_password (and login_server for a registry other than Docker Hub).'));
  }
  const c = prepared.config;
  if (!c || errors.length > 0) return { config: null, warnings: prepared.warnings, errors };
  const abs = (p: string): string => (path.isAbsolute(p) ? p : path.resolve(ctx.templateDir, p));
  const base = parseImage(c.image, abs);
  if (typeof base === 'string') errors.push(diagnosticAt(raw, ['image'], 'Invalid value', base));
  const outputs: OutputTarget[] = [];
  if (c.commit) {
    const outs = c.output === undefined ? [`oci:output-${ctx.sourceFullName.split('.').pop() ?? 'docker'}`] : typeof c.output === 'string' ? [c.output] : c.output;
    for (const o of outs) {
      const t = parseOutput(o, (p) => (path.isAbsolute(p) ? p : path.resolve(p)));
      if (typeof t === 'string') errors.push(diagnosticAt(raw, ['output'], 'Invalid value', t));
      else outputs.push(t);
    }
  }
  const common = commonParts(raw, c, errors);
  if (errors.length > 0 || typeof base === 'string') return { config: null, warnings: prepared.warnings, errors };
  return {
    config: {
      flavour: 'docker',
      base,
      ...common,
      network: 'host',
      // Packer's docker builder runs provisioners as exec_user, else as run_command's user.
      // run_command itself is dropped from c (an ignored key): read its raw value.
      user: c.exec_user ?? runCommandUser(Array.isArray(v['run_command']) ? v['run_command'].map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : '')) : []),
      workdir: null,
      env: [],
      mounts: Object.entries(c.volumes ?? {}).map(([host, dest]) => ({ source: abs(host), destination: dest })),
      squash: false,
      imageConfig: {},
      annotations: {},
      outputs,
      discard: c.discard ?? false,
      exportPath: c.export_path === undefined ? null : path.resolve(c.export_path),
      login:
        c.login && c.login_username !== undefined && c.login_password !== undefined
          ? { server: c.login_server ?? 'docker.io', username: c.login_username, password: c.login_password }
          : null,
    },
    warnings: prepared.warnings,
    errors: [],
  };
}

type CommonKeys = 'pull' | 'platform' | 'runtime' | 'privileged' | 'capAdd' | 'exclude' | 'changes' | 'sourceDateEpoch' | 'compression' | 'author' | 'message' | 'fixUploadOwner';

function commonParts(raw: RawConfig, c: z.output<z.ZodObject<typeof common>>, errors: Diagnostic[]): Pick<ContainerBuildConfig, CommonKeys> {
  (c.changes ?? []).forEach((line, i) => {
    const err = applyChange({}, line);
    if (err !== null) errors.push(diagnosticAt(raw, ['changes', i], 'Invalid change', err));
  });
  let platform: Platform | null = null;
  if (c.platform !== undefined) {
    if (!/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(c.platform)) errors.push(diagnosticAt(raw, ['platform'], 'Invalid value', `"${c.platform}" is not os/arch[/variant], e.g. linux/amd64.`));
    else platform = parsePlatform(c.platform);
  }
  return {
    pull: c.pull ?? true,
    platform,
    runtime: c.runtime ?? 'runc',
    privileged: c.privileged ?? false,
    capAdd: c.cap_add ?? [],
    exclude: c.exclude ?? [],
    changes: c.changes ?? [],
    sourceDateEpoch: c.source_date_epoch ?? null,
    compression: c.compression ?? 'gzip',
    author: c.author ?? null,
    message: c.message ?? null,
    // Packer's default: uploads belong to the user the container runs as.
    fixUploadOwner: c.fix_upload_owner ?? true,
  };
}

/**
 * The user `docker run` would run as with these run_command arguments: the last
 * `-u X`, `-uX`, `--user X` or `--user=X` before the image (`{{ .Image }}`), else null.
 */
export function runCommandUser(args: readonly string[]): string | null {
  let user: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (/\{\{\s*\.Image\s*\}\}/.test(a) || a === '--') break;
    if (a === '-u' || a === '--user') {
      const next = args[i + 1];
      if (next !== undefined) user = next;
      i++;
    } else if (a.startsWith('--user=')) user = a.slice('--user='.length);
    else if (/^-u[^-]/.test(a)) user = a.slice(2).replace(/^=/, '');
  }
  return user === '' ? null : user;
}

function bootstrapOptions(b: z.output<typeof bootstrapSchema>): BootstrapOptions {
  const o: BootstrapOptions = { suite: b.suite };
  if (b.variant !== undefined) o.variant = b.variant;
  if (b.packages !== undefined) o.packages = b.packages;
  if (b.mirror !== undefined) o.mirror = b.mirror;
  if (b.architecture !== undefined) o.architecture = b.architecture;
  if (b.components !== undefined) o.components = b.components;
  return o;
}

/** `image` forms; returns an error message for a malformed one. */
export function parseImage(image: string, abs: (p: string) => string): BaseSource | string {
  if (image === 'scratch') return { kind: 'scratch' };
  const m = /^(oci-layout|oci-archive|docker-archive|rootfs):(.+)$/.exec(image);
  if (m) {
    const kind = m[1] as 'oci-layout' | 'oci-archive' | 'docker-archive' | 'rootfs';
    const [p, ref] = splitRef(m[2] ?? '');
    if (p === '') return `${kind}: needs a path, e.g. ${kind}:./base`;
    if (kind === 'rootfs') return { kind, path: abs(m[2] ?? '') };
    return ref === undefined ? { kind, path: abs(p) } : { kind, path: abs(p), ref };
  }
  if (image === '' || /\s/.test(image)) return `"${image}" is not an image reference`;
  return { kind: 'registry', ref: image };
}

export function parseOutput(o: string, abs: (p: string) => string): OutputTarget | string {
  const m = /^(oci|oci-archive|docker-archive):(.+)$/.exec(o);
  if (m) {
    const kind = m[1] as 'oci' | 'oci-archive' | 'docker-archive';
    const [p, tag] = splitRef(m[2] ?? '');
    if (p === '') return `${kind}: needs a path`;
    return tag === undefined ? { kind, path: abs(p) } : { kind, path: abs(p), tag };
  }
  if (o === '' || /\s/.test(o)) return `"${o}" is not an output: use oci:PATH[:tag], oci-archive:PATH, docker-archive:PATH[:tag] or a registry reference`;
  return { kind: 'registry', ref: o };
}

/** `path[:ref]` split at the first ':', as skopeo reads `oci:` and `docker-archive:` names. */
function splitRef(s: string): [string, string | undefined] {
  const i = s.indexOf(':');
  if (i <= 0) return [s, undefined];
  const ref = s.slice(i + 1);
  return ref === '' ? [s.slice(0, i), undefined] : [s.slice(0, i), ref];
}
