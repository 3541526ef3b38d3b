import { z } from 'zod';

export const dockerPushSchema = z.object({
  login: z.boolean().default(false),
  login_server: z.string().optional(),
  login_username: z.string().optional(),
  login_password: z.string().optional(),
  /** imgbuild: registries reached over plain http besides localhost. */
  insecure_registries: z.array(z.string()).default([]),
  keep_input_artifact: z.boolean().optional(),
});

export type DockerPushConfig = z.output<typeof dockerPushSchema>;
