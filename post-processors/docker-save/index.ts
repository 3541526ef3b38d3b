// docker-save, daemonless: writes the image as a docker-archive (`docker load` reads it).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { writeDockerArchive } from '../../src/oci/archive.js';
import { readImageArtifact } from '../../src/oci/artifact-state.js';
import { OciLayout } from '../../src/oci/layout.js';
import type { DockerSaveConfig } from './config.js';
import { dockerSaveDefinition } from './definition.js';

export const DOCKER_SAVE_BUILDER_ID = 'packer.post-processor.docker-save';

export const dockerSavePostProcessor: PostProcessor<DockerSaveConfig & { templateDir: string }> = {
  ...dockerSaveDefinition,

  async process(ctx, input, config) {
    const img = readImageArtifact(input, 'docker-save');
    const path = resolve(config.templateDir, config.path);
    const image = await (await OciLayout.open(img.ociLayout)).resolve(img.manifestDigest);
    await writeDockerArchive(image, path, { repoTags: img.tags, uncompressedLayers: config.uncompressed_layers });
    ctx.ui.message(`Saved ${img.manifestDigest} to ${path}`);
    const artifact: Artifact = {
      builderId: DOCKER_SAVE_BUILDER_ID,
      id: path,
      files: [path],
      description: `Docker archive ${path}`,
      state: { ...input.state },
      destroy: async () => rm(path, { force: true }),
    };
    return { artifact, keepInput: true };
  },
};
