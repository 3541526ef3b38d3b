// `imgbuild validate`: everything `build` would check before touching the system — syntax,
// types, references, variable validations, and each plugin's prepare() — all reported at once.
import { ExitCode } from '../../core/errors.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { loadForCli, planForCli, reportOrThrow, type TemplateFlags } from '../load.js';
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
  const loaded = await loadForCli(templatePath, flags, io);
  const plan = await planForCli(loaded, flags, io);
  // validatePlan runs every plugin's pure prepare(); only the definitions of the plugins the
  // template uses are imported, never a runtime.
  const [{ validatePlan }, { registerBuiltins }] = await Promise.all([import('../../core/registry.js'), import('../plugins.js')]);
  registerBuiltins();
  const diagnostics: Diagnostic[] = await validatePlan(plan);
  await reportOrThrow(diagnostics, loaded.sources, flags, io);
  io.stdout.write('The configuration is valid.\n');
  return ExitCode.OK;
}
