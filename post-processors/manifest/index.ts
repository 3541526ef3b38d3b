// The manifest post-processor: records each build's artifact in a Packer-compatible
// packer-manifest.json, so existing tooling that reads Packer's manifest keeps working.
import { basename, resolve } from 'node:path';
import type { PostProcessor } from '../../src/core/plugin.js';
import type { ManifestConfig } from './config.js';
import { appendToManifest, fileSize, type ManifestBuild } from './driver.js';
import { manifestDefinition } from './definition.js';

/** Sensitive variables often end up in custom_data; the file must not keep them. */
function scrubValues(data: Record<string, string>, scrub: ((s: string) => string) | undefined): Record<string, string> {
  if (!scrub) return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, scrub(v)]));
}

export const manifestPostProcessor: PostProcessor<ManifestConfig & { templateDir: string }> = {
  ...manifestDefinition,

  async process(ctx, input, config) {
    const path = resolve(config.templateDir, config.output);
    const files =
      input.files.length === 0
        ? null
        : await Promise.all(
            input.files.map(async (f) => ({ name: config.strip_path ? basename(f) : f, size: await fileSize(f) })),
          );
    const runUuid = String(ctx.generated['PackerRunUUID'] ?? ctx.build.runId);
    const entry: ManifestBuild = {
      name: ctx.build.sourceName,
      builder_type: ctx.build.sourceType,
      ...(config.strip_time ? {} : { build_time: Math.floor(Date.now() / 1000) }),
      files,
      artifact_id: input.id,
      packer_run_uuid: runUuid,
      custom_data: config.custom_data ? scrubValues(config.custom_data, ctx.scrub) : null,
    };
    ctx.ui.say(`Writing manifest to ${config.output}`);
    await appendToManifest(path, entry, runUuid, ctx.force === true);
    return { artifact: input, keepInput: true, forceOverride: true };
  },
};
