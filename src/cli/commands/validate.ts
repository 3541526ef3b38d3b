// `imgbuild validate`: everything `build` would check before touching the system — syntax,
// types, references, variable validations, and each plugin's prepare() — all reported at once.
import { ExitCode } from '../../core/errors.js';
import type { Range } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { hasErrors } from '../../hcl/diagnostic.js';
import type { BuildPlan } from '../../core/model/plan.js';
import { planBuilds } from '../../template/planner.js';
import { dedupe } from '../../template/schema.js';
import { splitList } from '../argv.js';
import { loadForCli, reportOrThrow, type TemplateFlags } from '../load.js';
import { checkSyntax } from '../syntax.js';
import type { CliIo } from '../io.js';

export interface ValidateFlags extends TemplateFlags {
  syntaxOnly?: boolean;
}

export async function runValidate(templatePath: string, flags: ValidateFlags, io: CliIo): Promise<number> {
  if (flags.syntaxOnly === true) {
    await checkSyntax(templatePath, flags, io);
    io.stdout.write('Syntax-only check passed. Everything looks okay.\n');
    return ExitCode.OK;
  }
  // Errors of the load (a data source imgbuild lacks, a value that failed) are reported
  // together with every plugin's, as one list: a user fixes them all in one pass.
  const loaded = await loadForCli(templatePath, flags, io, { dataSources: 'validate', deferErrors: true });
  const planned = planBuilds(loaded.template, { only: splitList(flags.only ?? []), except: splitList(flags.except ?? []) });
  const diagnostics: Diagnostic[] = [...loaded.deferred];
  if (!hasErrors(loaded.deferred)) {
    diagnostics.push(...planned.diagnostics);
    // validatePlan runs every plugin's pure prepare(); only the definitions of the plugins
    // the template uses are imported, never a runtime.
    const [{ validatePlan }, { registerBuiltins }] = await Promise.all([import('../../core/registry.js'), import('../plugins.js')]);
    registerBuiltins();
    if (planned.plan) diagnostics.push(...(await validatePlan(planned.plan)));
  } else if (planned.plan) {
    // Values are incomplete after an error: the plan and configs would only report its
    // consequences. Which plugins imgbuild lacks is still worth knowing now.
    diagnostics.push(...(await unknownPluginTypes(planned.plan)));
  }
  await reportOrThrow(dedupe(diagnostics), loaded.sources, flags, io);
  io.stdout.write('The configuration is valid.\n');
  return ExitCode.OK;
}

/** Every plugin type the plan names that imgbuild has none of, at its type label. */
async function unknownPluginTypes(plan: BuildPlan): Promise<Diagnostic[]> {
  const { isKnownPlugin, unknownPluginDiagnostic } = await import('../../core/registry.js');
  const { registerBuiltins } = await import('../plugins.js');
  registerBuiltins();
  const out: Diagnostic[] = [];
  const check = (kind: 'builder' | 'provisioner' | 'post-processor', p: { type: string; typeRange: Range }): void => {
    if (!isKnownPlugin(kind, p.type)) out.push(unknownPluginDiagnostic(kind, p.type, p.typeRange));
  };
  for (const b of plan.builds) {
    check('builder', b.source);
    for (const p of [...b.provisioners, ...(b.errorCleanupProvisioner ? [b.errorCleanupProvisioner] : [])]) check('provisioner', p);
    for (const pp of b.postProcessorChains.flat()) check('post-processor', pp);
  }
  return out;
}
