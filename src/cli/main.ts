// The imgbuild command line. Every command's module is imported only when that command
// runs, so `--help`, `version` and `validate` never load listr2, tar or any builder code:
// start-up time is what users feel on every `validate` in an editor or a CI lint step.
// This file holds the one top-level catch that turns typed errors into exit codes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../core/errors.js';
import { normaliseArgv } from './argv.js';
import { processIo, type CliIo } from './io.js';
import { handleError } from './report-error.js';
import type { BuildFlags } from './commands/build.js';
import type { ValidateFlags } from './commands/validate.js';
import type { InspectFlags } from './commands/inspect.js';
import type { FmtFlags } from './commands/fmt.js';
import type { ConsoleFlags } from './commands/console.js';
import type { CleanupFlags } from './commands/cleanup.js';
import type { PruneFlags } from './commands/cache.js';

/** Entry point called by bin/imgbuild with the raw process.argv. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<void> {
  // `imgbuild inspect | head` closes the pipe early: that is the reader's choice, not a crash.
  io.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  // If a bug leaves a promise that never settles, Node exits when the event loop drains,
  // with status 0 and no word. Catch that: a command that never finished is a failure.
  let finished = false;
  const onExit = (): void => {
    if (finished) return;
    io.stderr.write('imgbuild: internal error: the command stopped before finishing (an operation never completed); please report this\n');
    process.exitCode = ExitCode.INTERNAL;
  };
  process.once('exit', onExit);
  const code = await run(argv.slice(2), io);
  finished = true;
  process.removeListener('exit', onExit);
  // Let pending writes drain instead of process.exit(): piped stdout would be cut short.
  process.exitCode = code;
}

/** Runs one command line (without node and script) and returns the exit code. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let colorFlag: boolean | undefined;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  program.hook('preAction', (_this, cmd) => {
    const color = cmd.opts<{ color?: boolean }>().color;
    if (color === false) colorFlag = false;
  });
  try {
    await program.parseAsync(normaliseArgv(args), { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err, io);
    return handleError(err, io, colorFlag);
  }
}

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function commanderExit(err: CommanderError, io: CliIo): number {
  // Help and version "errors" are commander's way of saying "done"; everything else it
  // throws is a usage problem it has already printed.
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
    return ExitCode.OK;
  }
  if (err.code === 'commander.help') return ExitCode.USAGE;
  io.stderr.write(`Run 'imgbuild --help' or 'imgbuild <command> --help' for usage.\n`);
  return ExitCode.USAGE;
}

const JOURNAL_HELP =
  'resource journal directory (default: $IMGBUILD_STATE_DIR/journal, else $XDG_STATE_HOME/imgbuild/journal, else ~/.local/state/imgbuild/journal)';

const SINGLE_DASH_NOTE = `
Options may be written with one dash as in Packer: -var-file=prod.pkrvars.hcl, -only=a,b,
-color=false, -write=false.`;

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('imgbuild')
    .description('Build machine and container images from Packer-style HCL2 templates.')
    .version(version(), '-v, --version', 'print the imgbuild version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`Error: ${s.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  imgbuild validate .
  imgbuild build -var 'version=1.2.3' -only='container.*' template.pkr.hcl
  imgbuild fmt -check -recursive .
  imgbuild cleanup --dry-run
  imgbuild cache prune --older-than=7d

Exit codes: 0 success, 1 build or template error, 2 usage error, 3 fmt -check found
unformatted files, 70 internal error, 130 interrupted.
${SINGLE_DASH_NOTE}`,
    );

  const done = (p: Promise<number>): Promise<void> => p.then(setExit);

  templateOptions(program.command('build'))
    .description('Build the images described by a template (a .pkr.hcl file or a directory).')
    .argument('<template>', 'template file or directory of *.pkr.hcl files')
    .addOption(
      new Option('--on-error <mode>', 'what to do when a build fails')
        .choices(['cleanup', 'abort', 'ask', 'run-cleanup-provisioner'])
        .default('cleanup'),
    )
    .option('--parallel-builds <n>', 'number of builds to run at once (0: all)', '0')
    .option('--force', 'overwrite existing artifacts (output directories, tags)')
    .option('--debug', 'pause before every step and keep temporary files')
    .option('--machine-readable', "print Packer's machine-readable lines (timestamp,target,type,data)")
    .option('--json', 'print one JSON event per line (NDJSON)')
    .option('--timestamp-ui', 'prefix every line with a timestamp')
    .option('--journal-dir <dir>', JOURNAL_HELP)
    .option('--no-color', 'disable colored output (also: NO_COLOR=1, -color=false)')
    .option('--no-cache', 'run every step; do not reuse cached step results')
    .option('--cache-from <ref>', 'also look for cached steps in this registry repository (repeatable)', collect)
    .option('--cache-to <ref>', 'push cached steps to this registry repository')
    .addHelpText(
      'after',
      `
SIGINT or SIGTERM cancels the running builds, runs every cleanup in reverse order and exits
with status 130. A killed build's leftovers are removed by 'imgbuild cleanup'.

Examples:
  imgbuild build .
  imgbuild build -var-file=prod.pkrvars.hcl -parallel-builds=1 template.pkr.hcl
  imgbuild build -only='*.app' -on-error=abort .
  imgbuild build -except='qemu.*' -force .
  imgbuild build --json . > events.ndjson
${SINGLE_DASH_NOTE}`,
    )
    .action((template: string, flags: BuildFlags) =>
      done(import('./commands/build.js').then((m) => m.runBuild(template, flags, io))),
    );

  templateOptions(program.command('validate'))
    .description('Check that a template is valid: syntax, types, references and every plugin config.')
    .argument('<template>', 'template file or directory of *.pkr.hcl files')
    .option('--syntax-only', 'only check the HCL syntax; do not evaluate or check plugin configs')
    .option('--no-color', 'disable colored diagnostics')
    .addHelpText(
      'after',
      `
Examples:
  imgbuild validate .
  imgbuild validate -syntax-only template.pkr.hcl
  imgbuild validate -var 'region=eu-west-1' -var-file=prod.pkrvars.hcl .
${SINGLE_DASH_NOTE}`,
    )
    .action((template: string, flags: ValidateFlags) =>
      done(import('./commands/validate.js').then((m) => m.runValidate(template, flags, io))),
    );

  templateOptions(program.command('inspect'))
    .description("List a template's variables, locals, sources and builds with their provisioners in order.")
    .argument('<template>', 'template file or directory of *.pkr.hcl files')
    .option('--no-color', 'disable colored diagnostics')
    .addHelpText('after', `\nExamples:\n  imgbuild inspect .\n  imgbuild inspect -var-file=prod.pkrvars.hcl template.pkr.hcl\n`)
    .action((template: string, flags: InspectFlags) =>
      done(import('./commands/inspect.js').then((m) => m.runInspect(template, flags, io))),
    );

  program
    .command('fmt')
    .description('Rewrite .pkr.hcl and .pkrvars.hcl files in the canonical format.')
    .argument('[paths...]', 'files or directories; "-" reads stdin and writes stdout', ['.'])
    .option('--check', 'only check: exit 3 when any file is not formatted (nothing is written)')
    .option('--diff', 'print a unified diff of the changes')
    .option('--no-write', 'do not write the files (-write=false); implied by -check')
    .option('--recursive', 'also format files in subdirectories')
    .option('--no-color', 'disable colored diagnostics')
    .addHelpText(
      'after',
      `
Prints the name of every file that was (or, with -check, would be) changed.
Exit status: 0 all formatted, 3 -check found unformatted files (as packer and terraform),
1 a file could not be parsed.

Examples:
  imgbuild fmt .
  imgbuild fmt -check -diff -recursive .
  cat template.pkr.hcl | imgbuild fmt -
${SINGLE_DASH_NOTE}`,
    )
    .action((paths: string[], flags: FmtFlags) =>
      done(import('./commands/fmt.js').then((m) => m.runFmt(paths, flags, io))),
    );

  templateOptions(program.command('console'), false)
    .description('Evaluate expressions against a template: an interactive prompt on a terminal, one per line otherwise.')
    .argument('[template]', 'template file or directory (optional)')
    .option('--no-color', 'disable colored diagnostics')
    .addHelpText(
      'after',
      `
Examples:
  imgbuild console .
  echo 'upper(var.name)' | imgbuild console template.pkr.hcl
  echo '[for s in ["a","b"] : "\${s}-x"]' | imgbuild console
`,
    )
    .action((template: string | undefined, flags: ConsoleFlags) =>
      done(import('./commands/console.js').then((m) => m.runConsole(template, flags, io))),
    );

  program
    .command('cleanup')
    .description('Remove what killed or aborted builds left behind, as recorded in the resource journal.')
    .option('--dry-run', 'list what would be removed; remove nothing')
    .option('--list', 'list every run with resources still recorded, including running ones')
    .option('--journal-dir <dir>', JOURNAL_HELP)
    .addHelpText(
      'after',
      `
Runs whose process is still alive are never touched.

Examples:
  imgbuild cleanup --list
  imgbuild cleanup --dry-run
  imgbuild cleanup
`,
    )
    .action((flags: CleanupFlags) => done(import('./commands/cleanup.js').then((m) => m.runCleanup(flags, io))));

  const cache = program
    .command('cache')
    .description('Inspect and prune the local step cache ($IMGBUILD_CACHE_DIR/steps).')
    .addHelpText('after', `\nExamples:\n  imgbuild cache ls\n  imgbuild cache du\n  imgbuild cache prune --older-than=7d\n  imgbuild cache prune --max-size=5GB\n`);
  cache
    .command('ls')
    .description('List cached steps, most recently used first.')
    .action(() => done(import('./commands/cache.js').then((m) => m.runCacheLs(io))));
  cache
    .command('du')
    .description('Show how much disk the step cache uses.')
    .action(() => done(import('./commands/cache.js').then((m) => m.runCacheDu(io))));
  cache
    .command('prune')
    .description('Remove cached steps (default: those unused for 7 days).')
    .option('--older-than <age>', 'remove entries unused for this long (7d, 2w, 36h, 90m)')
    .option('--max-size <size>', 'remove least recently used entries until the cache fits (5GB, 500MB, 2GiB)')
    .option('--all', 'remove everything')
    .action((flags: PruneFlags) => done(import('./commands/cache.js').then((m) => m.runCachePrune(flags, io))));

  program
    .command('version')
    .description('Print the imgbuild version.')
    .action(() => done(Promise.resolve(printVersion(io))));

  return program;
}

function printVersion(io: CliIo): number {
  io.stdout.write(`imgbuild v${version()}\n`);
  return ExitCode.OK;
}

/** Repeatable options; no default is declared so help does not print "(default: [])". */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** -var, -var-file, -only, -except: shared by every command that loads a template. */
function templateOptions(cmd: Command, filters = true): Command {
  cmd
    .option('--var <name=value>', 'set a variable (repeatable)', collect)
    .option('--var-file <path>', 'read variables from a .pkrvars.hcl or .pkrvars.json file (repeatable)', collect);
  if (filters) {
    cmd
      .option('--only <globs>', 'only these builds, comma-separated globs ("container.*,*.app")', collect)
      .option('--except <globs>', 'all builds except these, comma-separated globs', collect);
  }
  return cmd;
}
