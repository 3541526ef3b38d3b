// docker-import: hands the image to a Docker engine with `docker load` (the image is
// already an image, so load, not import, keeps its config and layers). Without an engine
// the error says so and points at docker-save, which needs none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildError, EnvironmentError, errorMessage } from '../../src/core/errors.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { writeDockerArchive } from '../../src/oci/archive.js';
import { readImageArtifact } from '../../src/oci/artifact-state.js';
import { OciLayout } from '../../src/oci/layout.js';
import type { DockerImportConfig } from './config.js';
import { dockerImportDefinition } from './definition.js';
import { cliDriver, type DockerDriver } from './driver.js';

export const DOCKER_IMPORT_BUILDER_ID = 'packer.post-processor.docker-import';

export function makeDockerImport(driver: DockerDriver): PostProcessor<DockerImportConfig> {
  return {
    ...dockerImportDefinition,

    async process(ctx, input, config) {
      const img = readImageArtifact(input, 'docker-import');
      const why = await driver.unreachable();
      if (why !== null) {
        throw new EnvironmentError(
          `docker-import: no Docker engine is reachable (${why}); use the docker-save post-processor to write a docker-archive for \`docker load\` elsewhere`,
          { code: 'E_DOCKER_IMPORT' },
        );
      }
      const target = config.repository === undefined ? undefined : `${config.repository}:${config.tag ?? 'latest'}`;
      const tmp = await mkdtemp(join(tmpdir(), 'imgbuild-import-'));
      try {
        const image = await (await OciLayout.open(img.ociLayout)).resolve(img.manifestDigest);
        const archive = join(tmp, 'image.tar');
        await writeDockerArchive(image, archive, { repoTags: target ? [target] : img.tags });
        const out = await driver.load(archive, ctx.signal);
        ctx.ui.message(out);
        const id = /Loaded image ID: (\S+)/.exec(out)?.[1] ?? target ?? image.manifest.config.digest;
        const artifact: Artifact = {
          builderId: DOCKER_IMPORT_BUILDER_ID,
          id,
          files: [],
          description: `Imported Docker image: ${target ?? id}`,
          state: { ...input.state },
          destroy: () => Promise.resolve(),
        };
        return { artifact, keepInput: false };
      } catch (e) {
        if (e instanceof EnvironmentError) throw e;
        throw new BuildError(`docker-import: ${errorMessage(e)}`, { code: 'E_DOCKER_IMPORT', cause: e });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}

export const dockerImportPostProcessor = makeDockerImport(cliDriver());
