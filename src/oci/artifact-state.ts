// The contract between the container builder's artifact and the docker-* post-processors:
// the keys of `artifact.state` and how to read them back.
import type { Artifact } from '../core/plugin.js';
import { OciError } from './errors.js';

/** Path of the OCI image layout directory holding the image. */
export const STATE_OCI_LAYOUT = 'ociLayout';
/** `sha256:…` digest of the image manifest in that layout. */
export const STATE_MANIFEST_DIGEST = 'manifestDigest';
/** Ref name of the image in the layout (`org.opencontainers.image.ref.name`). */
export const STATE_IMAGE_REF = 'imageRef';
/** Full references (`registry/repo:tag`) given by docker-tag, consumed by docker-push/save. */
export const STATE_TAGS = 'tags';

export interface ImageArtifactState {
  ociLayout: string;
  manifestDigest: string;
  imageRef?: string;
  tags: string[];
}

export function readImageArtifact(a: Artifact, who: string): ImageArtifactState {
  const layout = a.state[STATE_OCI_LAYOUT];
  const digest = a.state[STATE_MANIFEST_DIGEST];
  if (typeof layout !== 'string' || typeof digest !== 'string') {
    throw new OciError(
      'E_OCI_ARTIFACT',
      `${who}: artifact from ${a.builderId} is not a container image (needs the container or docker builder, or docker-tag after it)`,
    );
  }
  const ref = a.state[STATE_IMAGE_REF];
  const tags = a.state[STATE_TAGS];
  const out: ImageArtifactState = {
    ociLayout: layout,
    manifestDigest: digest,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
  };
  if (typeof ref === 'string') out.imageRef = ref;
  return out;
}
