// Printing diagnostics for the CLI: errors and warnings with code frames, on stderr.
import type { Diagnostic } from '../hcl/diagnostic.js';
import { DiagnosticsError } from '../core/errors.js';
import type { CliIo } from './io.js';

/** A DiagnosticsError that carries the file contents, so the top-level catch can show code frames. */
export class SourcedDiagnosticsError extends DiagnosticsError {
  readonly sources: ReadonlyMap<string, string>;
  constructor(diagnostics: Diagnostic[], sources: ReadonlyMap<string, string>) {
    super(diagnostics);
    this.sources = sources;
  }
}

/**
 * Sources seen by this process, for errors thrown by code that has no sources at hand (a
 * plugin's prepare called from the core).
 */
const knownSources = new Map<string, string>();

export function rememberSources(sources: ReadonlyMap<string, string>): void {
  for (const [name, text] of sources) knownSources.set(name, text);
}

export async function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  io: CliIo,
  color: boolean,
): Promise<void> {
  if (diagnostics.length === 0) return;
  const all = new Map(knownSources);
  for (const [name, text] of sources) all.set(name, text);
  // The renderer is imported on demand: a successful run never needs it.
  const { renderDiagnostics } = await import('../hcl/render.js');
  const text = renderDiagnostics([...diagnostics], all, { color });
  io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
