// Decoding of template literal tokens: backslash escapes in quoted strings, and the
// `$${` / `%%{` escapes that every template (quoted or heredoc) understands.
import type { Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';

const HEX = /^[0-9a-fA-F]+$/;

/** Decodes a QuotedLit (quoted=true) or StringLit (quoted=false) token's text. */
export function decodeLiteral(text: string, quoted: boolean, range: Range, diags: Diagnostic[]): string {
  if (text.indexOf('\\') < 0 && text.indexOf('{') < 0) return text;
  const out: string[] = [];
  let chunk = 0;
  const len = text.length;
  for (let k = 0; k < len; k++) {
    const c = text.charCodeAt(k);
    if ((c === 36 || c === 37) && text.charCodeAt(k + 1) === c && text.charCodeAt(k + 2) === 123) {
      out.push(text.slice(chunk, k + 1), '{');
      k += 2;
      chunk = k + 1;
      continue;
    }
    if (!quoted || c !== 92) continue;
    out.push(text.slice(chunk, k));
    const sel = text[k + 1];
    let width = 2;
    switch (sel) {
      case 'n':
        out.push('\n');
        break;
      case 'r':
        out.push('\r');
        break;
      case 't':
        out.push('\t');
        break;
      case '"':
        out.push('"');
        break;
      case '\\':
        out.push('\\');
        break;
      case 'u':
      case 'U': {
        const want = sel === 'u' ? 4 : 8;
        const hex = text.slice(k + 2, k + 2 + want);
        width = 2 + want;
        const cp = hex.length === want && HEX.test(hex) ? parseInt(hex, 16) : -1;
        if (cp < 0) {
          width = 2 + (hex.match(/^[0-9a-fA-F]*/)?.[0].length ?? 0);
          diags.push(
            error(
              'Invalid escape sequence',
              sel === 'u'
                ? 'The \\u escape sequence must be followed by four hexadecimal digits.'
                : 'The \\U escape sequence must be followed by eight hexadecimal digits.',
              subRange(text, range, k, k + width),
            ),
          );
        } else if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          diags.push(
            error(
              'Invalid escape sequence',
              `Cannot encode character U+${cp.toString(16).padStart(4, '0')} in UTF-8.`,
              subRange(text, range, k, k + width),
            ),
          );
        } else {
          out.push(String.fromCodePoint(cp));
        }
        break;
      }
      case undefined:
        width = 1;
        diags.push(
          error('Invalid escape sequence', 'Backslash must be followed by an escape sequence selector character.', subRange(text, range, k, k + 1)),
        );
        break;
      default:
        diags.push(
          error('Invalid escape sequence', `The symbol "${sel}" is not a valid escape sequence selector.`, subRange(text, range, k, k + 2)),
        );
        out.push(sel);
    }
    k += width - 1;
    chunk = k + 1;
  }
  out.push(text.slice(chunk));
  return out.join('');
}

/** The range of text[from, to) given the range of a single-line token's text. */
function subRange(text: string, range: Range, from: number, to: number): Range {
  const col = (n: number): number => range.start.column + [...text.slice(0, n)].length;
  return {
    filename: range.filename,
    start: { line: range.start.line, column: col(from), byte: range.start.byte + from },
    end: { line: range.start.line, column: col(to), byte: range.start.byte + to },
  };
}
