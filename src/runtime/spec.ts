// OCI runtime config.json for a build container, modelled on what Docker gives a
// `docker run` container: its default capability set (runc fails on this machine without
// exactly that), the same masked and read-only /proc paths, /dev as tmpfs with devpts, shm
// and mqueue, /sys read-only, and the host's resolv.conf and hosts when sharing its network.
import { BuildError } from '../core/errors.js';
import { DEFAULT_HOSTNAME, type HostFiles } from './host-files.js';
import type { ContainerSpec, MountSpec } from './types.js';
import type { ResolvedUser } from './user.js';

/** Docker's default capability set (moby/oci/caps/defaults.go). */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux 5.9+ knows, for `privileged`. */
export const ALL_CAPS: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Normalises `cap_add` entries: `net_admin`, `CAP_NET_ADMIN`, `ALL`. Throws on unknown names. */
export function capabilities(spec: Pick<ContainerSpec, 'privileged' | 'capAdd'>): string[] {
  if (spec.privileged) return [...ALL_CAPS];
  const set = new Set(DOCKER_DEFAULT_CAPS);
  for (const raw of spec.capAdd ?? []) {
    const up = raw.toUpperCase();
    if (up === 'ALL') return [...ALL_CAPS];
    const name = up.startsWith('CAP_') ? up : `CAP_${up}`;
    if (!ALL_CAPS.includes(name)) {
      throw new BuildError(`cap_add ${raw}: unknown capability; use a name from capabilities(7) such as NET_ADMIN`);
    }
    set.add(name);
  }
  return [...set];
}

export interface ProcessJson {
  terminal: false;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
  noNewPrivileges: boolean;
}

/** The `process` object, shared by config.json (init) and `runc exec --process`. */
export function processJson(
  spec: ContainerSpec,
  user: ResolvedUser,
  args: string[],
  extra: { env?: Record<string, string>; cwd?: string } = {},
): ProcessJson {
  const caps = capabilities(spec);
  return {
    terminal: false,
    user: user.additionalGids.length > 0 ? { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } : { uid: user.uid, gid: user.gid },
    args,
    env: mergeEnv(spec.env, user, extra.env),
    cwd: extra.cwd ?? spec.cwd ?? '/',
    capabilities: {
      bounding: caps,
      effective: user.uid === 0 ? caps : [],
      permitted: caps,
      inheritable: [],
      ambient: [],
    },
    noNewPrivileges: false,
  };
}

/** Image env, then PATH/HOME defaults Docker adds when missing, then per-command env. */
export function mergeEnv(base: readonly string[], user: ResolvedUser, extra: Record<string, string> = {}): string[] {
  const out = new Map<string, string>();
  for (const kv of base) {
    const i = kv.indexOf('=');
    if (i > 0) out.set(kv.slice(0, i), kv.slice(i + 1));
  }
  if (!out.has('PATH')) out.set('PATH', DEFAULT_PATH);
  if (!out.has('HOME')) out.set('HOME', user.home);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return [...out].map(([k, v]) => `${k}=${v}`);
}

/** The whole config.json for `runc run`/`crun run`. */
export function runtimeConfig(spec: ContainerSpec, user: ResolvedUser, initArgs: string[], host: HostFiles): Record<string, unknown> {
  const namespaces: { type: string }[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (spec.network === 'none') namespaces.push({ type: 'network' });
  const mounts: MountSpec[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // sysfs cannot be mounted without owning the network namespace; bind the host's instead.
    spec.network === 'none'
      ? { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', spec.privileged ? 'rw' : 'ro'] }
      : { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', spec.privileged ? 'rw' : 'ro'] },
  ];
  if (host.resolvConf !== undefined) mounts.push({ destination: '/etc/resolv.conf', type: 'bind', source: host.resolvConf, options: ['bind', 'ro'] });
  if (host.hosts !== undefined) mounts.push({ destination: '/etc/hosts', type: 'bind', source: host.hosts, options: ['bind', 'ro'] });
  for (const m of spec.mounts ?? []) mounts.push(userMount(m));
  return {
    ociVersion: '1.0.2',
    process: processJson(spec, user, initArgs),
    root: { path: spec.rootfs, readonly: false },
    hostname: spec.hostname ?? DEFAULT_HOSTNAME,
    mounts: mounts.map((m) => ({ destination: m.destination, type: m.type ?? 'bind', source: m.source, options: m.options ?? [] })),
    linux: {
      namespaces,
      resources: {
        devices: spec.privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', access: 'm' }, { allow: true, type: 'b', access: 'm' }],
      },
      ...(spec.privileged ? {} : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    },
  };
}

function userMount(m: MountSpec): MountSpec {
  if (!m.destination.startsWith('/')) {
    throw new BuildError(`mount ${m.source}:${m.destination}: the container path must be absolute`);
  }
  const type = m.type ?? 'bind';
  const options = [...(m.options ?? [])];
  if (type === 'bind' && !options.includes('bind') && !options.includes('rbind')) options.unshift('rbind');
  if (m.readonly && !options.includes('ro')) options.push('ro');
  return { source: m.source, destination: m.destination, type, options };
}
