// String functions, with Go/cty semantics: lengths and offsets in grapheme clusters,
// regular expressions in RE2 syntax, and Go's strings package behaviour for edge cases.
import type { Value, ValueObject } from '../../core/model/value.js';
import { FormatError, formatString } from './format.js';
import { compileGoRegex, expandGoTemplate, goFind, goFindAll, RegexSyntaxError, submatch, type GoRegex, type SubmatchIndex } from './regex.js';
import { graphemes, setKey } from './shared.js';
import { define, type Args, type FunctionDef } from './types.js';

const str = { name: 'str', type: 'string' };

export const stringFunctions: FunctionDef[] = [
  define({ name: 'chomp', params: [str] }, (a) => a.str(0).replace(/(?:\r\n?|\n)*$/, '')),
  define(
    { name: 'format', params: [{ name: 'format', type: 'string' }], variadic: { name: 'args', type: 'any', allowNull: true } },
    (a) => {
      try {
        return formatString(a.str(0), a.rest(1));
      } catch (e) {
        if (e instanceof FormatError) throw a.fail(e.message);
        throw e;
      }
    },
  ),
  define(
    { name: 'formatlist', params: [{ name: 'format', type: 'string' }], variadic: { name: 'args', type: 'any', allowNull: true } },
    (a) => formatList(a),
  ),
  define({ name: 'indent', params: [{ name: 'spaces', type: 'number' }, str] }, (a) => {
    const n = a.int(0);
    if (n < 0) throw a.error(0, 'spaces must not be negative');
    return a.str(1).replaceAll('\n', '\n' + ' '.repeat(n));
  }),
  define(
    { name: 'join', params: [{ name: 'separator', type: 'string' }], variadic: { name: 'lists', type: 'list(string)' } },
    (a) => {
      if (a.length < 2) throw a.fail('at least one list is required');
      const sep = a.str(0);
      const parts: string[] = [];
      for (let i = 1; i < a.length; i++) {
        const nullAt = a.list(i).indexOf(null);
        if (nullAt >= 0) {
          const which = a.length > 2 ? ` of list ${i}` : '';
          throw a.error(i, `element ${nullAt}${which} is null; cannot concatenate null values`);
        }
        parts.push(...a.strList(i));
      }
      return parts.join(sep);
    },
  ),
  define({ name: 'lower', params: [str] }, (a) => mapRunes(a.str(0), (c) => c.toLowerCase())),
  define({ name: 'upper', params: [str] }, (a) => mapRunes(a.str(0), (c) => c.toUpperCase())),
  define(
    {
      name: 'replace',
      params: [str, { name: 'substr', type: 'string' }, { name: 'replace', type: 'string' }],
    },
    (a) => {
      const s = a.str(0);
      const sub = a.str(1);
      const rep = a.str(2);
      if (sub.length > 1 && sub.startsWith('/') && sub.endsWith('/')) return regexReplace(a, s, sub.slice(1, -1), rep);
      if (sub === '') return s === '' ? rep : rep + Array.from(s).join(rep) + rep;
      return s.split(sub).join(rep);
    },
  ),
  define(
    {
      name: 'regex_replace',
      params: [str, { name: 'substr', type: 'string' }, { name: 'replace', type: 'string' }],
    },
    (a) => regexReplace(a, a.str(0), a.str(1), a.str(2)),
  ),
  define({ name: 'regex', params: [{ name: 'pattern', type: 'string' }, { name: 'string', type: 'string' }] }, (a) => {
    const rx = compile(a, 0, a.str(0));
    checkGroups(a, rx);
    const s = a.str(1);
    const m = goFind(rx, s);
    if (!m) throw a.fail('pattern did not match any part of the given string');
    return matchResult(rx, s, m);
  }),
  define(
    { name: 'regexall', params: [{ name: 'pattern', type: 'string' }, { name: 'string', type: 'string' }] },
    (a) => {
      const rx = compile(a, 0, a.str(0));
      checkGroups(a, rx);
      const s = a.str(1);
      return goFindAll(rx, s).map((m) => matchResult(rx, s, m));
    },
  ),
  define({ name: 'split', params: [{ name: 'separator', type: 'string' }, str] }, (a) => {
    const sep = a.str(0);
    const s = a.str(1);
    return sep === '' ? Array.from(s) : s.split(sep);
  }),
  define({ name: 'strrev', params: [str] }, (a) => graphemes(a.str(0)).reverse().join('')),
  define(
    { name: 'substr', params: [str, { name: 'offset', type: 'number' }, { name: 'length', type: 'number' }] },
    (a) => {
      const chars = graphemes(a.str(0));
      let offset = a.int(1);
      const length = a.int(2);
      if (offset < 0) offset = Math.max(0, offset + chars.length);
      else if (length === 0) return '';
      if (offset >= chars.length) return '';
      return (length < 0 ? chars.slice(offset) : chars.slice(offset, offset + length)).join('');
    },
  ),
  define({ name: 'title', params: [str] }, (a) => title(a.str(0))),
  define({ name: 'trim', params: [str, { name: 'cutset', type: 'string' }] }, (a) => {
    const cut = new Set(Array.from(a.str(1)));
    const chars = Array.from(a.str(0));
    let start = 0;
    let end = chars.length;
    while (start < end && cut.has(chars[start] as string)) start++;
    while (end > start && cut.has(chars[end - 1] as string)) end--;
    return chars.slice(start, end).join('');
  }),
  define({ name: 'trimprefix', params: [str, { name: 'prefix', type: 'string' }] }, (a) => {
    const s = a.str(0);
    const p = a.str(1);
    return s.startsWith(p) ? s.slice(p.length) : s;
  }),
  define({ name: 'trimsuffix', params: [str, { name: 'suffix', type: 'string' }] }, (a) => {
    const s = a.str(0);
    const p = a.str(1);
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  }),
  define({ name: 'trimspace', params: [str] }, (a) => a.str(0).replace(GO_SPACE_START, '').replace(GO_SPACE_END, '')),
  define({ name: 'startswith', params: [str, { name: 'prefix', type: 'string' }] }, (a) => a.str(0).startsWith(a.str(1))),
  define({ name: 'endswith', params: [str, { name: 'suffix', type: 'string' }] }, (a) => a.str(0).endsWith(a.str(1))),
  define({ name: 'strcontains', params: [str, { name: 'substr', type: 'string' }] }, (a) => a.str(0).includes(a.str(1))),
];

// Go's unicode.IsSpace set; JS's \s also matches U+FEFF, which Go does not trim.
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const GO_SPACE_START = new RegExp(`^[${GO_SPACE}]+`, 'u');
const GO_SPACE_END = new RegExp(`[${GO_SPACE}]+$`, 'u');

/** Go's Regexp.ReplaceAllString, with $1/${name} expansion in the replacement. */
function regexReplace(a: Args, s: string, pattern: string, rep: string): string {
  let rx: GoRegex;
  try {
    rx = compileGoRegex(pattern);
  } catch (e) {
    // cty returns the regexp package's error as is, against the whole call.
    if (e instanceof RegexSyntaxError) throw a.fail(e.message);
    throw e;
  }
  let out = '';
  let last = 0;
  for (const m of goFindAll(rx, s)) {
    const start = m[0] ?? 0;
    out += s.slice(last, start) + expandGoTemplate(rep, rx, s, m);
    last = m[1] ?? start;
  }
  return out + s.slice(last);
}

function formatList(a: Args): Value {
  const fmt = a.str(0);
  const args = a.rest(1);
  let iterLen = -1;
  let chooser = -1;
  args.forEach((v, i) => {
    if (!Array.isArray(v)) return;
    if (iterLen === -1) {
      iterLen = v.length;
      chooser = i;
    } else if (v.length !== iterLen) {
      throw a.error(
        i + 1,
        `argument ${i + 1} has length ${v.length}, which is inconsistent with argument ${chooser + 1} of length ${iterLen}`,
      );
    }
  });
  if (iterLen === -1) iterLen = 1;
  const out: string[] = [];
  for (let n = 0; n < iterLen; n++) {
    const callArgs = args.map((v) => (Array.isArray(v) ? (v[n] as Value) : v));
    try {
      out.push(formatString(fmt, callArgs));
    } catch (e) {
      if (e instanceof FormatError) throw a.fail(`error on format iteration ${n}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** Case-maps code point by code point, as Go's unicode.ToUpper/ToLower (no "ß" -> "SS"). */
function mapRunes(s: string, fn: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = fn(c);
    out += Array.from(m).length === 1 ? m : c;
  }
  return out;
}

/** Go's strings.Title: upper-cases each letter that follows a separator. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSeparator(prev) ? mapRunes(c, (x) => x.toUpperCase()) : c;
    prev = c;
  }
  return out;
}

function isSeparator(c: string): boolean {
  if ((c.codePointAt(0) as number) <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

function compile(a: Args, argIndex: number, pattern: string): GoRegex {
  try {
    return compileGoRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw a.error(argIndex, `invalid regexp pattern: ${e.message}`);
    throw e;
  }
}

function checkGroups(a: Args, rx: GoRegex): void {
  const named = rx.groups.some((g) => g !== null);
  const unnamed = rx.groups.some((g) => g === null);
  if (named && unnamed) throw a.error(0, 'invalid regexp pattern: cannot mix both named and unnamed capture groups');
}

/** cty's regex result shapes: whole match, tuple of groups, or object of named groups. */
function matchResult(rx: GoRegex, s: string, m: SubmatchIndex): Value {
  if (rx.groups.length === 0) return submatch(s, m, 0) ?? '';
  if (rx.groups.every((g) => g === null)) return rx.groups.map((_, i) => submatch(s, m, i + 1));
  const obj: ValueObject = {};
  rx.groups.forEach((g, i) => {
    if (g !== null) setKey(obj, g, submatch(s, m, i + 1));
  });
  return obj;
}
