// Config validation of the container and docker builders, and Docker-style `changes`.
import { rawConfig, lineOf } from '../../src/core/testing.js';
import type { ContainerConfig } from '../../src/oci/image.js';
import { applyChange } from './changes.js';
import { prepareContainer, prepareDocker, runCommandUser } from './config.js';

const ctx = { templateDir: '/tpl', sourceFullName: 'container.app', buildName: '' };

describe('container builder config', () => {
  it('normalises image forms, outputs and defaults', () => {
    const p = prepareContainer(rawConfig({ image: 'oci-layout:base:v1', output: ['oci:/out:v2', 'docker-archive:/x.tar:repo/name:tag', 'registry.local:5000/app:1'] }), ctx);
    expect(p.errors).toEqual([]);
    expect(p.config?.base).toEqual({ kind: 'oci-layout', path: '/tpl/base', ref: 'v1' });
    expect(p.config?.outputs).toEqual([
      { kind: 'oci', path: '/out', tag: 'v2' },
      { kind: 'docker-archive', path: '/x.tar', tag: 'repo/name:tag' },
      { kind: 'registry', ref: 'registry.local:5000/app:1' },
    ]);
    expect(p.config).toMatchObject({ runtime: 'runc', network: 'host', pull: true, squash: false, compression: 'gzip', sourceDateEpoch: null });
  });

  it('takes a bootstrap block instead of an image', () => {
    const p = prepareContainer(rawConfig({ bootstrap: { suite: 'bookworm', packages: ['curl'] }, output: 'oci:/o' }), ctx);
    expect(p.errors).toEqual([]);
    expect(p.config?.base).toEqual({ kind: 'bootstrap', options: { suite: 'bookworm', packages: ['curl'] } });
  });

  it('reports every problem at once at its key', () => {
    const raw = rawConfig({ image: 'x', bootstrap: { suite: 'bookworm' }, runtime: 'podman', changes: ['RUN apt-get update'], platform: 'amd64' });
    const p = prepareContainer(raw, ctx);
    expect(p.config).toBeNull();
    const lines = p.errors.map((e) => e.subject?.start.line);
    expect(lines).toEqual(expect.arrayContaining([lineOf(raw, 'runtime'), lineOf(raw, 'bootstrap')]));
  });

  it('rejects unknown keys', () => {
    const p = prepareContainer(rawConfig({ image: 'debian', imagee: 'x' }), ctx);
    expect(p.errors.map((e) => e.summary)).toEqual(['Unsupported argument']);
  });
});

describe('docker builder config (Packer keys)', () => {
  it('maps commit, changes, volumes and warns about run_command', () => {
    const p = prepareDocker(rawConfig({ image: 'debian:bookworm', commit: true, changes: ['ENV A=1'], volumes: { '/host': '/mnt' }, run_command: ['-d', '{{.Image}}'] }), ctx);
    expect(p.errors).toEqual([]);
    expect(p.warnings.map((w) => w.detail)).toEqual(['run_command is ignored apart from -u/--user (the build user): the daemonless builder starts its own build container.']);
    expect(p.config).toMatchObject({ flavour: 'docker', base: { kind: 'registry', ref: 'debian:bookworm' }, changes: ['ENV A=1'], mounts: [{ source: '/host', destination: '/mnt' }], user: null });
    expect(p.config?.outputs[0]).toMatchObject({ kind: 'oci' });
  });

  it('takes the build user from run_command (-u/--user), exec_user first', () => {
    const user = (run_command: string[], extra: Record<string, unknown> = {}): string | null | undefined =>
      prepareDocker(rawConfig({ image: 'ubuntu', discard: true, run_command, ...extra }), ctx).config?.user;
    expect(user(['-d', '-i', '-t', '-u', '42', '{{ .Image }}', '/bin/sh'])).toBe('42');
    expect(user(['-d', '--user', '42', '{{.Image}}'])).toBe('42');
    expect(user(['--user=42:42', '-d', '{{.Image}}'])).toBe('42:42');
    expect(user(['-u1000', '{{.Image}}'])).toBe('1000');
    expect(user(['-d', '{{.Image}}', '/bin/sh', '-u', '7'])).toBeNull();
    expect(user(['-u', '42', '{{.Image}}'], { exec_user: 'app' })).toBe('app');
    expect(runCommandUser([])).toBeNull();
  });

  it('needs exactly one of commit, discard, export_path', () => {
    expect(prepareDocker(rawConfig({ image: 'x' }), ctx).errors.map((e) => e.detail)).toEqual(['One of commit, discard or export_path must be set.']);
    expect(prepareDocker(rawConfig({ image: 'x', commit: true, discard: true }), ctx).errors.map((e) => e.summary)).toEqual(['Conflicting arguments']);
    const d = prepareDocker(rawConfig({ image: 'x', discard: true }), ctx);
    expect(d.config).toMatchObject({ discard: true, outputs: [] });
  });
});

describe('changes', () => {
  const apply = (lines: string[], base: ContainerConfig = {}): ContainerConfig => {
    const c = structuredClone(base);
    for (const l of lines) expect(applyChange(c, l)).toBeNull();
    return c;
  };

  it('parses exec and shell forms, ENV forms, EXPOSE, LABEL, VOLUME like Docker', () => {
    expect(
      apply([
        'CMD ["nginx", "-g", "daemon off;"]',
        'ENTRYPOINT /entry.sh --flag',
        'CMD run',
        'ENV A=1 B="two words" C=it\\ is',
        'ENV LEGACY some value',
        'EXPOSE 80 53/udp',
        'LABEL version="1.0" maintainer=me',
        'VOLUME ["/data", "/logs"]',
        'USER www-data',
        'WORKDIR /app',
        'WORKDIR sub',
        'STOPSIGNAL SIGQUIT',
        'ONBUILD RUN make',
      ]),
    ).toEqual({
      Entrypoint: ['/bin/sh', '-c', '/entry.sh --flag'],
      Cmd: ['/bin/sh', '-c', 'run'],
      Env: ['A=1', 'B=two words', 'C=it is', 'LEGACY=some value'],
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Labels: { version: '1.0', maintainer: 'me' },
      Volumes: { '/data': {}, '/logs': {} },
      User: 'www-data',
      WorkingDir: '/app/sub',
      StopSignal: 'SIGQUIT',
      OnBuild: ['RUN make'],
    });
  });

  it('replaces an inherited variable and resets CMD when ENTRYPOINT changes', () => {
    expect(apply(['ENV PATH=/x', 'ENTRYPOINT ["/e"]'], { Env: ['PATH=/usr/bin', 'K=v'], Cmd: ['old'] })).toEqual({ Env: ['PATH=/x', 'K=v'], Entrypoint: ['/e'] });
  });

  it('names what is wrong', () => {
    expect(applyChange({}, 'RUN make')).toBe('RUN is not supported in changes; use one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL, ONBUILD');
    expect(applyChange({}, 'EXPOSE http')).toBe('EXPOSE: "http" is not a port such as 80 or 53/udp');
    expect(applyChange({}, 'LABEL a="unterminated')).toBe('LABEL: unterminated " quote');
  });
});
