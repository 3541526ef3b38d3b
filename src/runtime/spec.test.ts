// The OCI config.json we hand runc/crun: Docker's defaults, network modes, privileged.
import { hostsNaming } from './host-files.js';
import { capabilities, runtimeConfig, DOCKER_DEFAULT_CAPS, ALL_CAPS } from './spec.js';
import type { ContainerSpec } from './types.js';

const root = { uid: 0, gid: 0, additionalGids: [], home: '/root' };
const spec = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ id: 'x', rootfs: '/r', bundleDir: '/b', network: 'host', env: ['A=1'], ...extra });

type Cfg = { linux: { namespaces: { type: string }[]; maskedPaths?: string[] }; mounts: { destination: string; type: string; source: string; options: string[] }[]; process: { env: string[]; capabilities: { bounding: string[] } } };

describe('runtime config', () => {
  it('shares the host network with private resolv.conf/hosts copies, Docker caps and masked paths', () => {
    const c = runtimeConfig(spec(), root, ['/bin/sh'], { resolvConf: '/b/resolv.conf', hosts: '/b/hosts' }) as unknown as Cfg;
    expect(c.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount']);
    expect(c.mounts.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/etc/resolv.conf', '/etc/hosts']);
    expect(c.mounts.find((m) => m.destination === '/etc/resolv.conf')).toEqual({ destination: '/etc/resolv.conf', type: 'bind', source: '/b/resolv.conf', options: ['bind', 'ro'] });
    expect(c.process.capabilities.bounding).toEqual(DOCKER_DEFAULT_CAPS);
    expect(c.process.env).toEqual(['A=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root']);
    expect(c.linux.maskedPaths).toContain('/proc/kcore');
  });

  it('gives network "none" its own network namespace and sysfs, without host files', () => {
    const c = runtimeConfig(spec({ network: 'none' }), root, ['/bin/sh'], {}) as unknown as Cfg;
    expect(c.linux.namespaces.map((n) => n.type)).toContain('network');
    expect(c.mounts.find((m) => m.destination === '/sys')?.type).toBe('sysfs');
    expect(c.mounts.some((m) => m.destination === '/etc/resolv.conf')).toBe(false);
  });

  it('adds a line naming the hostname to a hosts file that lacks one, and leaves one that has it', () => {
    expect(hostsNaming('127.0.0.1\tlocalhost\n', 'imgbuild')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\timgbuild\n');
    expect(hostsNaming('127.0.0.1 localhost\n10.0.0.5 web imgbuild # me\n', 'imgbuild')).toBe('127.0.0.1 localhost\n10.0.0.5 web imgbuild # me\n');
    expect(hostsNaming('# imgbuild\n127.0.0.1 localhost', 'imgbuild')).toBe('# imgbuild\n127.0.0.1 localhost\n127.0.1.1\timgbuild\n');
  });

  it('adds user mounts as rbinds and honours privileged', () => {
    const c = runtimeConfig(spec({ privileged: true, mounts: [{ source: '/src', destination: '/mnt', readonly: true }] }), root, ['/bin/sh'], {}) as unknown as Cfg;
    expect(c.mounts.at(-1)).toEqual({ destination: '/mnt', type: 'bind', source: '/src', options: ['rbind', 'ro'] });
    expect(c.process.capabilities.bounding).toEqual(ALL_CAPS);
    expect(c.linux.maskedPaths).toBeUndefined();
  });

  it('normalises cap_add and rejects unknown capabilities', () => {
    expect(capabilities({ capAdd: ['net_admin', 'CAP_SYS_PTRACE'] })).toEqual([...DOCKER_DEFAULT_CAPS, 'CAP_NET_ADMIN', 'CAP_SYS_PTRACE']);
    expect(capabilities({ capAdd: ['all'] })).toEqual(ALL_CAPS);
    expect(() => capabilities({ capAdd: ['FLY'] })).toThrow('cap_add FLY: unknown capability; use a name from capabilities(7) such as NET_ADMIN');
  });
});
