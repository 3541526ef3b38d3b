// A small JSON parser that keeps the source range of every value and property name, in
// property order: JSON.parse gives neither, and both matter for HCL's JSON syntax
// (diagnostics point at the exact key; provisioners run in the order they are written).
import type { Pos, Range } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import { MAX_NESTING } from './limits.js';

export type JValue =
  | { kind: 'object'; props: JProp[]; range: Range }
  | { kind: 'array'; items: JValue[]; range: Range }
  | JString
  | { kind: 'number'; value: number; range: Range }
  | { kind: 'bool'; value: boolean; range: Range }
  | { kind: 'null'; range: Range };

export interface JString {
  kind: 'string';
  value: string;
  /** Range including the quotes. */
  range: Range;
  /** Source offset of each UTF-16 unit of `value` (plus one past the end); null when 1:1. */
  offsets: number[] | null;
  /** Source offset of the first character after the opening quote. */
  contentStart: number;
}

export interface JProp {
  key: JString;
  value: JValue;
}

export interface JsonScanResult {
  value: JValue | null;
  diagnostics: Diagnostic[];
}

export function scanJSON(source: string, filename: string): JsonScanResult {
  const scanner = new Scanner(source, filename);
  return scanner.run();
}

/** Aborts the scan at the first syntax error; JSON errors cascade, so one is enough. */
class JsonSyntaxAbort extends Error {
  constructor() {
    super('JSON syntax error');
  }
}

class Scanner {
  private i = 0;
  private depth = 0;
  private ci = 0;
  private cline = 1;
  private ccol = 1;
  private readonly diags: Diagnostic[] = [];

  constructor(
    private readonly src: string,
    private readonly filename: string,
  ) {}

  run(): JsonScanResult {
    try {
      if (this.src.charCodeAt(0) === 0xfeff) this.i = 1;
      this.ws();
      if (this.i >= this.src.length) this.fail('Empty JSON file', 'A JSON file must contain a JSON object.', this.i, this.i);
      const value = this.value();
      this.ws();
      if (this.i < this.src.length) {
        this.fail('Extraneous data after value', 'Extra characters appear after the JSON value.', this.i, this.i + 1);
      }
      return { value, diagnostics: this.diags };
    } catch (e) {
      if (e instanceof JsonSyntaxAbort) return { value: null, diagnostics: this.diags };
      throw e;
    }
  }

  /** Positions are asked for in increasing offset order, so the cursor only moves forward. */
  private pos(offset: number): Pos {
    const src = this.src;
    while (this.ci < offset) {
      const c = src.charCodeAt(this.ci);
      if (c === 10) {
        this.cline++;
        this.ccol = 1;
      } else if (!(c >= 0xdc00 && c <= 0xdfff)) {
        this.ccol++;
      }
      this.ci++;
    }
    return { line: this.cline, column: this.ccol, byte: offset };
  }

  private range(start: Pos, endOffset: number): Range {
    return { filename: this.filename, start, end: this.pos(endOffset) };
  }

  private fail(summary: string, detail: string, start: number, end: number): never {
    // An error may point back at an opening bracket, behind the forward-only cursor.
    if (start < this.ci) {
      this.ci = 0;
      this.cline = 1;
      this.ccol = 1;
    }
    const s = this.pos(Math.min(start, this.src.length));
    const e = this.pos(Math.min(end, this.src.length));
    this.diags.push(error(summary, detail, { filename: this.filename, start: s, end: e }));
    throw new JsonSyntaxAbort();
  }

  private ws(): void {
    const src = this.src;
    for (;;) {
      const c = src.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else return;
    }
  }

  private value(): JValue {
    const c = this.src[this.i];
    switch (c) {
      case '{':
      case '[':
        if (this.depth >= MAX_NESTING) {
          this.fail('JSON nested too deeply', `Objects and arrays may nest at most ${MAX_NESTING} levels deep. Flatten this value.`, this.i, this.i + 1);
        }
        this.depth++;
        try {
          return c === '{' ? this.object() : this.array();
        } finally {
          this.depth--;
        }
      case '"':
        return this.string();
      case undefined:
        return this.fail('Missing JSON value', 'A JSON value must start here, but the file ends.', this.i, this.i);
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.keyword();
    }
  }

  private object(): JValue {
    const startOffset = this.i;
    const start = this.pos(this.i);
    this.i++;
    const props: JProp[] = [];
    this.ws();
    if (this.src[this.i] === '}') {
      this.i++;
      return { kind: 'object', props, range: this.range(start, this.i) };
    }
    for (;;) {
      this.ws();
      const c = this.src[this.i];
      if (c !== '"') {
        if (c === undefined) this.fail('Unclosed JSON object', 'There is no closing brace for this object before the end of the file.', startOffset, startOffset + 1);
        if (c === '}' && props.length > 0) this.fail('Trailing comma in object', 'JSON does not permit a trailing comma after the last property of an object.', this.i, this.i + 1);
        this.fail('Missing property name', 'A quoted property name is required here.', this.i, this.i + 1);
      }
      const key = this.string();
      this.ws();
      if (this.src[this.i] !== ':') {
        const eq = this.src[this.i] === '=';
        this.fail(
          'Missing property value colon',
          eq ? 'JSON uses a colon as its name/value delimiter, not an equals sign.' : 'A colon must appear between an object property\'s name and its value.',
          this.i,
          this.i + 1,
        );
      }
      this.i++;
      this.ws();
      const value = this.value();
      props.push({ key, value });
      this.ws();
      const sep = this.src[this.i];
      if (sep === ',') {
        this.i++;
        continue;
      }
      if (sep === '}') {
        this.i++;
        return { kind: 'object', props, range: this.range(start, this.i) };
      }
      if (sep === undefined) this.fail('Unclosed JSON object', 'There is no closing brace for this object before the end of the file.', startOffset, startOffset + 1);
      this.fail('Missing property separator', 'A comma must appear between each property definition in an object.', this.i, this.i + 1);
    }
  }

  private array(): JValue {
    const startOffset = this.i;
    const start = this.pos(this.i);
    this.i++;
    const items: JValue[] = [];
    this.ws();
    if (this.src[this.i] === ']') {
      this.i++;
      return { kind: 'array', items, range: this.range(start, this.i) };
    }
    for (;;) {
      this.ws();
      if (this.src[this.i] === ']') this.fail('Trailing comma in array', 'JSON does not permit a trailing comma after the last value of an array.', this.i, this.i + 1);
      items.push(this.value());
      this.ws();
      const sep = this.src[this.i];
      if (sep === ',') {
        this.i++;
        continue;
      }
      if (sep === ']') {
        this.i++;
        return { kind: 'array', items, range: this.range(start, this.i) };
      }
      if (sep === undefined) this.fail('Unclosed JSON array', 'There is no closing bracket for this array before the end of the file.', startOffset, startOffset + 1);
      this.fail('Missing value separator', 'A comma must appear between each value in an array.', this.i, this.i + 1);
    }
  }

  private string(): JString {
    const src = this.src;
    const startOffset = this.i;
    const start = this.pos(this.i);
    const contentStart = this.i + 1;
    let k = contentStart;
    let chunk = k;
    const out: string[] = [];
    let offsets: number[] | null = null;
    const len = src.length;
    for (;;) {
      if (k >= len) this.fail('Unterminated string', 'There is no closing quote for this string before the end of the file.', startOffset, startOffset + 1);
      const c = src.charCodeAt(k);
      if (c === 34) break;
      if (c === 10 || c === 13) this.fail('Unterminated string', 'JSON strings may not contain raw newlines; use the \\n escape.', startOffset, k);
      if (c !== 92) {
        k++;
        continue;
      }
      // An escape: from here on, decoded positions no longer equal source positions.
      if (!offsets) {
        offsets = [];
        for (let j = contentStart; j < k; j++) offsets.push(j);
      } else {
        for (let j = chunk; j < k; j++) offsets.push(j);
      }
      out.push(src.slice(chunk, k));
      const sel = src[k + 1];
      let decoded: string;
      let width = 2;
      switch (sel) {
        case '"':
        case '\\':
        case '/':
          decoded = sel;
          break;
        case 'b':
          decoded = '\b';
          break;
        case 'f':
          decoded = '\f';
          break;
        case 'n':
          decoded = '\n';
          break;
        case 'r':
          decoded = '\r';
          break;
        case 't':
          decoded = '\t';
          break;
        case 'u': {
          const hex = src.slice(k + 2, k + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid escape sequence', 'The \\u escape must be followed by four hexadecimal digits.', k, k + 2);
          decoded = String.fromCharCode(parseInt(hex, 16));
          width = 6;
          break;
        }
        default:
          this.fail('Invalid escape sequence', `The symbol "${sel ?? ''}" is not a valid JSON escape sequence selector.`, k, k + 2);
      }
      out.push(decoded);
      for (let j = 0; j < decoded.length; j++) offsets.push(k);
      k += width;
      chunk = k;
    }
    if (offsets) {
      for (let j = chunk; j < k; j++) offsets.push(j);
      offsets.push(k);
    }
    out.push(src.slice(chunk, k));
    this.i = k + 1;
    return { kind: 'string', value: out.join(''), range: this.range(start, this.i), offsets, contentStart };
  }

  private number(): JValue {
    const src = this.src;
    const s = this.i;
    const start = this.pos(s);
    let k = s;
    if (src[k] === '-') k++;
    const digits = (): void => {
      while (k < src.length && src.charCodeAt(k) >= 48 && src.charCodeAt(k) <= 57) k++;
    };
    const intStart = k;
    digits();
    if (k === intStart) this.fail('Invalid JSON number', 'A digit must follow the minus sign.', s, k + 1);
    if (src[k] === '.') {
      k++;
      const f = k;
      digits();
      if (k === f) this.fail('Invalid JSON number', 'A digit must follow the decimal point.', s, k);
    }
    if (src[k] === 'e' || src[k] === 'E') {
      k++;
      if (src[k] === '+' || src[k] === '-') k++;
      const e = k;
      digits();
      if (k === e) this.fail('Invalid JSON number', 'A digit must follow the exponent marker.', s, k);
    }
    this.i = k;
    return { kind: 'number', value: Number(src.slice(s, k)), range: this.range(start, k) };
  }

  private keyword(): JValue {
    const src = this.src;
    const s = this.i;
    let k = s;
    while (k < src.length && /[A-Za-z0-9_]/.test(src[k] ?? '')) k++;
    const word = src.slice(s, k);
    if (word === 'true' || word === 'false' || word === 'null') {
      const start = this.pos(s);
      this.i = k;
      const range = this.range(start, k);
      return word === 'null' ? { kind: 'null', range } : { kind: 'bool', value: word === 'true', range };
    }
    if (word === '') {
      return this.fail('Invalid JSON value', `Expected a JSON value (object, array, string, number, true, false or null), but found "${src[s] ?? ''}".`, s, s + 1);
    }
    return this.fail('Invalid JSON keyword', `"${word}" is not a valid JSON keyword; use true, false or null, or quote the string.`, s, k);
  }
}
