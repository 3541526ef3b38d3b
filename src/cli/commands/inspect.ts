// `imgbuild inspect`: what a template declares — variables (sensitive ones masked), locals,
// sources, and builds with their provisioners and post-processors in file order.
import { ExitCode } from '../../core/errors.js';
import { describeTemplate } from '../engine.js';
import { loadForCli, type TemplateFlags } from '../load.js';
import type { CliIo } from '../io.js';

export type InspectFlags = TemplateFlags;

export async function runInspect(templatePath: string, flags: InspectFlags, io: CliIo): Promise<number> {
  const loaded = await loadForCli(templatePath, flags, io);
  const text = describeTemplate(loaded.template);
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return ExitCode.OK;
}
