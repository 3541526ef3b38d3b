// Packer users type `-var-file=x`, `-only=a,b`, `-color=false`: Go's flag package treats one
// and two dashes alike. Commander only knows `--name`, so the arguments are rewritten before
// it parses them. Only names we declare are rewritten, so a value such as `-1` or an unknown
// `-foo` still reaches commander unchanged (and is reported by it as a usage error).
import { ImgbuildError } from '../core/errors.js';

/** Long options that take a value: the next argument is theirs even if it starts with `-`. */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  'var',
  'var-file',
  'only',
  'except',
  'on-error',
  'parallel-builds',
  'journal-dir',
  'cache-from',
  'cache-to',
  'older-than',
  'max-size',
]);

/** Long options written with an optional `=true|false` (Packer's boolean flags). */
export const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set([
  'force',
  'debug',
  'machine-readable',
  'json',
  'timestamp-ui',
  'color',
  'syntax-only',
  'check',
  'diff',
  'write',
  'recursive',
  'dry-run',
  'list',
  'help',
  'version',
  'cache',
  'no-cache',
  'all',
]);

/** Boolean options whose default is true: `-name=false` becomes commander's `--no-name`. */
export const DEFAULT_TRUE_OPTIONS: ReadonlySet<string> = new Set(['color', 'write', 'cache']);

/**
 * Rewrites `-name` and `-name=value` to `--name...` for every declared long option; leaves
 * everything after `--`, and the value of a value-taking option, untouched. A boolean option
 * never takes the next argument as its value (that would swallow the template path): only
 * `-name=false` turns it off, which is rewritten to `--no-name` or dropped when false is the
 * default anyway.
 */
export function normaliseArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  let takesValue = false;
  let rest = false;
  for (const arg of args) {
    if (rest || takesValue) {
      out.push(arg);
      takesValue = false;
      continue;
    }
    if (arg === '--') {
      rest = true;
      out.push(arg);
      continue;
    }
    const m = /^--?([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (m === null || name === undefined) {
      out.push(arg);
      continue;
    }
    const inline = m[2];
    if (VALUE_OPTIONS.has(name)) {
      out.push(inline === undefined ? `--${name}` : `--${name}=${inline}`);
      takesValue = inline === undefined;
    } else if (BOOLEAN_OPTIONS.has(name)) {
      const on = inline === undefined ? true : boolOrNull(inline);
      if (on === null) out.push(`--${name}=${inline ?? ''}`);
      else if (on) {
        if (!DEFAULT_TRUE_OPTIONS.has(name)) out.push(`--${name}`);
      } else if (DEFAULT_TRUE_OPTIONS.has(name)) out.push(`--no-${name}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

function boolOrNull(v: string): boolean | null {
  switch (v.toLowerCase()) {
    case '1':
    case 't':
    case 'true':
      return true;
    case '0':
    case 'f':
    case 'false':
      return false;
    default:
      return null;
  }
}

/** Splits comma-separated globs from repeated `-only`/`-except` flags. */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A bad command line: exit code 2, no stack. */
export class UsageError extends ImgbuildError {
  constructor(message: string) {
    super('E_USAGE', message, { source: 'user' });
  }
}

/** "5GB" (1000-based), "5GiB" (1024-based), "500M", plain bytes; null when not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?$/i.exec(text.trim());
  if (!m) return null;
  const unit = 'kmgt'.indexOf((m[2] ?? '').toLowerCase()) + 1;
  const base = m[3] === '' ? 1000 : 1024;
  return Math.round(Number(m[1]) * base ** unit);
}
