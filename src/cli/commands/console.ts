// `imgbuild console`: evaluate expressions against a template's variables and locals. On a
// terminal it is an interactive prompt (node:readline, with history); otherwise it reads
// one expression per line from stdin, prints each result, and exits 1 if any line failed —
// so scripts can use it as an expression evaluator.
import { createInterface } from 'node:readline';
import { ExitCode } from '../../core/errors.js';
import { hasErrors } from '../../hcl/diagnostic.js';
import type { Template } from '../../template/types.js';
import { evaluateInTemplate } from '../../template/inspect.js';
import { printDiagnostics } from '../diagnostics.js';
import { formatValue } from '../format-value.js';
import { loadForCli, type TemplateFlags } from '../load.js';
import { wantsColor, type CliIo } from '../io.js';

export type ConsoleFlags = TemplateFlags;

export async function runConsole(templatePath: string | undefined, flags: ConsoleFlags, io: CliIo): Promise<number> {
  const loaded = templatePath === undefined ? null : await loadForCli(templatePath, flags, io, { lenient: true });
  const template = loaded?.template ?? emptyTemplate(io.cwd);
  const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const rl = createInterface({
    input: io.stdin,
    output: interactive ? io.stdout : undefined,
    terminal: interactive,
    historySize: 200,
  });
  let failed = false;
  if (interactive) {
    io.stdout.write('imgbuild console: type an expression, "exit" or Ctrl-D to quit.\n');
    rl.setPrompt('> ');
    rl.prompt();
  }
  for await (const line of rl) {
    const text = line.trim();
    if (text === 'exit' || text === 'quit') break;
    if (text !== '') {
      const ok = await evaluateLine(text, template, flags, io);
      failed ||= !ok;
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  // Interactive mistakes are part of exploring; only a script's failed lines fail the run.
  return failed && !interactive ? ExitCode.FAILURE : ExitCode.OK;
}

async function evaluateLine(text: string, template: Template, flags: ConsoleFlags, io: CliIo): Promise<boolean> {
  const result = evaluateInTemplate(text, template);
  const sources = new Map(template.sources);
  sources.set('<console-input>', text);
  await printDiagnostics(result.diagnostics, sources, io, wantsColor(io, flags.color));
  if (hasErrors(result.diagnostics)) return false;
  io.stdout.write(`${formatValue(result.value)}\n`);
  return true;
}

/** Without a template only functions and literals are available, as with `packer console`. */
function emptyTemplate(cwd: string): Template {
  return {
    dir: cwd,
    cwd,
    files: [],
    sources: new Map(),
    requiredVersion: null,
    requiredPlugins: [],
    variables: new Map(),
    locals: new Map(),
    sourceBlocks: new Map(),
    dataSources: new Map(),
    builds: [],
    now: () => new Date(),
  };
}
