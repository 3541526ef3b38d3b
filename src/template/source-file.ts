// Reading a template or variable file: bytes decoded as strict UTF-8 (see hcl/decode.ts).
import { readFile } from 'node:fs/promises';
import { decodeSource } from '../hcl/decode.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { errorMessage } from '../core/errors.js';

export interface SourceFile {
  /** The text, for code frames; not to be parsed when `decoded` is false. */
  text: string;
  decoded: boolean;
}

/** Null when the file cannot be read; `what` names it in the message ("variable file"). */
export async function readSourceFile(abs: string, display: string, diags: Diagnostic[], what = 'file'): Promise<SourceFile | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (e) {
    diags.push(error(`Cannot read ${what}`, `Reading the ${what} "${display}" failed: ${errorMessage(e)}.`));
    return null;
  }
  const { text, diagnostics } = decodeSource(bytes, display);
  diags.push(...diagnostics);
  return { text, decoded: diagnostics.length === 0 };
}
