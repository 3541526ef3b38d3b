// OCI image layout on disk: `oci-layout`, `index.json`, `blobs/`. Tags are index entries
// annotated with `org.opencontainers.image.ref.name`, which skopeo, umoci and buildah read.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStore } from './blob-store.js';
import { canonicalJson } from './canonical-json.js';
import { hostPlatform } from './config.js';
import { isDigest, shortDigest } from './digest.js';
import { OciError, wrapFsError } from './errors.js';
import { imageConfigSchema, indexSchema, parseJson, type Descriptor, type ImageConfig, type ImageIndex, type Manifest, type Platform } from './image.js';
import { buildManifest, parseManifest, selectPlatform, serialize } from './manifest.js';
import { withLockFile } from './lock.js';
import { MediaType } from './media-types.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';

/** An image resolved to its parts; what archive writers and the registry push consume. */
export interface ResolvedImage {
  blobs: BlobStore;
  manifestDescriptor: Descriptor;
  manifestBytes: Buffer;
  manifest: Manifest;
  config: ImageConfig;
}

export class OciLayout {
  readonly blobs: BlobStore;
  private constructor(readonly dir: string) {
    this.blobs = new BlobStore(dir);
  }

  /** Opens the layout at `dir`, creating an empty one if there is none. */
  static async create(dir: string): Promise<OciLayout> {
    try {
      await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
      const marker = await readFile(join(dir, 'oci-layout'), 'utf8').catch(() => null);
      if (marker === null) await writeFile(join(dir, 'oci-layout'), canonicalJson({ imageLayoutVersion: '1.0.0' }));
      const idx = await readFile(join(dir, 'index.json')).catch(() => null);
      if (idx === null) await writeFile(join(dir, 'index.json'), canonicalJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }));
    } catch (e) {
      throw wrapFsError(`create OCI layout ${dir}`, e);
    }
    return new OciLayout(dir);
  }

  static async open(dir: string): Promise<OciLayout> {
    const marker = await readFile(join(dir, 'oci-layout'), 'utf8').catch(() => null);
    if (marker === null) throw new OciError('E_OCI_LAYOUT', `open OCI layout ${dir}: no oci-layout file (not an OCI image layout)`);
    return new OciLayout(dir);
  }

  async readIndex(): Promise<ImageIndex> {
    const data = await readFile(join(this.dir, 'index.json')).catch((e: unknown) => {
      throw wrapFsError(`read ${join(this.dir, 'index.json')}`, e);
    });
    return parseJson(indexSchema, data, join(this.dir, 'index.json'));
  }

  /** Atomic replace, so a reader never sees half an index. */
  async writeIndex(index: ImageIndex): Promise<void> {
    const path = join(this.dir, 'index.json');
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      await writeFile(tmp, canonicalJson(index));
      await rename(tmp, path);
    } catch (e) {
      throw wrapFsError(`write ${path}`, e);
    }
  }

  async putJson(value: unknown, mediaType: string): Promise<Descriptor> {
    const s = serialize(value, mediaType);
    if (!(await this.blobs.has(s.descriptor.digest))) await this.blobs.put(s.bytes, mediaType.includes('manifest') ? 'manifest' : 'config');
    return s.descriptor;
  }

  /**
   * Writes config and manifest blobs for an image whose layer blobs are already in the
   * store, and tags it `refName` when given.
   */
  async writeImage(opts: { config: ImageConfig; layers: Descriptor[]; refName?: string; annotations?: Record<string, string> }): Promise<Descriptor> {
    for (const l of opts.layers) {
      if (!(await this.blobs.has(l.digest))) throw new OciError('E_OCI_BLOB_UNKNOWN', `write image: layer ${shortDigest(l.digest)} is not in ${this.dir}`);
    }
    const configDesc = await this.putJson(opts.config, MediaType.ociConfig);
    const m = buildManifest(configDesc, opts.layers, opts.annotations);
    if (!(await this.blobs.has(m.descriptor.digest))) await this.blobs.put(m.bytes, 'manifest');
    const desc: Descriptor = { ...m.descriptor, platform: platformOf(opts.config) };
    await this.addManifest(desc, opts.refName);
    return m.descriptor;
  }

  /** Adds a manifest to index.json; a ref name moves to it from any entry that had it. */
  async addManifest(desc: Descriptor, refName?: string): Promise<void> {
    // Builds sharing a layout (the cache) update index.json read-modify-write: serialise them.
    await withLockFile(join(this.dir, 'index.json.lock'), `update ${join(this.dir, 'index.json')}`, () => this.addManifestLocked(desc, refName));
  }

  private async addManifestLocked(desc: Descriptor, refName?: string): Promise<void> {
    const index = await this.readIndex();
    const entry: Descriptor = { ...desc };
    if (refName !== undefined) entry.annotations = { ...(desc.annotations ?? {}), [REF_NAME]: refName };
    if (refName === undefined && index.manifests.some((m) => m.digest === desc.digest)) return;
    const manifests = index.manifests.filter((m) => {
      const name = m.annotations?.[REF_NAME];
      if (refName !== undefined && name === refName) return false;
      return !(m.digest === desc.digest && name === undefined);
    });
    manifests.push(entry);
    await this.writeIndex({ ...index, manifests });
  }

  /** Ref names in index.json. */
  async refNames(): Promise<string[]> {
    const idx = await this.readIndex();
    return idx.manifests.map((m) => m.annotations?.[REF_NAME]).filter((r): r is string => r !== undefined);
  }

  /** Resolves `ref` (a ref name; absent: the only image) to its manifest and config. */
  async resolve(ref?: string, platform: Platform = hostPlatform()): Promise<ResolvedImage> {
    const index = await this.readIndex();
    const what = `${this.dir}${ref === undefined ? '' : `:${ref}`}`;
    let desc: Descriptor | undefined;
    if (ref !== undefined) {
      desc = index.manifests.findLast((m) => m.annotations?.[REF_NAME] === ref) ?? index.manifests.find((m) => m.digest === ref);
      if (!desc && isDigest(ref) && (await this.blobs.has(ref))) {
        // An untagged manifest: its media type is read from the blob itself.
        desc = { mediaType: '', digest: ref, size: await this.blobs.size(ref) };
      }
      if (!desc) {
        const names = index.manifests.map((m) => m.annotations?.[REF_NAME]).filter((r) => r !== undefined);
        throw new OciError('E_OCI_UNKNOWN_IMAGE', `image unknown: ${what} (tags in layout: ${names.length > 0 ? names.join(', ') : 'none'})`);
      }
    } else {
      const only = index.manifests[0];
      if (index.manifests.length !== 1 || only === undefined) {
        throw new OciError('E_OCI_UNKNOWN_IMAGE', `${this.dir}: ${index.manifests.length} images in layout, name one with a ref`);
      }
      desc = only;
    }
    return resolveDescriptor(this.blobs, desc, platform, what);
  }
}

export async function resolveDescriptor(blobs: BlobStore, desc: Descriptor, platform: Platform, what: string): Promise<ResolvedImage> {
  for (let depth = 0; depth < 4; depth++) {
    const bytes = await blobs.read(desc.digest, { verify: true });
    const parsed = parseManifest(bytes, desc.mediaType || undefined, `manifest ${shortDigest(desc.digest)}`);
    if (parsed.kind === 'index') {
      desc = selectPlatform(parsed.index, platform, what);
      continue;
    }
    const config = parseJson(imageConfigSchema, await blobs.read(parsed.manifest.config.digest, { verify: true }), `config ${shortDigest(parsed.manifest.config.digest)}`);
    return { blobs, manifestDescriptor: { mediaType: parsed.mediaType, digest: desc.digest, size: bytes.length }, manifestBytes: bytes, manifest: parsed.manifest, config };
  }
  throw new OciError('E_OCI_INVALID', `${what}: indexes nested too deep`);
}

function platformOf(c: ImageConfig): Platform {
  const p: Platform = { architecture: c.architecture, os: c.os };
  if (c.variant !== undefined) p.variant = c.variant;
  return p;
}
