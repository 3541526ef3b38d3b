import { z } from 'zod';

export const dockerTagSchema = z.object({
  repository: z.string().min(1),
  // Packer accepts one tag as a string (`tag = "v1"`) or a list.
  tags: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().min(1))).default(['latest']),
  force: z.boolean().default(false),
  keep_input_artifact: z.boolean().optional(),
});

export type DockerTagConfig = z.output<typeof dockerTagSchema>;
