// `imgbuild inspect`: what a template declares — variables (sensitive ones masked), locals,
// sources, and builds with their provisioners and post-processors in file order — laid out
// like `packer inspect` in HCL2 mode, with the sources section added.
import { ExitCode } from '../../core/errors.js';
import type { TemplateDescription } from '../../template/inspect.js';
import { describeTemplate } from '../../template/inspect.js';
import { loadForCli, type TemplateFlags } from '../load.js';
import type { CliIo } from '../io.js';

export type InspectFlags = TemplateFlags;

export async function runInspect(templatePath: string, flags: InspectFlags, io: CliIo): Promise<number> {
  const loaded = await loadForCli(templatePath, flags, io, { lenient: true });
  io.stdout.write(renderDescription(describeTemplate(loaded.template)));
  return ExitCode.OK;
}

export function renderDescription(d: TemplateDescription): string {
  const out: string[] = ['imgbuild inspect: HCL2 mode', ''];
  if (d.requiredVersion !== null || d.requiredPlugins.length > 0) {
    out.push('> packer:', '');
    if (d.requiredVersion !== null) out.push(`required_version: ${d.requiredVersion}`);
    for (const p of d.requiredPlugins) {
      out.push(`required_plugins.${p.name}: ${p.source ?? '(no source)'} ${p.version ?? ''}`.trimEnd());
    }
    out.push('');
  }
  out.push('> input-variables:', '');
  for (const v of d.variables) {
    const notes = [v.type, v.valueSource, ...(v.sensitive ? ['sensitive'] : [])].join(', ');
    out.push(`var.${v.name}: ${v.value}  (${notes})`);
  }
  if (d.variables.length > 0) out.push('');
  out.push('> local-variables:', '');
  for (const l of d.locals) out.push(`local.${l.name}: ${l.value}`);
  if (d.locals.length > 0) out.push('');
  out.push('> sources:', '');
  for (const s of d.sources) out.push(`  ${s.type}.${s.name}  (${s.file}:${s.line})`);
  if (d.sources.length > 0) out.push('');
  if (d.dataSources.length > 0) {
    out.push('> data-sources:', '');
    for (const s of d.dataSources) out.push(`  data.${s.type}.${s.name}  (${s.file}:${s.line})`);
    out.push('');
  }
  out.push('> builds:', '');
  d.builds.forEach((b, i) => {
    out.push(`  > ${b.name === '' ? `<unnamed build ${i}>` : b.name}:`, '');
    if (b.description !== '') out.push(`    description: ${b.description}`, '');
    out.push('    sources:', '');
    for (const s of b.sources) out.push(`      ${s}`);
    out.push('');
    if (b.provisioners.length > 0) {
      out.push('    provisioners:', '');
      for (const p of b.provisioners) out.push(`      ${label(p)}`);
      out.push('');
    }
    if (b.errorCleanupProvisioner !== null) {
      out.push('    error-cleanup-provisioner:', '', `      ${label(b.errorCleanupProvisioner)}`, '');
    }
    if (b.postProcessors.length > 0) {
      out.push('    post-processors:', '');
      b.postProcessors.forEach((chain, j) => {
        out.push(`      ${j}:`);
        for (const pp of chain) out.push(`        ${label(pp)}`);
      });
      out.push('');
    }
  });
  return `${out.join('\n')}\n`;
}

function label(p: { type: string; name: string | null }): string {
  return p.name === null ? p.type : `${p.type} (${p.name})`;
}
