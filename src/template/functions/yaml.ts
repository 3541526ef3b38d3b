// YAML for yamldecode and yamlencode, behaving as go-cty-yaml (Packer's YAML functions):
// its scalar resolution on the way in and its go-yaml emitter style on the way out.
import type { Document } from 'yaml';
import { lazyModule } from './lazy.js';

import { formatNumber } from '../convert.js';
import { isObject, type Value, type ValueObject } from '../../core/model/value.js';
import { bracketDepth, decodeBase64Strict, setKey, sortedKeys } from './shared.js';
import { MAX_VALUE_DEPTH } from './types.js';

const yaml = lazyModule<typeof import('yaml')>('yaml');

/** yamldecode: one document to a Value; throws YamlError with cty-yaml's wording. */
export function decodeYaml(src: string): Value {
  // The parser takes seconds per megabyte and much memory per node: a template's YAML is a
  // few kilobytes, a 2 MB document took 13 s and 1.1 GB.
  if (src.length > MAX_YAML_INPUT) {
    throw new YamlError(`the document is ${src.length} characters long; yamldecode reads at most ${MAX_YAML_INPUT}`);
  }
  const depth = bracketDepth(src, '"\'');
  if (depth > MAX_VALUE_DEPTH) throw new YamlError(`the document nests ${depth} levels deep; the limit is ${MAX_VALUE_DEPTH}`);
  // Every scalar stays a string here (failsafe schema); resolveScalar types them as cty-yaml
  // does. logLevel 'silent' keeps the library from printing on the process. The library's
  // duplicate-key check compares every key with every other (quadratic); the resolver
  // checks with a set instead.
  const docs = yaml().parseAllDocuments(src, { schema: 'failsafe', logLevel: 'silent', uniqueKeys: false });
  const [doc, ...more] = Array.from(docs);
  if (!doc) return null;
  if (more.length > 0) throw new YamlError('on line 1, column 1: only one YAML document is allowed');
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const msg = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new YamlError(pos ? `on line ${pos.line}, column ${pos.col}: ${msg}` : msg);
  }
  return new YamlResolver(doc).node(doc.contents);
}

/** 1 MiB of YAML text. */
const MAX_YAML_INPUT = 1024 * 1024;

/** A YAML document yamldecode cannot turn into a value; the message is the reason. */
export class YamlError extends Error {}

const TAG = 'tag:yaml.org,2002:';
const YAML_KEYWORDS: Record<string, Value> = {};
for (const [v, words] of [
  [true, 'y Y yes Yes YES true True TRUE on On ON'],
  [false, 'n N no No NO false False FALSE off Off OFF'],
  [null, '~ null Null NULL'],
  [Infinity, '.inf .Inf .INF +.inf +.Inf +.INF'],
  [-Infinity, '-.inf -.Inf -.INF'],
] as const) {
  for (const w of words.split(' ')) YAML_KEYWORDS[w] = v;
}
YAML_KEYWORDS[''] = null;

/**
 * Turns a parsed YAML document into a Value the way go-cty-yaml resolves it: YAML 1.1 style
 * booleans (yes/no/on/off), "0x10" left a string unless tagged !!int, unquoted timestamps
 * normalised to RFC 3339, merge keys, and aliases (never into their own anchor).
 */
class YamlResolver {
  private budget = 500_000; // aliases can expand a small document enormously
  private depth = 0;
  /** Collections being resolved: an alias to one of them would never end. */
  private readonly open = new Set<unknown>();
  /** Resolved aliases: the library finds an anchor by walking the whole document. */
  private readonly targets = new Map<unknown, unknown>();

  constructor(private readonly doc: Document) {}

  node(n: unknown): Value {
    if (--this.budget < 0) throw new YamlError('the document expands to too many values');
    if (n === null || n === undefined) return null;
    if (yaml().isAlias(n)) {
      let target = this.targets.get(n);
      if (target === undefined) {
        target = n.resolve(this.doc);
        this.targets.set(n, target);
      }
      if (this.open.has(target)) throw new YamlError('an alias cannot refer to the node that contains it');
      return this.node(target);
    }
    if (yaml().isScalar(n)) {
      const plain = n.type === 'PLAIN';
      // The library decodes !!binary itself; cty-yaml keeps its base64 text, so use the source.
      const text = typeof n.value === 'string' ? n.value : (n.source ?? '');
      return resolveScalar(n.tag ?? (plain ? '' : `${TAG}str`), text);
    }
    if (this.depth >= MAX_VALUE_DEPTH) throw new YamlError(`the document nests more than ${MAX_VALUE_DEPTH} levels deep`);
    this.open.add(n);
    this.depth++;
    try {
      return this.collection(n);
    } finally {
      this.depth--;
      this.open.delete(n);
    }
  }

  private collection(n: unknown): Value {
    if (yaml().isSeq(n)) return n.items.map((x) => this.node(x));
    if (yaml().isMap(n)) {
      const out: ValueObject = {};
      const explicit = new Set<string>();
      for (const pair of n.items) {
        if (yaml().isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<') {
          this.merge(out, explicit, this.node(pair.value));
          continue;
        }
        const key = this.node(pair.key);
        if (key === null || typeof key === 'object') throw new YamlError('only string, number and bool mapping keys are supported');
        const k = typeof key === 'number' ? formatNumber(key) : String(key);
        if (explicit.has(k)) throw new YamlError(`mapping key ${JSON.stringify(k)} already defined`);
        setKey(out, k, this.node(pair.value));
        explicit.add(k);
      }
      return out;
    }
    throw new YamlError('unsupported YAML node');
  }

  /** A "<<" merge key: keys of the merged map(s) fill in what the mapping does not set itself. */
  private merge(out: ValueObject, explicit: Set<string>, v: Value): void {
    const maps = Array.isArray(v) ? v : [v];
    for (const m of maps) {
      if (!isObject(m)) throw new YamlError('map merge requires map or sequence of maps as the value');
      for (const [k, x] of Object.entries(m)) if (!explicit.has(k) && !Object.prototype.hasOwnProperty.call(out, k)) setKey(out, k, x);
    }
  }
}

/** go-cty-yaml's resolveScalar for a scalar's tag ('' when plain and untagged) and text. */
function resolveScalar(tag: string, src: string): Value {
  const known = ['', 'str', 'bool', 'int', 'float', 'null', 'timestamp', 'binary'].map((t) => (t ? TAG + t : t));
  if (!known.includes(tag)) throw new YamlError(`unsupported tag ${JSON.stringify(tag)}`);
  let t = tag;
  const first = src[0] ?? '';
  const hint = src === '' ? 'N' : /[+-]/.test(first) ? 'S' : /\d/.test(first) ? 'D' : /[yYnNtTfFoO~]/.test(first) ? 'M' : first === '.' ? '.' : '';
  if (hint !== '' && t !== `${TAG}str` && t !== `${TAG}binary`) {
    if (Object.prototype.hasOwnProperty.call(YAML_KEYWORDS, src)) return YAML_KEYWORDS[src] as Value;
    if (src === '.nan' || src === '.NaN' || src === '.NAN') throw new YamlError('floating point NaN is not supported');
    if (hint === '.') {
      const n = parseDecimalNumber(src);
      if (n !== null) return n;
    } else if (hint === 'D' || hint === 'S') {
      if (t === '' || t === `${TAG}timestamp`) {
        const ts = parseYamlTimestamp(src);
        if (ts !== null) return ts;
      }
      const plain = src.replaceAll('_', '');
      const n = parseDecimalNumber(plain);
      if (n !== null) return n;
      if (plain.startsWith('0b') || plain.startsWith('-0b')) t = `${TAG}int`;
    }
  }
  const cannot = (): YamlError => new YamlError(`cannot parse ${JSON.stringify(src)} as ${t}`);
  switch (t) {
    case `${TAG}binary`:
      if (decodeBase64Strict(src) === null) throw new YamlError(`cannot parse ${JSON.stringify(src)} as ${t}: not valid base64`);
      return src;
    case `${TAG}str`:
    case '':
      return src;
    case `${TAG}bool`: {
      const b = YAML_KEYWORDS[src];
      if (typeof b !== 'boolean') throw cannot();
      return b;
    }
    case `${TAG}int`:
    case `${TAG}float`: {
      const plain = src.replaceAll('_', '');
      const n = parseDecimalNumber(plain) ?? parseGoInt(plain);
      if (n === null) throw cannot();
      return n;
    }
    case `${TAG}timestamp`: {
      const ts = parseYamlTimestamp(src);
      if (ts === null) throw cannot();
      return ts;
    }
    default:
      return null; // !!null
  }
}

/** cty.ParseNumberVal: a decimal number, optionally signed, or an infinity. */
function parseDecimalNumber(s: string): number | null {
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?[Ii]nf$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return null;
}

/** Go's strconv.ParseInt(s, 0, 64) (and the 0b forms cty-yaml adds): 0x, 0o, 0b and leading-0 octal. */
function parseGoInt(s: string): number | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9]\d*)$/.exec(s);
  if (!m) return null;
  const body = m[2] ?? '';
  const digits = /^0[oO]/.test(body) ? `0o${body.slice(2)}` : /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body;
  const n = Number(BigInt(digits));
  return m[1] === '-' ? -n : n;
}

/** The YAML timestamp forms cty-yaml accepts, rendered as RFC 3339 (its convention for times). */
function parseYamlTimestamp(s: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  const h = Number(m[4] ?? m[8] ?? 0);
  const mi = Number(m[5] ?? m[9] ?? 0);
  const se = Number(m[6] ?? m[10] ?? 0);
  const zone = m[7] ?? 'Z';
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || se > 59) return null;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(se)}${zone === '+00:00' ? 'Z' : zone}`;
}

/**
 * YAML as Terraform's yamlencode (go-cty-yaml, a go-yaml v2 emitter) writes it: block style,
 * keys sorted, every string double-quoted and folded at spaces past column 80, sequences not
 * indented under their key, nested mappings indented by two, and a "..." end marker after a
 * document that is a single plain scalar.
 */
export function encodeYaml(v: Value): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return `${yamlScalar(v, 0, 2)}\n...\n`;
  // go-yaml puts a top-level scalar one indentation step in, which is where folded lines go.
  return emit(v, 0).join('\n') + '\n';
}

/** The lines of a node whose collection lines start at column `indent`. */
function emit(v: Value, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}[]`];
    return v.flatMap((e) => {
      if (isCollection(e)) {
        const inner = emit(e, indent + 2);
        return [`${pad}- ${(inner[0] ?? '').slice(indent + 2)}`, ...inner.slice(1)];
      }
      return withPrefix(`${pad}- `, e, indent + 2);
    });
  }
  if (isObject(v)) {
    const keys = sortedKeys(v);
    if (keys.length === 0) return [`${pad}{}`];
    return keys.flatMap((k) => {
      const e = v[k] as Value;
      const key = `${pad}${yamlQuote(k, indent, indent, false)}:`;
      if (Array.isArray(e) && e.length > 0) return [key, ...emit(e, indent)];
      if (isObject(e) && Object.keys(e).length > 0) return [key, ...emit(e, indent + 2)];
      return withPrefix(`${key} `, e, indent + 2);
    });
  }
  return withPrefix(pad, v, indent + 2);
}

/** A scalar written after `prefix` on its line, folding onto lines indented by `indent`. */
function withPrefix(prefix: string, v: Value, indent: number): string[] {
  return (prefix + yamlScalar(v, Array.from(prefix).length, indent)).split('\n');
}

function isCollection(v: Value): boolean {
  return Array.isArray(v) ? v.length > 0 : isObject(v) && Object.keys(v).length > 0;
}

function yamlScalar(v: Value, column: number, indent: number): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return yamlQuote(v, column, indent, true);
  if (Array.isArray(v)) return '[]';
  return '{}';
}

const YAML_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\u0085': '\\N',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

/** Whether go-yaml escapes a character in a double-quoted scalar (not printable, a break, BOM). */
function yamlNeedsEscape(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff || c > 0xffff;
}

/**
 * go-yaml's double-quoted scalar writer: escapes as above, and (when breaks are allowed) a
 * single space met past column 80 becomes a line break plus indentation, which YAML folds
 * back into a space when reading.
 */
function yamlQuote(s: string, column: number, indent: number, allowBreaks: boolean): string {
  const chars = Array.from(s);
  let out = '"';
  let col = column + 1;
  let spaces = false;
  chars.forEach((ch, i) => {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\' || yamlNeedsEscape(c)) {
      const esc =
        YAML_ESCAPES[ch] ??
        (c <= 0xff ? `\\x${hex(c, 2)}` : c <= 0xffff ? `\\u${hex(c, 4)}` : `\\U${hex(c, 8)}`);
      out += esc;
      col += esc.length;
      spaces = false;
    } else if (ch === ' ') {
      if (allowBreaks && !spaces && col > 80 && i > 0 && i < chars.length - 1) {
        out += `\n${' '.repeat(indent)}`;
        col = indent;
        if (chars[i + 1] === ' ') {
          out += '\\';
          col++;
        }
      } else {
        out += ' ';
        col++;
      }
      spaces = true;
    } else {
      out += ch;
      col++;
      spaces = false;
    }
  });
  return out + '"';
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}
