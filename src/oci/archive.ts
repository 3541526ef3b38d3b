// Single-file image formats. oci-archive is a tar of an OCI layout; docker-archive is what
// `docker save` writes and `docker load` reads (manifest.json, config, layer tars). Both are
// written deterministically and read back as base images through the safe extractor.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { BlobStore } from './blob-store.js';
import { canonicalJson } from './canonical-json.js';
import { newImageConfig, addLayer } from './config.js';
import { decompress } from './decompress.js';
import { Digester, parseDigest, shortDigest, type Digest } from './digest.js';
import { OciError, wrapFsError } from './errors.js';
import { cleanPath, extractLayer } from './extract.js';
import { imageConfigSchema, parseJson, type Descriptor, type ImageConfig, type Platform } from './image.js';
import { OciLayout, REF_NAME, type ResolvedImage } from './layout.js';
import { buildManifest } from './manifest.js';
import { MediaType } from './media-types.js';
import { TarFileWriter } from './tar-file-writer.js';
import { LayerBlobSink } from './compress.js';

export interface ArchiveWriteOptions {
  /** mtime of every archive entry; default 0. */
  sourceDateEpoch?: number;
}

/** oci-archive: `oci-layout`, `index.json` (one manifest, tagged `refName`), the blobs. */
export async function writeOciArchive(image: ResolvedImage, out: string, opts: ArchiveWriteOptions & { refName?: string } = {}): Promise<void> {
  const w = new TarFileWriter(out, opts.sourceDateEpoch ?? 0);
  try {
    const desc: Descriptor = { ...image.manifestDescriptor };
    if (opts.refName !== undefined) desc.annotations = { [REF_NAME]: opts.refName };
    const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [desc] };
    const blobs = uniqueSorted([image.manifestDescriptor, image.manifest.config, ...image.manifest.layers]);
    await w.dir('blobs');
    await w.dir('blobs/sha256');
    for (const d of blobs) await addBlob(w, image.blobs, d.digest, `blobs/${d.digest.replace(':', '/')}`);
    await w.file('index.json', ...json(index));
    await w.file('oci-layout', ...json({ imageLayoutVersion: '1.0.0' }));
    await w.close();
  } catch (e) {
    w.abort();
    await rm(out, { force: true });
    throw e;
  }
}

export interface DockerArchiveOptions extends ArchiveWriteOptions {
  /** `name:tag` references recorded in manifest.json, as `docker load` tags the image. */
  repoTags?: string[];
  /** Decompress layers, as `docker save` does; default false (docker load accepts gzip). */
  uncompressedLayers?: boolean;
}

/** docker-archive: `manifest.json`, `<config hex>.json` and one tar per layer. */
export async function writeDockerArchive(image: ResolvedImage, out: string, opts: DockerArchiveOptions = {}): Promise<void> {
  const w = new TarFileWriter(out, opts.sourceDateEpoch ?? 0);
  const scratch = opts.uncompressedLayers ? await mkdtemp(join(tmpdir(), 'imgbuild-save-')) : null;
  try {
    const configHex = parseDigest(image.manifest.config.digest).hex;
    const configName = `${configHex}.json`;
    const layerNames: string[] = [];
    const entries: Array<[string, () => Promise<void>]> = [];
    for (const l of image.manifest.layers) {
      const hex = parseDigest(l.digest).hex;
      if (scratch) {
        const name = `${hex}/layer.tar`;
        layerNames.push(name);
        entries.push([name, async () => addDecompressed(w, image.blobs, l.digest, name, scratch)]);
      } else {
        const name = `${hex}.tar${l.mediaType.includes('gzip') ? '.gz' : l.mediaType.includes('zstd') ? '.zst' : ''}`;
        layerNames.push(name);
        entries.push([name, async () => addBlob(w, image.blobs, l.digest, name)]);
      }
    }
    const manifest = [{ Config: configName, RepoTags: opts.repoTags ?? [], Layers: layerNames }];
    entries.push([configName, async () => addBlob(w, image.blobs, image.manifest.config.digest, configName)]);
    entries.push(['manifest.json', async () => w.file('manifest.json', ...json(manifest))]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const dirs = new Set<string>();
    for (const [name, add] of entries) {
      const slash = name.indexOf('/');
      if (slash > 0 && !dirs.has(name.slice(0, slash))) {
        dirs.add(name.slice(0, slash));
        await w.dir(name.slice(0, slash));
      }
      await add();
    }
    await w.close();
  } catch (e) {
    w.abort();
    await rm(out, { force: true });
    throw e;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Reads an oci-archive or docker-archive (detected by content) into `layout`, tagging the
 * image `refName`; `ref` picks an image in a multi-image archive (ref name or RepoTag).
 */
export async function importArchive(path: string, layout: OciLayout, opts: { ref?: string; refName?: string; platform?: Platform } = {}): Promise<Descriptor> {
  const tmp = await mkdtemp(join(tmpdir(), 'imgbuild-archive-'));
  const what = `archive ${path}`;
  try {
    await extractLayer(createReadStream(path, { highWaterMark: 1 << 20 }), tmp, { mode: 'merged', what });
    const isDocker = await exists(join(tmp, 'manifest.json'));
    if (await exists(join(tmp, 'oci-layout'))) {
      const src = await OciLayout.open(tmp);
      // Docker 25+ `docker save` writes both forms; its index names images by tag only, so a
      // full reference is looked up in manifest.json instead.
      const img = await src.resolve(opts.ref ?? (await onlyRef(src)), opts.platform).catch((e: unknown) => {
        if (isDocker && e instanceof OciError && e.code === 'E_OCI_UNKNOWN_IMAGE') return null;
        throw e;
      });
      if (img === null) return await importDockerDir(tmp, layout, opts, what);
      for (const d of [img.manifest.config, ...img.manifest.layers]) {
        if (!(await layout.blobs.has(d.digest))) await layout.blobs.putStream(img.blobs.open(d.digest), { digest: d.digest, size: d.size });
      }
      await layout.blobs.put(img.manifestBytes, 'manifest');
      await layout.addManifest({ ...img.manifestDescriptor, platform: { os: img.config.os, architecture: img.config.architecture } }, opts.refName);
      return img.manifestDescriptor;
    }
    if (isDocker) return await importDockerDir(tmp, layout, opts, what);
    throw new OciError('E_OCI_ARCHIVE', `${what}: neither an oci-archive (no oci-layout) nor a docker-archive (no manifest.json)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const dockerManifestSchema = z.array(
  z.object({ Config: z.string(), RepoTags: z.array(z.string()).nullable().optional(), Layers: z.array(z.string()) }).passthrough(),
);

async function importDockerDir(dir: string, layout: OciLayout, opts: { ref?: string; refName?: string }, what: string): Promise<Descriptor> {
  const entries = parseJson(dockerManifestSchema, await readFile(join(dir, 'manifest.json')), `${what}: manifest.json`);
  const entry = opts.ref === undefined ? entries[0] : entries.find((e) => (e.RepoTags ?? []).includes(opts.ref as string));
  if (!entry) {
    const tags = entries.flatMap((e) => e.RepoTags ?? []);
    throw new OciError('E_OCI_UNKNOWN_IMAGE', `${what}: no image ${opts.ref ?? ''} (tags: ${tags.join(', ') || 'none'})`);
  }
  // Paths come from the archive: they must stay inside it.
  const inside = (p: string): string => join(dir, ...cleanPath(p, what));
  const configBytes = await readFile(inside(entry.Config)).catch((e: unknown) => {
    throw wrapFsError(`${what}: ${entry.Config}`, e);
  });
  const config = parseJson(imageConfigSchema, configBytes, `${what}: ${entry.Config}`);
  if (config.rootfs.diff_ids.length !== entry.Layers.length) {
    throw new OciError('E_OCI_ARCHIVE', `${what}: ${entry.Layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids in the config`);
  }
  const layers: Descriptor[] = [];
  for (const name of entry.Layers) {
    const head = await readHead(inside(name));
    const mediaType = head[0] === 0x1f && head[1] === 0x8b ? MediaType.ociLayerGzip : head.readUInt32LE(0) === 0xfd2fb528 ? MediaType.ociLayerZstd : MediaType.ociLayer;
    const info = await layout.blobs.putStream(createReadStream(inside(name), { highWaterMark: 1 << 20 }), undefined, `layer ${name}`);
    layers.push({ mediaType, digest: info.digest, size: info.size });
  }
  const configDesc = await layout.blobs.put(configBytes, 'config');
  const m = buildManifest({ mediaType: MediaType.ociConfig, digest: configDesc.digest, size: configDesc.size }, layers);
  await layout.blobs.put(m.bytes, 'manifest');
  const refName = opts.refName ?? entry.RepoTags?.[0];
  await layout.addManifest({ ...m.descriptor, platform: { os: config.os, architecture: config.architecture } }, refName);
  return m.descriptor;
}

/**
 * A rootfs tarball (plain, gzip or zstd) as a one-layer image. A compressed blob is kept as
 * given; a plain tar is gzipped once here (deterministically), as `buildah import` would on
 * push, so every later export and push moves a third of the bytes. The diff_id is hashed
 * from the decompressed stream in the same read.
 */
export async function importRootfsTarball(
  path: string,
  layout: OciLayout,
  opts: { sourceDateEpoch: number; refName?: string; platform?: Platform; createdBy?: string },
): Promise<Descriptor> {
  const what = `rootfs tarball ${path}`;
  const head = await readHead(path);
  const given = head[0] === 0x1f && head[1] === 0x8b ? MediaType.ociLayerGzip : head.readUInt32LE(0) === 0xfd2fb528 ? MediaType.ociLayerZstd : MediaType.ociLayer;
  const src = createReadStream(path, { highWaterMark: 1 << 20 });
  const layer = given === MediaType.ociLayer ? await gzipLayer(src, layout) : await keepLayer(src, given, layout, what);
  let config: ImageConfig = newImageConfig({ sourceDateEpoch: opts.sourceDateEpoch, ...(opts.platform ? { platform: opts.platform } : {}) });
  config = addLayer(config, layer.diffId, { createdBy: opts.createdBy ?? `imgbuild: rootfs tarball ${path}`, sourceDateEpoch: opts.sourceDateEpoch });
  return layout.writeImage({ config, layers: [layer.descriptor], ...(opts.refName === undefined ? {} : { refName: opts.refName }) });
}

interface ImportedLayer {
  descriptor: Descriptor;
  diffId: Digest;
}

async function gzipLayer(src: AsyncIterable<Buffer>, layout: OciLayout): Promise<ImportedLayer> {
  const sink = await LayerBlobSink.create(layout.blobs, { compression: 'gzip' });
  try {
    for await (const c of src) await sink.write(c);
    const b = await sink.finish();
    return { descriptor: { mediaType: b.mediaType, digest: b.digest, size: b.size }, diffId: b.diffId };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

async function keepLayer(src: AsyncIterable<Buffer>, mediaType: string, layout: OciLayout, what: string): Promise<ImportedLayer> {
  const diff = new Digester();
  const writer = await layout.blobs.writer(`layer ${what}`);
  const tee = (async function* () {
    for await (const c of src) {
      await writer.write(c);
      yield c;
    }
  })();
  try {
    for await (const c of decompress(tee, what)) diff.update(c);
    const info = await writer.commit();
    return { descriptor: { mediaType, digest: info.digest, size: info.size }, diffId: diff.digest() };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

async function onlyRef(layout: OciLayout): Promise<string | undefined> {
  const idx = await layout.readIndex();
  return idx.manifests.length === 1 ? undefined : idx.manifests[0]?.annotations?.[REF_NAME];
}

/**
 * Blobs come from a content-addressed store that verified each digest when the blob was
 * written (as containers/storage and docker do, export trusts it: re-hashing every layer on
 * every export cost a third of a no-change rebuild). The size is still checked by the writer.
 */
async function addBlob(w: TarFileWriter, blobs: BlobStore, digest: string, name: string): Promise<void> {
  const size = await blobs.size(digest);
  await w.file(name, size, blobs.open(digest) as AsyncIterable<Buffer>);
}

async function addDecompressed(w: TarFileWriter, blobs: BlobStore, digest: string, name: string, scratch: string): Promise<void> {
  const tmp = join(scratch, parseDigest(digest).hex);
  const ws = createWriteStream(tmp);
  for await (const c of decompress(blobs.readVerified(digest), `layer ${shortDigest(digest)}`)) {
    if (!ws.write(c)) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
  const size = (await stat(tmp)).size;
  await w.file(name, size, createReadStream(tmp, { highWaterMark: 1 << 20 }));
  await rm(tmp, { force: true });
}

function json(v: unknown): [number, Buffer] {
  const b = Buffer.from(canonicalJson(v));
  return [b.length, b];
}

function uniqueSorted(ds: Descriptor[]): Descriptor[] {
  const m = new Map(ds.map((d) => [d.digest, d]));
  return [...m.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch((e: unknown) => {
    throw wrapFsError(`open ${path}`, e);
  });
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b;
  } finally {
    await fh.close();
  }
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}
