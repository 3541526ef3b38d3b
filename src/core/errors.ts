// Typed errors. Every error carries a code and says whose fault it is; the one top-level
// handler in src/cli turns them into exit codes and never prints a stack trace for a user
// error. Library code throws these, never a bare Error.
import type { Diagnostic } from '../hcl/diagnostic.js';

export type ErrorSource = 'user' | 'environment' | 'internal';

export class ImgbuildError extends Error {
  readonly code: string;
  readonly source: ErrorSource;
  constructor(code: string, message: string, opts: { source?: ErrorSource; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ImgbuildError';
    this.code = code;
    this.source = opts.source ?? 'user';
  }
}

/** A template or configuration problem: one or more HCL diagnostics. */
export class DiagnosticsError extends ImgbuildError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
    super('E_TEMPLATE', first ? first.summary : 'invalid template', { source: 'user' });
    this.diagnostics = diagnostics;
  }
}

/** A step or provisioner failed (non-zero exit, API error...). */
export class BuildError extends ImgbuildError {
  constructor(message: string, opts: { code?: string; source?: ErrorSource; cause?: unknown } = {}) {
    super(opts.code ?? 'E_BUILD', message, { source: opts.source ?? 'user', cause: opts.cause });
  }
}

/** The build was interrupted (SIGINT/SIGTERM) or cancelled. */
export class CancelledError extends ImgbuildError {
  constructor(message = 'build cancelled') {
    super('E_CANCELLED', message, { source: 'user' });
  }
}

/** A host tool or facility is missing or broken (runc absent, no overlayfs...). */
export class EnvironmentError extends ImgbuildError {
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super(opts.code ?? 'E_ENVIRONMENT', message, { source: 'environment', cause: opts.cause });
  }
}

export function isImgbuildError(e: unknown): e is ImgbuildError {
  return e instanceof ImgbuildError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Exit codes, documented in the README. */
export const ExitCode = {
  OK: 0,
  /** Build failed, template invalid, or a user error. */
  FAILURE: 1,
  /** Command-line usage error. */
  USAGE: 2,
  /** Interrupted by SIGINT/SIGTERM. */
  INTERRUPTED: 130,
  /** A bug in imgbuild. */
  INTERNAL: 70,
} as const;

/** The CancelledError a signal was aborted with (the CLI names the signal), or a generic one. */
export function cancelledBy(signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  return reason instanceof CancelledError ? reason : new CancelledError();
}

/** Thrown by Ui.ask when nobody can answer (no TTY, CI=true, machine-readable output). */
export class NonInteractiveError extends ImgbuildError {
  constructor(question: string) {
    super('E_NONINTERACTIVE', `cannot ask "${question.split('\n')[0] ?? ''}": not running interactively`);
  }
}
