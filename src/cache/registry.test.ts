// The shared cache against the real docker-registry (distribution 2.8) on 127.0.0.1.
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../test/helpers/registry.js';
import { writeLayerFromDir } from '../oci/layer-writer.js';
import { tempDir, writeTree } from '../oci/test-util.js';
import type { CacheEntry } from './entry.js';
import { LocalStepCache } from './local.js';
import { RegistryStepCache } from './registry.js';

let reg: TestRegistry;
let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(async () => reg.stop());
beforeEach(async () => {
  tmp = await tempDir('imgbuild-cache-reg-');
});
afterEach(async () => tmp.cleanup());

function entry(key: string, layer: CacheEntry['layer']): CacheEntry {
  const t = new Date(0).toISOString();
  return { version: 1, key, provisioner: 'file', label: 'upload', layer, history: { created_by: 'imgbuild file: a -> /a' }, createdAt: t, lastUsed: t };
}

describe('RegistryStepCache', () => {
  it('pushes an entry and another machine pulls it into its own store', async () => {
    const a = new LocalStepCache(join(tmp.path, 'a'));
    await writeTree(join(tmp.path, 'tree'), { 'srv/data': 'payload'.repeat(1000) });
    const l = await writeLayerFromDir(join(tmp.path, 'tree'), { sourceDateEpoch: 0, compression: 'gzip', store: a.blobs });
    const e = entry('1'.repeat(64), { mediaType: l.mediaType, digest: l.digest, size: l.size, diffId: l.diffId });
    await a.put(e);
    const remote = new RegistryStepCache(`${reg.host}/cache`);
    await remote.push(e, a);

    const b = new LocalStepCache(join(tmp.path, 'b'));
    expect(await b.get(e.key)).toBeNull();
    const got = await remote.fetch(e.key, b);
    expect(got?.layer).toEqual(e.layer);
    expect(got?.pulledFrom).toBe(`${reg.host}/cache`);
    expect(await b.blobs.has(l.digest)).toBe(true);
    expect((await b.get(e.key))?.key).toBe(e.key);
  });

  it('stores an empty step as an artifact without layers', async () => {
    const a = new LocalStepCache(join(tmp.path, 'a'));
    const e = entry('2'.repeat(64), null);
    await a.put(e);
    const remote = new RegistryStepCache(`${reg.host}/cache`);
    await remote.push(e, a);
    expect((await remote.fetch(e.key, new LocalStepCache(join(tmp.path, 'c'))))?.layer).toBeNull();
  });

  it('a key nobody pushed is a miss', async () => {
    const remote = new RegistryStepCache(`${reg.host}/cache`);
    expect(await remote.fetch('3'.repeat(64), new LocalStepCache(join(tmp.path, 'd')))).toBeNull();
  });

  it('refuses a reference with a tag', () => {
    expect(() => new RegistryStepCache(`${reg.host}/cache:v1`)).toThrow(/without a tag/);
  });
});
