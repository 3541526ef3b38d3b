// One step cache entry: the layer a provisioner produced, under its key. Entries are small
// JSON documents; the layer itself lives in the shared blob store (locally) or as the
// entry's one layer (in a registry, where the entry JSON is the artifact's config).
import { z } from 'zod';
import { canonicalJson } from '../oci/canonical-json.js';

export const ENTRY_MEDIA_TYPE = 'application/vnd.imgbuild.step-cache.entry.v1+json';
export const ENTRY_ARTIFACT_TYPE = 'application/vnd.imgbuild.step-cache.v1';

const layerSchema = z.object({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  diffId: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

export const entrySchema = z.object({
  version: z.literal(1),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  /** Provisioner type. */
  provisioner: z.string(),
  /** The provisioner's `name`, else its type. */
  label: z.string(),
  /** null: the provisioner changed nothing (an empty_layer history entry). */
  layer: layerSchema.nullable(),
  history: z.object({ created_by: z.string() }),
  createdAt: z.string(),
  lastUsed: z.string(),
  /** The key's canonical encoding (portable, secrets hashed), to explain misses. */
  material: z.string().optional(),
  /** Registry repository the entry was pulled from; absent when built here. */
  pulledFrom: z.string().optional(),
});

export type CacheEntry = z.infer<typeof entrySchema>;
export type CachedLayer = NonNullable<CacheEntry['layer']>;

/** Parses entry JSON; null when it is not a valid entry (a half-written or foreign file). */
export function parseEntry(data: Buffer | string): CacheEntry | null {
  try {
    const r = entrySchema.safeParse(JSON.parse(data.toString()));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The machine-independent part, as pushed to a registry (no last-used, no origin). */
export function portableEntry(e: CacheEntry): Buffer {
  const { lastUsed: _lastUsed, pulledFrom: _pulledFrom, ...rest } = e;
  return Buffer.from(canonicalJson({ ...rest, lastUsed: rest.createdAt }));
}
