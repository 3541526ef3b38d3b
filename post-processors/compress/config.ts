import { z } from 'zod';

export const compressSchema = z.object({
  output: z.string().default('packer_{{.BuildName}}_{{.BuilderType}}.tar.gz'),
  /** Overrides detection from the output's extension. */
  format: z.string().optional(),
  compression_level: z.number().int().min(1).max(9).default(6),
  keep_input_artifact: z.boolean().optional(),
});

export type CompressConfig = z.output<typeof compressSchema>;

export type ArchiveFormat = 'tar.gz' | 'tar' | 'gz';

/** Packer's rule: from the extension; an unknown one means tar.gz without renaming. */
export function detectFormat(output: string, format: string | undefined): ArchiveFormat | { unsupported: string } {
  const f = (format ?? '').replace(/^\./, '').toLowerCase();
  if (f !== '') {
    if (f === 'tar.gz' || f === 'tgz') return 'tar.gz';
    if (f === 'tar') return 'tar';
    if (f === 'gz' || f === 'gzip') return 'gz';
    return { unsupported: f };
  }
  const lower = output.toLowerCase();
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.tar')) return 'tar';
  if (lower.endsWith('.gz')) return 'gz';
  for (const ext of ['.zip', '.lz4', '.bgzf', '.xz', '.zst', '.bz2']) if (lower.endsWith(ext)) return { unsupported: ext.slice(1) };
  return 'tar.gz';
}
