// Encoding functions: base64 (strict, like Go's StdEncoding), gzip, CSV (Go's encoding/csv
// rules), JSON (cty's marshalling), URL query escaping, YAML (yaml.ts) and text encodings by
// IANA name.
import { gzipSync } from 'node:zlib';
import type { Value, ValueObject } from '../../core/model/value.js';
import { bracketDepth, decodeBase64Strict, marshalJSON, setKey } from './shared.js';
import { decodeYaml, encodeYaml, YamlError } from './yaml.js';
import { define, MAX_VALUE_DEPTH, type Args, type FunctionDef } from './types.js';

const str = { name: 'str', type: 'string' };

export const encodingFunctions: FunctionDef[] = [
  define({ name: 'base64decode', params: [str] }, (a) => {
    const s = a.str(0);
    const bytes = decodeBase64Strict(s);
    if (bytes === null) throw a.fail(`failed to decode base64 data ${JSON.stringify(s)}`);
    const text = decodeUtf8(bytes);
    if (text === null) throw a.fail('the result of decoding the provided string is not valid UTF-8');
    return text;
  }),
  define({ name: 'base64encode', params: [str] }, (a) => Buffer.from(a.str(0), 'utf8').toString('base64')),
  define({ name: 'base64gzip', params: [str] }, (a) => gzipGo(Buffer.from(a.str(0), 'utf8')).toString('base64')),
  define({ name: 'csvdecode', params: [str] }, (a) => csvDecode(a)),
  define({ name: 'jsondecode', params: [str] }, (a) => {
    const text = a.str(0);
    const depth = bracketDepth(text, '"');
    if (depth > MAX_VALUE_DEPTH) throw a.fail(`the JSON nests ${depth} levels deep; the limit is ${MAX_VALUE_DEPTH}`);
    try {
      return JSON.parse(text) as Value;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // Go reports running out of input the same way whatever was expected next.
      const pos = /at position (\d+)/.exec(msg);
      const atEnd = /end of (JSON|data)/i.test(msg) || (pos !== null && Number(pos[1]) >= text.trimEnd().length);
      throw a.fail(atEnd ? 'unexpected end of JSON input' : msg);
    }
  }),
  define({ name: 'jsonencode', params: [{ name: 'val', type: 'any', allowNull: true }] }, (a) => {
    try {
      return marshalJSON(a.raw(0));
    } catch (e) {
      throw a.error(0, e instanceof Error ? e.message : String(e));
    }
  }),
  define({ name: 'urlencode', params: [str] }, (a) => queryEscape(a.str(0))),
  define({ name: 'yamldecode', params: [{ name: 'src', type: 'string' }] }, (a) => {
    try {
      return decodeYaml(a.str(0));
    } catch (e) {
      if (e instanceof YamlError) throw a.fail(e.message);
      throw e;
    }
  }),
  define({ name: 'yamlencode', params: [{ name: 'value', type: 'any', allowNull: true }] }, (a) => encodeYaml(a.raw(0))),
  define({ name: 'textencodebase64', params: [{ name: 'string', type: 'string' }, { name: 'encoding', type: 'string' }] }, (a) => {
    const s = a.str(0);
    const enc = lookupEncoding(a, 1);
    const bytes = enc.encode(s);
    if (bytes === null) throw a.error(0, `the given string contains characters that cannot be represented in ${enc.name}`);
    return bytes.toString('base64');
  }),
  define({ name: 'textdecodebase64', params: [{ name: 'source', type: 'string' }, { name: 'encoding', type: 'string' }] }, (a) => {
    const src = a.str(0);
    const enc = lookupEncoding(a, 1);
    const bytes = decodeBase64Strict(src);
    if (bytes === null) {
      const bad = src.search(/[^A-Za-z0-9+/=\r\n]/);
      throw a.error(0, `the given value is has an invalid base64 symbol at offset ${bad < 0 ? src.length : bad}`);
    }
    const text = enc.decode(bytes);
    if (text === null) throw a.error(0, `the given string contains symbols that are not defined for ${enc.name}`);
    return text;
  }),
];

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** gzip with Go's default header (no name, mtime 0, OS "unknown") so output is stable. */
function gzipGo(data: Buffer): Buffer {
  const out = gzipSync(data);
  out[9] = 0xff;
  return out;
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function csvDecode(a: Args): Value {
  let records: string[][];
  try {
    records = parseCsv(a.str(0));
  } catch (e) {
    if (e instanceof CsvError) throw a.fail(e.message);
    throw e;
  }
  const header = records[0];
  if (!header) throw a.fail('missing header line');
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) throw a.fail(`duplicate column name ${JSON.stringify(dup)}`);
  return records.slice(1).map((r) => {
    const o: ValueObject = {};
    header.forEach((h, i) => setKey(o, h, r[i] ?? ''));
    return o;
  });
}

class CsvError extends Error {}

/** Go's encoding/csv reader with default settings: RFC 4180 quoting, equal field counts. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let line = 1;
  let i = 0;
  let fieldCount = -1;
  while (i < text.length) {
    const startLine = line;
    // Go skips empty lines between records.
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= text.length) {
            throw new CsvError(`CSV parse error on line ${quoteLine}: extraneous or missing " in quoted-field`);
          }
          const c = text[i] as string;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          if (c === '\r' && text[i + 1] === '\n') {
            i++;
            continue;
          }
          field += c;
          i++;
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
          throw new CsvError(`CSV parse error on line ${line}: extraneous or missing " in quoted-field`);
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') throw new CsvError(`CSV parse error on line ${line}: bare " in non-quoted-field`);
          field += text[i];
          i++;
        }
      }
      record.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    if (fieldCount < 0) fieldCount = record.length;
    else if (record.length !== fieldCount) {
      throw new CsvError(`CSV parse error on line ${startLine}: wrong number of fields`);
    }
    records.push(record);
  }
  return records;
}

interface TextEncoding {
  name: string;
  encode(s: string): Buffer | null;
  decode(b: Buffer): string | null;
}

function lookupEncoding(a: Args, i: number): TextEncoding {
  const name = a.str(i);
  const enc = ENCODINGS[name.toLowerCase().replace(/[_\s]/g, '-')];
  if (!enc) throw a.error(i, `${JSON.stringify(name)} is not a supported IANA encoding name or alias`);
  return enc;
}

const utf8: TextEncoding = {
  name: 'UTF-8',
  encode: (s) => Buffer.from(s, 'utf8'),
  decode: decodeUtf8,
};
const utf16le: TextEncoding = {
  name: 'UTF-16LE',
  encode: (s) => Buffer.from(s, 'utf16le'),
  decode: (b) => (b.length % 2 === 0 ? b.toString('utf16le') : null),
};
const utf16be: TextEncoding = {
  name: 'UTF-16BE',
  encode: (s) => Buffer.from(s, 'utf16le').swap16(),
  decode: (b) => (b.length % 2 === 0 ? Buffer.from(b).swap16().toString('utf16le') : null),
};
const latin1: TextEncoding = {
  name: 'ISO-8859-1',
  encode: (s) => (/^[\u0000-\u00ff]*$/.test(s) ? Buffer.from(s, 'latin1') : null),
  decode: (b) => b.toString('latin1'),
};
const ascii: TextEncoding = {
  name: 'US-ASCII',
  encode: (s) => (/^[\u0000-\u007f]*$/.test(s) ? Buffer.from(s, 'latin1') : null),
  decode: (b) => (b.every((x) => x < 0x80) ? b.toString('latin1') : null),
};

const ENCODINGS: Record<string, TextEncoding> = {
  'utf-8': utf8,
  utf8: utf8,
  'utf-16le': utf16le,
  'utf-16be': utf16be,
  'iso-8859-1': latin1,
  'iso8859-1': latin1,
  latin1: latin1,
  l1: latin1,
  'iso-ir-100': latin1,
  'us-ascii': ascii,
  ascii: ascii,
};
