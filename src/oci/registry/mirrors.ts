// Registry mirrors, as buildah/podman users know them from registries.conf: a pull of
// `docker.io/library/ubuntu:latest` with `docker.io=127.0.0.1:5000` tries
// `127.0.0.1:5000/library/ubuntu:latest` first (same repository path, tag and digest).
import { OciError } from '../errors.js';
import type { ImageReference } from './reference.js';

export const MIRRORS_ENV = 'IMGBUILD_REGISTRY_MIRRORS';

const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;

/** Registry aliases Docker writes for Docker Hub, normalised as parseReference does. */
function canonicalRegistry(r: string): string {
  return r === 'index.docker.io' || r === 'registry-1.docker.io' ? 'docker.io' : r;
}

/**
 * Parses `registry=mirror[,registry=mirror...]` (blank entries skipped). Throws naming the
 * variable and the bad entry.
 */
export function parseMirrors(value: string | undefined, name = MIRRORS_ENV): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined) return out;
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const registry = eq < 0 ? '' : entry.slice(0, eq).trim();
    const mirror = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (!HOST_RE.test(registry) || !HOST_RE.test(mirror)) {
      throw new OciError('E_OCI_MIRRORS', `${name}: malformed entry "${entry}": expected registry=mirror host[:port], e.g. docker.io=127.0.0.1:5000`);
    }
    out.set(canonicalRegistry(registry), mirror);
  }
  return out;
}

/** The mirror's reference for `ref` (same repository, tag and digest), or null without a mirror. */
export function mirrorReference(ref: ImageReference, mirrors: ReadonlyMap<string, string>): ImageReference | null {
  const mirror = mirrors.get(canonicalRegistry(ref.registry));
  if (mirror === undefined || mirror === ref.registry) return null;
  return { ...ref, registry: mirror };
}
