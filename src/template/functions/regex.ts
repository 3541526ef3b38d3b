// Translates Go RE2 syntax (what Packer/Terraform patterns are written in) to a JavaScript
// RegExp with the same meaning for the constructs templates use: (?P<name>), leading flag
// groups, \A and \z, \Q..\E, POSIX classes, \pL, \x{...}, and escaped punctuation.

export interface GoRegex {
  re: RegExp;
  /** Capture groups in order: a name, or null for an unnamed group. */
  groups: (string | null)[];
}

export class RegexSyntaxError extends Error {}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// Characters that must stay escaped in a JS unicode-mode pattern.
const JS_SYNTAX = '^$\\.*+?()[]{}|/';

/** Compiles a Go regular expression; `global` adds the g flag for find-all and replace-all. */
export function compileGoRegex(pattern: string, global: boolean): GoRegex {
  let src = pattern;
  let flags = 'u' + (global ? 'g' : '');
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1] ?? '') {
      if (f === 'U') throw new RegexSyntaxError('invalid or unsupported Perl syntax: `(?U`');
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(lead[0].length);
  }
  const groups: (string | null)[] = [];
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
      i++;
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        out += Array.from(lit, (ch) => (JS_SYNTAX.includes(ch) || ch === '-' ? `\\${ch}` : ch)).join('');
        i = end < 0 ? src.length : end + 1;
      } else if (n === 'A' && !inClass) out += '(?<![\\s\\S])';
      else if (n === 'z' && !inClass) out += '(?![\\s\\S])';
      else if ((n === 'p' || n === 'P') && src[i + 1] !== '{') {
        out += `\\${n}{${src[i + 1] ?? ''}}`;
        i++;
      } else if (n === 'x' && src[i + 1] === '{') {
        const end = src.indexOf('}', i);
        out += `\\u${src.slice(i + 1, end + 1)}`;
        i = end;
      } else if (/[A-Za-z0-9]/.test(n)) out += `\\${n}`;
      else if (JS_SYNTAX.includes(n) || (inClass && n === '-')) out += `\\${n}`;
      else out += n; // RE2 allows escaping any punctuation; JS unicode mode does not
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
        const cls = m ? POSIX[m[2] ?? ''] : undefined;
        if (m && cls !== undefined) {
          if (m[1]) throw new RegexSyntaxError(`invalid character class range: \`${m[0]}\``);
          out += cls;
          i += m[0].length - 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '{') {
      // RE2 reads a brace that does not start a repetition as a literal; JS unicode mode
      // rejects it, so escape it (and any lone } or ]).
      const rep = /^\{\d+(?:,\d*)?\}/.exec(src.slice(i));
      if (rep) {
        out += rep[0];
        i += rep[0].length - 1;
      } else out += '\\{';
      continue;
    }
    if (c === '}' || c === ']') {
      out += `\\${c}`;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A leading ] (or ^]) is a literal in RE2.
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(') {
      if (src[i + 1] !== '?') {
        groups.push(null);
        out += c;
        continue;
      }
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(src.slice(i));
      if (named) {
        groups.push(named[1] ?? '');
        out += `(?<${named[1] ?? ''}>`;
        i += named[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  try {
    return { re: new RegExp(out, flags), groups };
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^.*: /, '') : String(e);
    throw new RegexSyntaxError(msg.charAt(0).toLowerCase() + msg.slice(1));
  }
}

/**
 * Expands a Go regexp replacement template: $1, ${1}, $name, ${name}; $$ is a dollar.
 * As in Go, $name takes the longest run of word characters, and unknown groups expand to "".
 */
export function expandGoTemplate(template: string, m: RegExpExecArray): string {
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
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
  }
  return out;
}

/**
 * All matches of a global regex as Go's FindAll/ReplaceAll see them: after an empty match
 * the search moves on one character, and an empty match right where the previous match
 * ended is skipped (JS would report it).
 */
export function goMatchAll(re: RegExp, s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let prevEnd = -1;
  while (re.lastIndex <= s.length) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    const accept = !(m[0] === '' && m.index === prevEnd);
    if (m[0] === '') re.lastIndex = end + ((s.codePointAt(end) ?? 0) > 0xffff ? 2 : 1);
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}
