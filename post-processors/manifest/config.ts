import { z } from 'zod';

export const manifestSchema = z.object({
  output: z.string().default('packer-manifest.json'),
  strip_path: z.boolean().default(false),
  strip_time: z.boolean().default(false),
  custom_data: z.record(z.string()).optional(),
  keep_input_artifact: z.boolean().optional(),
});

export type ManifestConfig = z.output<typeof manifestSchema>;
