// docker-tag, daemonless: the image stays in the build's OCI layout and gains ref names
// `repository:tag`; the tags are recorded in the artifact for docker-push and docker-save.
import { BuildError } from '../../src/core/errors.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { readImageArtifact, STATE_IMAGE_REF, STATE_TAGS } from '../../src/oci/artifact-state.js';
import { OciLayout, REF_NAME } from '../../src/oci/layout.js';
import { formatReference, parseReference } from '../../src/oci/registry/reference.js';
import type { DockerTagConfig } from './config.js';
import { dockerTagDefinition } from './definition.js';

export const DOCKER_TAG_BUILDER_ID = 'packer.post-processor.docker-tag';

export const dockerTagPostProcessor: PostProcessor<DockerTagConfig> = {
  ...dockerTagDefinition,

  async process(ctx, input, config) {
    const img = readImageArtifact(input, 'docker-tag');
    const layout = await OciLayout.open(img.ociLayout);
    const index = await layout.readIndex();
    const desc = index.manifests.find((m) => m.digest === img.manifestDigest);
    if (!desc) throw new BuildError(`docker-tag: manifest ${img.manifestDigest} is not in ${img.ociLayout}`, { code: 'E_DOCKER_TAG' });
    const refs: string[] = [];
    for (const tag of config.tags) {
      const ref = `${config.repository}:${tag}`;
      parseReference(ref); // Rejects what a registry would, before anything is written.
      const existing = index.manifests.find((m) => m.annotations?.[REF_NAME] === ref);
      if (existing && existing.digest !== img.manifestDigest && !config.force) {
        throw new BuildError(`docker-tag: ${ref} already names image ${existing.digest} in ${img.ociLayout}; set force = true to move it`, {
          code: 'E_DOCKER_TAG',
        });
      }
      const { annotations: _drop, ...plain } = desc;
      await layout.addManifest(plain, ref);
      refs.push(ref);
      ctx.ui.message(`Tagged ${img.manifestDigest} as ${formatReference(parseReference(ref))}`);
    }
    const tags = [...new Set([...img.tags, ...refs])];
    const artifact: Artifact = {
      builderId: DOCKER_TAG_BUILDER_ID,
      id: refs[0] ?? img.manifestDigest,
      files: [],
      description: `Image ${img.manifestDigest} tagged ${refs.join(', ')}`,
      state: { ...input.state, [STATE_TAGS]: tags, [STATE_IMAGE_REF]: refs[0] ?? img.imageRef },
      destroy: () => Promise.resolve(),
    };
    return { artifact, keepInput: true };
  },
};
