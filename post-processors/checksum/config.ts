import { z } from 'zod';

export const CHECKSUM_TYPES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

export const checksumSchema = z.object({
  checksum_types: z.array(z.enum(CHECKSUM_TYPES)).min(1).default(['md5']),
  output: z.string().default('packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum'),
  keep_input_artifact: z.boolean().optional(),
});

export type ChecksumConfig = z.output<typeof checksumSchema>;
