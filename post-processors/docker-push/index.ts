// docker-push, daemonless: pushes the tagged image from the build's OCI layout to each
// tagged repository with the OCI distribution client. Credentials: login_* when `login`
// is set, else ~/.docker/config.json.
import { BuildError } from '../../src/core/errors.js';
import type { Artifact, PostProcessor } from '../../src/core/plugin.js';
import { readImageArtifact } from '../../src/oci/artifact-state.js';
import { OciLayout } from '../../src/oci/layout.js';
import { RegistryClient, type RegistryOptions } from '../../src/oci/registry/client.js';
import { formatReference, parseReference } from '../../src/oci/registry/reference.js';
import type { DockerPushConfig } from './config.js';
import { dockerPushDefinition } from './definition.js';

export const DOCKER_PUSH_BUILDER_ID = 'packer.post-processor.docker-push';

export const dockerPushPostProcessor: PostProcessor<DockerPushConfig> = {
  ...dockerPushDefinition,

  async process(ctx, input, config) {
    const img = readImageArtifact(input, 'docker-push');
    // The layout's own ref name is not a registry reference: only docker-tag's tags are.
    const refs = img.tags;
    if (refs.length === 0) throw new BuildError('docker-push: the image has no repository to push to; add a docker-tag post-processor before it', { code: 'E_DOCKER_PUSH' });
    const layout = await OciLayout.open(img.ociLayout);
    const image = await layout.resolve(img.manifestDigest);
    const pushed: string[] = [];
    for (const r of refs) {
      const ref = parseReference(r);
      const opts: RegistryOptions = { insecure: config.insecure_registries, signal: ctx.signal };
      if (config.login && config.login_username !== undefined && config.login_password !== undefined) {
        opts.credentials = { [config.login_server ? stripScheme(config.login_server) : ref.registry]: { username: config.login_username, password: config.login_password } };
      }
      ctx.ui.message(`Pushing ${formatReference(ref)}`);
      const digest = await new RegistryClient(opts).push(image, ref);
      pushed.push(`${formatReference(ref)}@${digest}`);
    }
    const artifact: Artifact = {
      builderId: DOCKER_PUSH_BUILDER_ID,
      id: pushed[0] ?? img.manifestDigest,
      files: [],
      description: `Pushed ${pushed.join(', ')}`,
      state: { ...input.state },
      destroy: () => Promise.resolve(),
    };
    return { artifact, keepInput: true };
  },
};

/** `https://index.docker.io/v1/` → `docker.io`, `http://host:5000` → `host:5000`: the registry as references name it. */
function stripScheme(s: string): string {
  const host = s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
