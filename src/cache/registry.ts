// The shared step cache in an OCI registry repository (--cache-from / --cache-to): each entry
// is an artifact manifest tagged `sha256-<key>`, whose config is the entry JSON and whose one
// layer (none for an empty step) is the step's layer blob. A lookup is one manifest GET by
// tag; a hit's blobs land in the local blob store and the entry in the local cache, so the
// next build on that runner hits locally.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../oci/canonical-json.js';
import { newImageConfig } from '../oci/config.js';
import { sha256 } from '../oci/digest.js';
import { OciError } from '../oci/errors.js';
import type { Descriptor, Manifest } from '../oci/image.js';
import { OciLayout, type ResolvedImage } from '../oci/layout.js';
import { parseManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { RegistryClient, type RegistryOptions } from '../oci/registry/client.js';
import { formatReference, parseReference, type ImageReference } from '../oci/registry/reference.js';
import { ENTRY_ARTIFACT_TYPE, ENTRY_MEDIA_TYPE, parseEntry, portableEntry, type CacheEntry } from './entry.js';
import { keyTag } from './key.js';
import type { LocalStepCache } from './local.js';

export class RegistryStepCache {
  private readonly repo: ImageReference;
  private readonly client: RegistryClient;

  /** `repo`: a repository such as `127.0.0.1:5000/cache` (a tag or digest is refused). */
  constructor(
    readonly repoName: string,
    opts: RegistryOptions = {},
  ) {
    const r = parseReference(repoName);
    if (r.digest !== undefined || /:[\w][\w.-]*$/.test(repoName.slice(repoName.lastIndexOf('/') + 1))) {
      throw new OciError('E_CACHE_REF', `cache repository "${repoName}": give a repository without a tag or digest, e.g. 127.0.0.1:5000/cache`);
    }
    this.repo = { registry: r.registry, repository: r.repository };
    this.client = new RegistryClient(opts);
  }

  refFor(key: string): ImageReference {
    return { ...this.repo, tag: keyTag(key) };
  }

  /**
   * Looks `key` up; on a hit pulls the layer into the local blob store and stores the entry
   * locally. null on a miss; registry errors other than "unknown" propagate.
   */
  async fetch(key: string, local: LocalStepCache, now = new Date()): Promise<CacheEntry | null> {
    const ref = this.refFor(key);
    let manifest: Manifest;
    try {
      const m = await this.client.getManifest(ref, keyTag(key));
      const parsed = parseManifest(m.bytes, m.mediaType, `cache entry ${formatReference(ref)}`);
      if (parsed.kind !== 'manifest' || parsed.manifest.config.mediaType !== ENTRY_MEDIA_TYPE) return null;
      manifest = parsed.manifest;
    } catch (e) {
      if (e instanceof OciError && e.code === 'E_OCI_UNKNOWN_IMAGE') return null;
      throw e;
    }
    // The client pulls into a layout; a private one beside the store, on the same
    // filesystem, whose blobs are then renamed into the shared store.
    const scratch = path.join(local.dir, `.pull-${randomBytes(6).toString('hex')}`);
    try {
      const layout = await OciLayout.create(scratch);
      await this.client.pull(ref, layout);
      const entry = parseEntry(await layout.blobs.read(manifest.config.digest, { verify: true }));
      const layer = manifest.layers[0];
      if (entry === null || entry.key !== key || (entry.layer?.digest ?? null) !== (layer?.digest ?? null)) {
        throw new OciError('E_CACHE_INVALID', `cache entry ${formatReference(ref)}: its config does not describe this step's layer; delete the tag`);
      }
      for (const d of manifest.layers) {
        if (!(await local.blobs.has(d.digest))) await local.blobs.adopt(layout.blobs.path(d.digest), d.digest as `sha256:${string}`, d.size);
      }
      const got: CacheEntry = { ...entry, lastUsed: now.toISOString(), pulledFrom: this.repoName };
      await local.put(got);
      return got;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Pushes an entry whose layer blob is in the local store; returns the manifest digest. */
  async push(entry: CacheEntry, local: LocalStepCache): Promise<string> {
    const configBytes = portableEntry(entry);
    const config = await local.blobs.put(configBytes, 'cache entry');
    const layers: Descriptor[] = entry.layer ? [{ mediaType: entry.layer.mediaType, digest: entry.layer.digest, size: entry.layer.size }] : [];
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: ENTRY_ARTIFACT_TYPE,
      config: { mediaType: ENTRY_MEDIA_TYPE, digest: config.digest, size: config.size },
      layers,
      annotations: { 'org.opencontainers.image.title': `${entry.label} (${entry.provisioner})` },
    };
    const manifestBytes = Buffer.from(canonicalJson(manifest));
    const image: ResolvedImage = {
      blobs: local.blobs,
      manifestDescriptor: { mediaType: MediaType.ociManifest, digest: sha256(manifestBytes), size: manifestBytes.length },
      manifestBytes,
      manifest,
      // Not read by push; the type wants an image config.
      config: newImageConfig({ sourceDateEpoch: 0 }),
    };
    return this.client.push(image, this.refFor(entry.key));
  }
}
