// Errors of the OCI library, umoci-style: short, naming the object first
// (`put layer blob sha256:…: no space left on device`). Codes let callers branch.
import { ImgbuildError, type ErrorSource } from '../core/errors.js';

export class OciError extends ImgbuildError {
  constructor(code: string, message: string, opts: { source?: ErrorSource; cause?: unknown } = {}) {
    super(code, message, { source: opts.source ?? 'user', cause: opts.cause });
    this.name = 'OciError';
  }
}

/** `what: reason`, where reason is the errno text of a Node system error when there is one. */
export function wrapFsError(what: string, e: unknown, code = 'E_OCI_IO'): OciError {
  return new OciError(code, `${what}: ${describeCause(e)}`, { source: 'environment', cause: e });
}

export function describeCause(e: unknown): string {
  if (e instanceof ImgbuildError) return e.message;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err && typeof err.code === 'string') return errnoText(err.code) ?? err.message;
  return e instanceof Error ? e.message : String(e);
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'file exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  EDQUOT: 'disk quota exceeded',
  ECONNREFUSED: 'connection refused',
};

function errnoText(code: string): string | undefined {
  return ERRNO_TEXT[code];
}
