import { z } from 'zod';

export const dockerImportSchema = z.object({
  repository: z.string().optional(),
  tag: z.string().optional(),
  platform: z.string().optional(),
  keep_input_artifact: z.boolean().optional(),
});

export type DockerImportConfig = z.output<typeof dockerImportSchema>;
