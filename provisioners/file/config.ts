// Packer's file provisioner keys (provisioner/file/provisioner.go).
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { diagnosticAt, prepareConfig } from '../../src/core/config.js';
import type { Prepared, PrepareContext, RawConfig } from '../../src/core/plugin.js';
import type { Diagnostic } from '../../src/hcl/diagnostic.js';

export const fileSchema = z.object({
  source: z.string().optional(),
  sources: z.array(z.string()).optional(),
  content: z.string().optional(),
  destination: z.string(),
  direction: z.enum(['upload', 'download']).optional(),
  generated: z.boolean().optional(),
});

export type FileConfig =
  | {
      direction: 'upload';
      /** Absolute local paths, each keeping a trailing slash when written with one. */
      sources: string[];
      /** Inline content to write to destination; null when uploading files. */
      content: string | null;
      destination: string;
      generated: boolean;
    }
  | {
      direction: 'download';
      /** Container paths. */
      sources: string[];
      content: null;
      /** Absolute local path. */
      destination: string;
      generated: boolean;
    };

export function prepareFile(raw: RawConfig, ctx: PrepareContext): Prepared<FileConfig> {
  const prepared = prepareConfig(fileSchema, raw);
  const errors: Diagnostic[] = [...prepared.errors];
  const v = raw.values;
  const given = (['source', 'sources', 'content'] as const).filter((k) => v[k] !== undefined);
  if (given.length > 1) {
    errors.push(diagnosticAt(raw, [given[1] ?? 'source'], 'Conflicting arguments', 'Only one of source, sources or content may be specified.'));
  } else if (given.length === 0) {
    errors.push({ severity: 'error', summary: 'Missing required argument', detail: 'One of source, sources or content must be specified.', subject: raw.blockRange });
  }
  const direction = v['direction'] ?? 'upload';
  if (direction === 'download' && v['content'] !== undefined) {
    errors.push(diagnosticAt(raw, ['content'], 'Invalid argument', 'content can only be uploaded; remove it or set direction = "upload".'));
  }
  const sourcesList = Array.isArray(v['sources']) ? v['sources'] : [];
  if (sourcesList.length > 1 && typeof v['destination'] === 'string' && !v['destination'].endsWith('/')) {
    errors.push(diagnosticAt(raw, ['destination'], 'Invalid value', 'With several sources the destination must be a directory: end it with "/".'));
  }
  const c = prepared.config;
  if (errors.length > 0 || !c) return { config: null, warnings: prepared.warnings, errors };
  // Keeps a trailing slash: it carries Packer's "contents of the directory" meaning.
  const toAbs = (p: string): string => {
    if (isAbsolute(p)) return p;
    const abs = resolve(ctx.templateDir, p);
    return p.endsWith('/') ? `${abs}/` : abs;
  };
  const sources = c.source !== undefined ? [c.source] : (c.sources ?? []);
  const generated = c.generated ?? false;
  if (c.direction === 'download') {
    return { config: { direction: 'download', sources, content: null, destination: toAbs(c.destination), generated }, warnings: prepared.warnings, errors: [] };
  }
  return {
    config: { direction: 'upload', sources: sources.map(toAbs), content: c.content ?? null, destination: c.destination, generated },
    warnings: prepared.warnings,
    errors: [],
  };
}
