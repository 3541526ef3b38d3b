// Against the real docker-registry (distribution 2.8) started on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startRegistry, type TestRegistry } from '../../../test/helpers/registry.js';
import { addLayer, newImageConfig } from '../config.js';
import { sha256 } from '../digest.js';
import { OciLayout, type ResolvedImage } from '../layout.js';
import { writeLayerFromDir } from '../layer-writer.js';
import { MediaType } from '../media-types.js';
import { sh, tempDir, writeTree } from '../test-util.js';
import { RegistryClient } from './client.js';
import { parseReference } from './reference.js';

const EPOCH = 1700000000;
const USER = { username: 'builder', password: 's3cret' };
let tmp: { path: string; cleanup: () => Promise<void> };
let image: ResolvedImage;

beforeAll(async () => {
  tmp = await tempDir();
  const layout = await OciLayout.create(join(tmp.path, 'src'));
  const tree = join(tmp.path, 'tree');
  await writeTree(tree, { 'etc/os-release': 'ID=test\n', 'data/blob.bin': randomBytes(300_000).toString('base64') });
  const l = await writeLayerFromDir(tree, { sourceDateEpoch: EPOCH, compression: 'gzip', store: layout.blobs });
  const cfg = addLayer(newImageConfig({ sourceDateEpoch: EPOCH }), l.diffId, { createdBy: 'test', sourceDateEpoch: EPOCH });
  await layout.writeImage({ config: cfg, layers: [{ mediaType: l.mediaType, digest: l.digest, size: l.size }], refName: 'v1' });
  image = await layout.resolve('v1');
});
afterAll(async () => tmp.cleanup());

async function pullInto(name: string, client: RegistryClient, ref: string) {
  const layout = await OciLayout.create(join(tmp.path, name));
  const r = await client.pull(parseReference(ref), layout, { refName: 'pulled' });
  return { r, layout };
}

describe.each([
  ['no auth', undefined],
  ['basic auth', 'basic' as const],
  ['token auth', 'token' as const],
])('registry with %s', (label, kind) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry(kind ? { auth: { kind, ...USER } } : {});
  });
  afterAll(async () => reg.stop());
  const creds = (): Record<string, typeof USER> => ({ [reg.host]: USER });

  test('push then pull gives identical digests and blobs', async () => {
    const ref = `${reg.host}/team/app:v1`;
    const pushed = await new RegistryClient({ credentials: creds() }).push(image, parseReference(ref));
    expect(pushed).toBe(image.manifestDescriptor.digest);
    const { r, layout } = await pullInto(`pulled-${label}`, new RegistryClient({ credentials: creds() }), ref);
    expect(r.manifestDescriptor.digest).toBe(pushed);
    const back = await layout.resolve('pulled');
    expect(back.manifestBytes.equals(image.manifestBytes)).toBe(true);
    for (const l of image.manifest.layers) expect(sha256(await back.blobs.read(l.digest))).toBe(l.digest);
    if (kind === 'token') expect(reg.tokenRequests.some((q) => q.includes('scope=repository%3Ateam%2Fapp%3Apull%2Cpush'))).toBe(true);
    if (kind !== 'token') {
      // An independent client sees the same manifest.
      const args = ['inspect', '--tls-verify=false', ...(kind ? ['--creds', `${USER.username}:${USER.password}`] : []), `docker://${ref}`];
      expect((JSON.parse(sh('skopeo', args)) as { Digest: string }).Digest).toBe(pushed);
    }
  });

  test('a second push of the same image skips existing blobs and is idempotent', async () => {
    const ref = parseReference(`${reg.host}/team/app:v2`);
    const c = new RegistryClient({ credentials: creds(), chunkSize: 64 * 1024 });
    expect(await c.push(image, ref)).toBe(image.manifestDescriptor.digest);
    expect(await c.push(image, parseReference(`${reg.host}/other/app:v1`))).toBe(image.manifestDescriptor.digest);
  });

  test('an unknown image names the reference', async () => {
    await expect(pullInto(`unknown-${label}`, new RegistryClient({ credentials: creds() }), `${reg.host}/foo:bar`)).rejects.toThrow(
      `manifest unknown: ${reg.host}/foo:bar`,
    );
  });

  if (kind) {
    test('wrong credentials fail with what was tried', async () => {
      const c = new RegistryClient({ credentials: { [reg.host]: { username: USER.username, password: 'wrong' } } });
      const err =
        kind === 'basic'
          ? `authentication failed for ${reg.host} (basic auth, scope repository:team/app:pull): tried user "builder" from template login settings`
          : `authentication failed for ${reg.host}: token server 127.0.0.1:`;
      await expect(pullInto(`bad-${label}`, c, `${reg.host}/team/app:v1`)).rejects.toThrow(err);
    });

    test('credentials come from $DOCKER_CONFIG/config.json', async () => {
      const dir = join(tmp.path, `docker-config-${kind}`);
      await mkdir(dir, { recursive: true });
      const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64');
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${reg.host}`]: { auth } } }));
      const saved = process.env['DOCKER_CONFIG'];
      process.env['DOCKER_CONFIG'] = dir;
      try {
        await new RegistryClient().push(image, parseReference(`${reg.host}/cfg/app:v1`));
        const { r } = await pullInto(`cfg-${kind}`, new RegistryClient(), `${reg.host}/cfg/app:v1`);
        expect(r.manifestDescriptor.digest).toBe(image.manifestDescriptor.digest);
      } finally {
        if (saved === undefined) delete process.env['DOCKER_CONFIG'];
        else process.env['DOCKER_CONFIG'] = saved;
      }
    });

    test('anonymous access is refused with a hint about credentials', async () => {
      const saved = process.env['DOCKER_CONFIG'];
      process.env['DOCKER_CONFIG'] = join(tmp.path, 'no-such-dir');
      try {
        await expect(pullInto(`anon-${kind}`, new RegistryClient(), `${reg.host}/team/app:v1`)).rejects.toThrow(
          'tried anonymous access (no credentials in the template or ~/.docker/config.json)',
        );
      } finally {
        if (saved === undefined) delete process.env['DOCKER_CONFIG'];
        else process.env['DOCKER_CONFIG'] = saved;
      }
    });
  }

  if (!kind) {
    test('an index is resolved by platform, and a missing platform lists the available ones', async () => {
      const c = new RegistryClient();
      const repo = parseReference(`${reg.host}/multi/app:v1`);
      await c.push(image, repo);
      const index = {
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          { ...image.manifestDescriptor, platform: { os: 'linux', architecture: 'amd64' } },
          { ...image.manifestDescriptor, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        ],
      };
      const res = await fetch(`http://${reg.host}/v2/multi/app/manifests/list`, {
        method: 'PUT',
        headers: { 'content-type': MediaType.ociIndex },
        body: JSON.stringify(index),
      });
      expect(res.status).toBe(201);
      const { r } = await pullInto('by-platform', c, `${reg.host}/multi/app:list`);
      expect(r.manifestDescriptor.digest).toBe(image.manifestDescriptor.digest);
      expect(r.indexDigest).toMatch(/^sha256:/);
      const layout = await OciLayout.create(join(tmp.path, 'no-platform'));
      await expect(c.pull(parseReference(`${reg.host}/multi/app:list`), layout, { platform: { os: 'linux', architecture: 's390x' } })).rejects.toThrow(
        `${reg.host}/multi/app:list: no image for platform linux/s390x (available: linux/amd64, linux/arm/v7)`,
      );
    });
  }
});

test('an unreachable registry names host, port and errno', async () => {
  const port = await freePort();
  const layout = await OciLayout.create(join(tmp.path, 'unreachable'));
  await expect(new RegistryClient().pull(parseReference(`127.0.0.1:${port}/x:y`), layout)).rejects.toThrow(
    `registry 127.0.0.1:${port} unreachable (http): ECONNREFUSED`,
  );
});

test('a local blob corrupted after it was written is refused while pushing, not blamed on the network', async () => {
  const reg = await startRegistry();
  try {
    const layout = await OciLayout.create(join(tmp.path, 'corrupt'));
    const tree = join(tmp.path, 'corrupt-tree');
    await writeTree(tree, { 'f.bin': randomBytes(200_000).toString('hex') });
    const l = await writeLayerFromDir(tree, { sourceDateEpoch: EPOCH, compression: 'none', store: layout.blobs });
    const cfg = addLayer(newImageConfig({ sourceDateEpoch: EPOCH }), l.diffId, { createdBy: 'x', sourceDateEpoch: EPOCH });
    await layout.writeImage({ config: cfg, layers: [{ mediaType: l.mediaType, digest: l.digest, size: l.size }], refName: 'c' });
    const img = await layout.resolve('c');
    const data = Buffer.from(await layout.blobs.read(l.digest));
    data[1000] = (data[1000] ?? 0) ^ 0xff;
    await writeFile(l.path, data);
    await expect(new RegistryClient().push(img, parseReference(`${reg.host}/c/app:v1`))).rejects.toThrow(/^read blob sha256:[0-9a-f]{12}: content has digest sha256:/);
  } finally {
    await reg.stop();
  }
});
