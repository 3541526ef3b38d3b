// Every format we write is checked by independent readers: skopeo and umoci.
import { execFileSync } from 'node:child_process';
import { readFile, readdir, mkdir } from 'node:fs/promises';
import { flattenImage } from './flatten.js';
import { join } from 'node:path';
import { importArchive, importRootfsTarball, writeDockerArchive, writeOciArchive } from './archive.js';
import { addLayer, newImageConfig } from './config.js';
import { OciLayout, type ResolvedImage } from './layout.js';
import { writeLayerFromDir } from './layer-writer.js';
import { sh, tempDir, writeTree } from './test-util.js';

const EPOCH = 1700000000;

interface Skopeo {
  Digest: string;
  RepoTags: string[];
  Layers: string[];
  Created: string;
}
const inspect = (t: string): Skopeo => JSON.parse(sh('skopeo', ['inspect', t])) as Skopeo;
const inspectConfig = (t: string): { rootfs: { diff_ids: string[] } } => JSON.parse(sh('skopeo', ['inspect', '--config', t])) as { rootfs: { diff_ids: string[] } };

describe('image formats', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let layoutDir: string;
  let image: ResolvedImage;

  beforeAll(async () => {
    tmp = await tempDir();
    layoutDir = join(tmp.path, 'layout');
    const layout = await OciLayout.create(layoutDir);
    const base = join(tmp.path, 'base');
    await writeTree(base, { 'etc/os-release': 'ID=test\n', 'etc/motd': 'hello\n', 'bin/sh': { mode: 0o755, content: '#!' } });
    const upper = join(tmp.path, 'upper');
    await writeTree(upper, { 'etc/app.conf': 'on\n' });
    execFileSync('mknod', [join(upper, 'etc/motd'), 'c', '0', '0']);
    const l1 = await writeLayerFromDir(base, { sourceDateEpoch: EPOCH, compression: 'gzip', store: layout.blobs });
    const l2 = await writeLayerFromDir(upper, { sourceDateEpoch: EPOCH, compression: 'gzip', store: layout.blobs, overlayUpper: true });
    let cfg = newImageConfig({ sourceDateEpoch: EPOCH, config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] } });
    cfg = addLayer(cfg, l1.diffId, { createdBy: 'base', sourceDateEpoch: EPOCH });
    cfg = addLayer(cfg, l2.diffId, { createdBy: 'RUN configure', sourceDateEpoch: EPOCH });
    const layers = [l1, l2].map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
    await layout.writeImage({ config: cfg, layers, refName: 'v1' });
    image = await layout.resolve('v1');
  });
  afterAll(async () => tmp.cleanup());

  test('skopeo reads the OCI layout by ref name', () => {
    const info = inspect(`oci:${layoutDir}:v1`);
    expect(info.Digest).toBe(image.manifestDescriptor.digest);
    expect(info.Layers).toEqual(image.manifest.layers.map((l) => l.digest));
    expect(info.Created).toBe('2023-11-14T22:13:20Z');
  });

  test('umoci unpacks the layout and applies the whiteout', async () => {
    const bundle = join(tmp.path, 'bundle');
    sh('umoci', ['unpack', '--image', `${layoutDir}:v1`, bundle]);
    expect(await readFile(join(bundle, 'rootfs/etc/app.conf'), 'utf8')).toBe('on\n');
    expect(await readFile(join(bundle, 'rootfs/etc/os-release'), 'utf8')).toBe('ID=test\n');
    await expect(readFile(join(bundle, 'rootfs/etc/motd'))).rejects.toThrow('ENOENT');
  });

  test('oci-archive is deterministic, readable by skopeo, and imports back to the same manifest', async () => {
    const a = join(tmp.path, 'a.oci.tar');
    const b = join(tmp.path, 'b.oci.tar');
    await writeOciArchive(image, a, { refName: 'v1' });
    await writeOciArchive(image, b, { refName: 'v1' });
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
    expect(inspect(`oci-archive:${a}:v1`).Digest).toBe(image.manifestDescriptor.digest);
    const back = await OciLayout.create(join(tmp.path, 'back-oci'));
    expect((await importArchive(a, back, { refName: 'again' })).digest).toBe(image.manifestDescriptor.digest);
  });

  test.each([false, true])('docker-archive (uncompressed layers: %s) is read by skopeo with its tag and the same diff_ids', async (uncompressed) => {
    const path = join(tmp.path, `d-${String(uncompressed)}.tar`);
    await writeDockerArchive(image, path, { repoTags: ['example.com/app:v1'], uncompressedLayers: uncompressed });
    const manifest = JSON.parse(sh('tar', ['-xOf', path, 'manifest.json'])) as Array<{ RepoTags: string[] }>;
    expect(manifest[0]?.RepoTags).toEqual(['example.com/app:v1']);
    // skopeo finds the image by that tag.
    expect(inspectConfig(`docker-archive:${path}:example.com/app:v1`).rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
    // skopeo converts it to an OCI layout umoci can unpack: the layers are valid as Docker stores them.
    const oci = join(tmp.path, `via-skopeo-${String(uncompressed)}`);
    sh('skopeo', ['copy', `docker-archive:${path}`, `oci:${oci}:x`]);
    sh('umoci', ['unpack', '--image', `${oci}:x`, join(oci, 'bundle')]);
    expect(await readFile(join(oci, 'bundle/rootfs/etc/app.conf'), 'utf8')).toBe('on\n');
  });

  test('reads docker-archives written by skopeo as base images', async () => {
    const path = join(tmp.path, 'skopeo-docker.tar');
    sh('skopeo', ['copy', `oci:${layoutDir}:v1`, `docker-archive:${path}:example.com/from-skopeo:1`]);
    const into = await OciLayout.create(join(tmp.path, 'from-skopeo'));
    await importArchive(path, into, { ref: 'example.com/from-skopeo:1', refName: 'base' });
    const img = await into.resolve('base');
    expect(img.config.rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
    expect(inspect(`oci:${join(tmp.path, 'from-skopeo')}:base`).Layers).toHaveLength(2);
  });

  test('a rootfs tarball becomes a one-layer image umoci can unpack', async () => {
    const root = join(tmp.path, 'rootfs');
    await writeTree(root, { 'etc/hostname': 'r\n' });
    const tgz = join(tmp.path, 'rootfs.tar.gz');
    execFileSync('tar', ['-czf', tgz, '-C', root, '.']);
    const dir = join(tmp.path, 'rootfs-layout');
    const layout = await OciLayout.create(dir);
    await importRootfsTarball(tgz, layout, { sourceDateEpoch: EPOCH, refName: 'root' });
    const img = await layout.resolve('root');
    expect(img.manifest.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const diff = execFileSync('sh', ['-c', `gunzip -c ${tgz} | sha256sum`]).toString().split(' ')[0];
    expect(img.config.rootfs.diff_ids).toEqual([`sha256:${diff ?? ''}`]);
    await mkdir(join(tmp.path, 'rb'));
    sh('umoci', ['unpack', '--image', `${dir}:root`, join(tmp.path, 'rb', 'bundle')]);
    expect(await readFile(join(tmp.path, 'rb/bundle/rootfs/etc/hostname'), 'utf8')).toBe('r\n');
  });

  test('flattening applies layers in order, whiteouts included', async () => {
    const root = join(tmp.path, 'flat');
    await mkdir(root);
    await flattenImage(image, root);
    expect((await readdir(join(root, 'etc'))).sort()).toEqual(['app.conf', 'os-release']);
  });

  test('resolving an unknown tag lists the tags there are', async () => {
    const layout = await OciLayout.open(layoutDir);
    await expect(layout.resolve('nope')).rejects.toThrow(`image unknown: ${layoutDir}:nope (tags in layout: v1)`);
  });
});
