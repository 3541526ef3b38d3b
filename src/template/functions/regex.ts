// Go's regular expressions, as Packer's regex, regexall and replace use them: RE2 through
// re2js, a JavaScript port of RE2. Matching is linear in the input whatever the pattern
// (`(a+)+$` against "aaaa…b" never backtracks), and syntax, flags and match positions
// (including Go's rules for empty matches) are RE2's own rather than a translation to
// JavaScript's backtracking RegExp.
import { RE2JS, RE2JSException } from 're2js';

export interface GoRegex {
  re: RE2JS;
  /** Capture groups in order: a name, or null for an unnamed group. */
  groups: (string | null)[];
}

/** Match positions as Go's FindSubmatchIndex gives them: [start0, end0, start1, end1, ...], -1 when a group did not take part. */
export type SubmatchIndex = number[];

/** Carries Go's message ("error parsing regexp: missing closing ): `(`"). */
export class RegexSyntaxError extends Error {}

export function compileGoRegex(pattern: string): GoRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) throw new RegexSyntaxError(e.message);
    throw e;
  }
  const groups: (string | null)[] = Array.from({ length: re.groupCount() }, () => null);
  for (const [name, index] of Object.entries(re.namedGroups())) groups[index - 1] = name;
  return { re, groups };
}

/** The leftmost match, or null. */
export function goFind(rx: GoRegex, s: string): SubmatchIndex | null {
  return toIndex(rx.re.re2().findSubmatchIndex(s));
}

/** Every match, as Go's FindAllStringSubmatchIndex(s, -1) (an empty match right after a match is skipped). */
export function goFindAll(rx: GoRegex, s: string): SubmatchIndex[] {
  const all: unknown = rx.re.re2().findAllSubmatchIndex(s, -1);
  return Array.isArray(all) ? all.map((m) => toIndex(m) ?? []) : [];
}

/** Group `i` of a match (0 is the whole match), or null when it did not take part. */
export function submatch(s: string, m: SubmatchIndex, i: number): string | null {
  const start = m[2 * i];
  const end = m[2 * i + 1];
  return start === undefined || end === undefined || start < 0 ? null : s.slice(start, end);
}

function toIndex(m: unknown): SubmatchIndex | null {
  if (!Array.isArray(m)) return null;
  return m.map((x) => (typeof x === 'number' ? x : -1));
}

/**
 * Expands a Go regexp replacement template: $1, ${1}, $name, ${name}; $$ is a dollar.
 * As in Go, $name takes the longest run of word characters, and unknown groups expand to "".
 */
export function expandGoTemplate(template: string, rx: GoRegex, s: string, m: SubmatchIndex): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    if (next === '{') {
      const mm = /^\{([A-Za-z0-9_]+)\}/.exec(template.slice(i + 1));
      if (mm) {
        name = mm[1];
        len = mm[0].length;
      }
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (mm) {
        name = mm[0];
        len = mm[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    i += len;
    const named = rx.groups.indexOf(name);
    const index = /^\d+$/.test(name) ? Number(name) : named < 0 ? -1 : named + 1;
    if (index >= 0 && index <= rx.groups.length) out += submatch(s, m, index) ?? '';
  }
  return out;
}
