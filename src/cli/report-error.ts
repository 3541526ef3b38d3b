// The one top-level catch: a typed error becomes a short message (template problems with
// code frames) and its exit code; anything else is a bug in imgbuild and shows its stack.
import { CancelledError, DiagnosticsError, ExitCode, ImgbuildError } from '../core/errors.js';
import { UsageError } from './argv.js';
import { wantsColor, type CliIo } from './io.js';
import { printDiagnostics, SourcedDiagnosticsError } from './diagnostics.js';

/**
 * Thrown by commands whose problem is already printed (e.g. `fmt -check` listing files):
 * carries only the exit code.
 */
export class ExitError extends ImgbuildError {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super('E_EXIT', message, { source: 'user' });
    this.exitCode = exitCode;
  }
}

export async function handleError(err: unknown, io: CliIo, colorFlag: boolean | undefined): Promise<number> {
  const color = wantsColor(io, colorFlag);
  if (err instanceof ExitError) {
    if (err.message !== '') io.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof DiagnosticsError) {
    await printDiagnostics(err.diagnostics, sourcesOf(err), io, color);
    return ExitCode.FAILURE;
  }
  if (err instanceof CancelledError) {
    io.stderr.write(`${paint('Cancelled:', color)} ${err.message}\n`);
    return ExitCode.INTERRUPTED;
  }
  if (err instanceof UsageError) {
    io.stderr.write(`${paint('Error:', color)} ${err.message}\nRun 'imgbuild --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  if (err instanceof ImgbuildError && err.source !== 'internal') {
    io.stderr.write(`${paint('Error:', color)} ${err.message}\n`);
    return ExitCode.FAILURE;
  }
  const stack = err instanceof Error && err.stack !== undefined ? err.stack : String(err);
  io.stderr.write(
    `imgbuild: internal error: ${stack}\n\nThis is a bug in imgbuild; please report it with the command you ran.\n`,
  );
  return ExitCode.INTERNAL;
}

function sourcesOf(err: DiagnosticsError): ReadonlyMap<string, string> {
  return err instanceof SourcedDiagnosticsError ? err.sources : new Map();
}

function paint(text: string, color: boolean): string {
  return color ? `\x1b[1;31m${text}\x1b[0m` : text;
}
