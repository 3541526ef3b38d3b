// Source files are strict UTF-8, as in HCL: a byte that is not part of a valid sequence is a
// located diagnostic, never silently replaced. Replacing it (what Buffer#toString does) would
// let `fmt` write U+FFFD over a Latin-1 file's bytes, a change nobody asked for.
import type { Pos } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';

export interface DecodeResult {
  /** The text; when `diagnostics` is not empty, invalid bytes read as U+FFFD (for code frames only). */
  text: string;
  diagnostics: Diagnostic[];
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes a file's bytes; a leading byte order mark is kept (the lexer skips it). */
export function decodeSource(bytes: Uint8Array, filename: string): DecodeResult {
  try {
    return { text: strict.decode(bytes), diagnostics: [] };
  } catch {
    // Fall through: find where the first invalid sequence is.
  }
  const bad = firstInvalidByte(bytes);
  const before = lossy.decode(bytes.subarray(0, bad));
  const start = positionAfter(before);
  const end: Pos = { line: start.line, column: start.column + 1, byte: start.byte + 1 };
  const hex = (bytes[bad] ?? 0).toString(16).padStart(2, '0');
  return {
    text: lossy.decode(bytes),
    diagnostics: [
      error(
        'Invalid character encoding',
        `All input files must be UTF-8 encoded; byte 0x${hex} at offset ${bad} is not valid UTF-8. Ensure that UTF-8 encoding is selected in your editor, or convert the file (for example with iconv -f latin1 -t utf-8).`,
        { filename, start, end },
      ),
    ],
  };
}

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence. */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = sequenceLength(bytes, i);
    if (len === 0) return i;
    i += len;
  }
  return n;
}

/** Length of the valid sequence at `i`, or 0 (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The position just after `text`, in the AST's terms (columns count code points). */
function positionAfter(text: string): Pos {
  const lastNl = text.lastIndexOf('\n');
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) line++;
  let column = 1;
  for (let k = lastNl + 1; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 0xdc00 || c > 0xdfff) column++;
  }
  return { line, column, byte: text.length };
}
