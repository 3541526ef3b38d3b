// The light half of the docker-push post-processor: name, schema and prepare; index.ts adds
// process() and imports what it runs.
import { diagnosticAt, prepareConfig } from '../../src/core/config.js';
import type { PostProcessorDefinition } from '../../src/core/plugin.js';
import { dockerPushSchema, type DockerPushConfig } from './config.js';

const AWS_KEYS = ['ecr_login', 'aws_access_key', 'aws_secret_key', 'aws_token', 'aws_profile'];

export const dockerPushDefinition: PostProcessorDefinition<DockerPushConfig> = {
  kind: 'post-processor',
  name: 'docker-push',
  configSchema: dockerPushSchema,
  prepare(raw) {
    const ignored = Object.fromEntries(AWS_KEYS.map((k) => [k, 'ECR login is not supported; log in with `docker login` (credentials in ~/.docker/config.json) or login_*']));
    const p = prepareConfig(dockerPushSchema, raw, { ignored });
    if (p.config?.login && (p.config.login_username === undefined || p.config.login_password === undefined)) {
      p.errors.push(diagnosticAt(raw, ['login'], 'login needs login_username and login_password', 'Set both, or drop `login` to use ~/.docker/config.json.'));
      return { ...p, config: null };
    }
    return p;
  },
};
