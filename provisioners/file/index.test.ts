// The file provisioner's Packer directory rules, through the real container communicator
// over a plain directory standing in for the build's merged overlay.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContainerCommunicator } from '../../src/communicators/container/index.js';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { ProvisionContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { fileProvisioner } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-file-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const prepCtx = { templateDir: dir, sourceFullName: 'container.app', buildName: '' };
const root = path.join(dir, 'rootfs');
mkdirSync(path.join(root, 'etc'), { recursive: true });
mkdirSync(path.join(dir, 'site/css'), { recursive: true });
writeFileSync(path.join(dir, 'site/index.html'), '<h1>hi</h1>');
writeFileSync(path.join(dir, 'site/css/a.css'), 'a{}');
writeFileSync(path.join(dir, 'motd'), 'welcome\n');

const comm = new ContainerCommunicator({ rootfs: root, container: () => Promise.reject(new Error('no container needed')) });

async function run(values: ValueObject): Promise<void> {
  const p = fileProvisioner.prepare(rawConfig(values), prepCtx);
  expect(p.errors).toEqual([]);
  if (!p.config) throw new Error('no config');
  const ctx: ProvisionContext = {
    signal: new AbortController().signal,
    ui: makeUi('container.app', new MemorySink()),
    comm,
    generated: {},
    build: { buildName: '', sourceFullName: 'container.app', sourceType: 'container', sourceName: 'app', runId: 'r', templateDir: dir },
  };
  await fileProvisioner.provision(ctx, p.config);
}

describe('file provisioner', () => {
  it('uploads a file to a path, or into a directory when the destination ends with /', async () => {
    await run({ source: 'motd', destination: '/etc/motd' });
    await run({ source: 'motd', destination: '/usr/share/doc/' });
    expect(readFileSync(path.join(root, 'etc/motd'), 'utf8')).toBe('welcome\n');
    expect(readFileSync(path.join(root, 'usr/share/doc/motd'), 'utf8')).toBe('welcome\n');
  });

  it('uploads "dir" into an existing directory as a directory and "dir/" as its contents', async () => {
    mkdirSync(path.join(root, 'var/www'), { recursive: true });
    await run({ source: 'site', destination: '/var/www' });
    await run({ source: 'site/', destination: '/srv/web' });
    expect(readFileSync(path.join(root, 'var/www/site/css/a.css'), 'utf8')).toBe('a{}');
    expect(readFileSync(path.join(root, 'srv/web/index.html'), 'utf8')).toBe('<h1>hi</h1>');
    expect(existsSync(path.join(root, 'srv/web/site'))).toBe(false);
  });

  it('writes content, and downloads files and directories back', async () => {
    await run({ content: 'generated\n', destination: '/etc/generated.conf' });
    await run({ source: '/etc/generated.conf', destination: 'back/', direction: 'download' });
    await run({ source: '/var/www/site/', destination: 'back/site', direction: 'download' });
    expect(readFileSync(path.join(dir, 'back/generated.conf'), 'utf8')).toBe('generated\n');
    expect(readFileSync(path.join(dir, 'back/site/css/a.css'), 'utf8')).toBe('a{}');
  });

  it('names a missing source and suggests generated', async () => {
    await expect(run({ source: 'nope', destination: '/x' })).rejects.toThrow(/file: source .*nope: .*ENOENT.*set generated = true/);
  });

  it('reports conflicting and invalid keys at once', () => {
    const raw = rawConfig({ source: 'a', content: 'b', sources: ['x', 'y'], destination: '/no-slash' });
    const p = fileProvisioner.prepare(raw, prepCtx);
    expect(p.errors.map((e) => [e.summary, e.subject?.start.line])).toEqual([
      ['Conflicting arguments', lineOf(raw, 'sources')],
      ['Invalid value', lineOf(raw, 'destination')],
    ]);
  });

  it('is never cached when downloading to this machine', async () => {
    const p = fileProvisioner.prepare(rawConfig({ source: '/etc/x', destination: 'x', direction: 'download' }), prepCtx);
    expect(await fileProvisioner.cacheInputs?.(p.config as never, dir)).toBeNull();
  });

  it('keys the cache on the uploaded tree, not on mtimes', async () => {
    const p = fileProvisioner.prepare(rawConfig({ source: 'site', destination: '/x' }), prepCtx);
    const a = await fileProvisioner.cacheInputs?.(p.config as never, dir);
    writeFileSync(path.join(dir, 'site/index.html'), '<h1>hi</h1>');
    expect(await fileProvisioner.cacheInputs?.(p.config as never, dir)).toEqual(a);
    writeFileSync(path.join(dir, 'site/index.html'), '<h1>changed</h1>');
    expect(await fileProvisioner.cacheInputs?.(p.config as never, dir)).not.toEqual(a);
  });
});
