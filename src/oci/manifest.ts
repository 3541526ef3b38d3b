// Manifests and indexes: building OCI ones, reading OCI and Docker schema 2 ones (Docker's
// are the same shape with other media types), and choosing a platform from an index.
import { canonicalJson } from './canonical-json.js';
import { formatPlatform, platformMatches } from './config.js';
import { sha256 } from './digest.js';
import { OciError } from './errors.js';
import { indexSchema, manifestSchema, parseJson, type Descriptor, type ImageIndex, type Manifest, type Platform } from './image.js';
import { MediaType, toOciMediaType } from './media-types.js';

export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: Manifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

export interface Serialized<T> {
  value: T;
  bytes: Buffer;
  descriptor: Descriptor;
}

export function serialize<T>(value: T, mediaType: string): Serialized<T> {
  const bytes = Buffer.from(canonicalJson(value));
  return { value, bytes, descriptor: { mediaType, digest: sha256(bytes), size: bytes.length } };
}

export function buildManifest(config: Descriptor, layers: Descriptor[], annotations?: Record<string, string>): Serialized<Manifest> {
  const m: Manifest = { schemaVersion: 2, mediaType: MediaType.ociManifest, config: strip(config), layers: layers.map(strip) };
  if (annotations && Object.keys(annotations).length > 0) m.annotations = annotations;
  return serialize(m, MediaType.ociManifest);
}

/**
 * Only the descriptor fields a manifest should carry (not e.g. a local `path`), with Docker
 * media types of base layers turned into their OCI names: an OCI manifest that mixes them is
 * refused by strict readers (umoci).
 */
function strip(d: Descriptor): Descriptor {
  const out: Descriptor = { mediaType: toOciMediaType(d.mediaType), digest: d.digest, size: d.size };
  if (d.annotations) out.annotations = d.annotations;
  if (d.urls) out.urls = d.urls;
  return out;
}

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);

/** `contentType` is the registry's Content-Type or the descriptor's media type, when known. */
export function parseManifest(data: Buffer, contentType: string | undefined, what: string): ParsedManifest {
  let probe: { mediaType?: unknown; manifests?: unknown; schemaVersion?: unknown };
  try {
    probe = JSON.parse(data.toString()) as typeof probe;
  } catch (e) {
    throw new OciError('E_OCI_INVALID', `${what}: invalid JSON: ${(e as Error).message}`);
  }
  const mt = (typeof probe.mediaType === 'string' ? probe.mediaType : undefined) ?? contentType?.split(';')[0]?.trim();
  if (probe.schemaVersion === 1 || mt?.includes('distribution.manifest.v1')) {
    throw new OciError('E_OCI_UNSUPPORTED', `${what}: Docker schema 1 manifests are not supported (re-push the image with a current client)`);
  }
  const isIndex = (mt !== undefined && INDEX_TYPES.has(mt)) || (mt === undefined && Array.isArray(probe.manifests));
  if (isIndex) return { kind: 'index', mediaType: mt ?? MediaType.ociIndex, index: parseJson(indexSchema, data, what) };
  if (mt !== undefined && !MANIFEST_TYPES.has(mt) && mt !== 'application/json') {
    throw new OciError('E_OCI_UNSUPPORTED', `${what}: unsupported manifest media type ${mt}`);
  }
  return { kind: 'manifest', mediaType: mt ?? MediaType.ociManifest, manifest: parseJson(manifestSchema, data, what) };
}

/** Picks the manifest for `platform`; the error lists what the index offers. */
export function selectPlatform(index: ImageIndex, platform: Platform, what: string): Descriptor {
  const found = index.manifests.find((m) => MANIFEST_TYPES.has(m.mediaType) && platformMatches(platform, m.platform));
  if (found) return found;
  const available = index.manifests
    .filter((m) => m.platform && m.platform.architecture !== 'unknown')
    .map((m) => formatPlatform(m.platform as Platform));
  throw new OciError(
    'E_OCI_PLATFORM',
    `${what}: no image for platform ${formatPlatform(platform)} (available: ${available.length > 0 ? available.join(', ') : 'none'})`,
  );
}
