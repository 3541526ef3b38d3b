// HCL-style diagnostics: severity, one-line summary, a detail sentence and the source span.
// Every user-facing problem with a template (syntax, types, references, validation) is one
// of these, never an exception with a stack trace.
import type { Range } from './ast.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** One line, no trailing period: "Unsupported argument". */
  summary: string;
  /** Whole sentences saying what is wrong and what to do. */
  detail: string;
  /** The span the problem is about; underlined in the code frame. */
  subject?: Range;
  /** A larger enclosing span, shown for context when given. */
  context?: Range;
}

export function error(summary: string, detail: string, subject?: Range): Diagnostic {
  return subject ? { severity: 'error', summary, detail, subject } : { severity: 'error', summary, detail };
}

export function warning(summary: string, detail: string, subject?: Range): Diagnostic {
  return subject ? { severity: 'warning', summary, detail, subject } : { severity: 'warning', summary, detail };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/**
 * How many diagnostics one file reports. A file of garbage (a megabyte of NUL bytes) would
 * otherwise report one per character: output quadratic in the input for no reader's benefit.
 */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/**
 * The first MAX_DIAGNOSTICS_PER_FILE diagnostics of a sorted list, then one that counts
 * the rest (located at the first one left out).
 */
export function capDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  if (diags.length <= MAX_DIAGNOSTICS_PER_FILE) return diags;
  const kept = diags.slice(0, MAX_DIAGNOSTICS_PER_FILE);
  const rest = diags.length - kept.length;
  const first = diags[MAX_DIAGNOSTICS_PER_FILE];
  kept.push(
    error(
      'Too many errors',
      `${rest} more problem${rest === 1 ? '' : 's'} in this file ${rest === 1 ? 'is' : 'are'} not shown, from here on. Fix the ones above first; many are likely consequences of them.`,
      first?.subject,
    ),
  );
  return kept;
}
