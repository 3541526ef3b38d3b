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
