import { z } from 'zod';

export const dockerSaveSchema = z.object({
  path: z.string().min(1),
  /** imgbuild: write layers uncompressed, byte for byte what `docker save` writes. */
  uncompressed_layers: z.boolean().default(false),
  keep_input_artifact: z.boolean().optional(),
});

export type DockerSaveConfig = z.output<typeof dockerSaveSchema>;
