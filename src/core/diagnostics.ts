// One-line text for diagnostics inside build events (`Build 'x' errored: ...`). Full code
// frames are the CLI's job (src/hcl's renderer), which receives the DiagnosticsError itself.
import type { Diagnostic } from '../hcl/diagnostic.js';

export function diagnosticLine(d: Diagnostic): string {
  const at = d.subject ? ` (${d.subject.filename}:${d.subject.start.line},${d.subject.start.column})` : '';
  return `${d.summary}${at}: ${d.detail}`;
}

export function diagnosticsText(diags: readonly Diagnostic[]): string {
  return diags.map(diagnosticLine).join('\n');
}
