// fast-check generators for the fuzz suite: mutations of real templates, expressions built
// from the HCL grammar and the function library, and pathological nestings and repetitions.
import fc from 'fast-check';
import { FUNCTIONS } from '../../src/template/functions/index.js';

/** Fragments that open, close or break HCL constructs, plus bytes HCL rejects. */
const FRAGMENTS = [
  '{', '}', '[', ']', '(', ')', '"', '${', '%{', '~}', '<<EOT\n', '<<-EOT\n', '\nEOT\n', '=', ',', '.', '*', '?', ':',
  '#', '//', '/*', '*/', '\\', '\\u', '\n', '\r', '\r\n', '\t', '\0', '\ufeff', '!', '-', '&&', '||', '=>', '...',
  ' for ', ' in ', '%{ if true }', '%{ endif }', '%{ for x in [1] }', '%{ endfor }', 'null', '1e999', '0x1F',
  'local.', 'var.', 'source.', '"${local.a}"', 'é', '😀', '\u0301', 'dynamic "x" {', 'build {', 'locals {',
  'variable "v" {', 'type = list(string)', 'validation {', 'condition = false', 'x = 1', 'a b c', "'", '`', ';', '@',
];

/** Inserts, deletes, duplicates or replaces pieces of a seed text, 1 to 4 times. */
export function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ op: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom(...FRAGMENTS) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.string({ unit: 'binary', maxLength: 8 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ op: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = Math.floor(e.at * s.length);
      if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
      else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
      else if (e.op === 'duplicate') s = s.slice(0, at + e.len) + s.slice(at, at + e.len) + s.slice(at + e.len);
      else s = s.slice(0, at);
    }
    return s;
  });
}

/** A text made invalid UTF-8 at one place (a Latin-1 byte, a lone continuation byte, a truncated sequence). */
export function withInvalidBytes(texts: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(texts, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom([0xe9], [0x80], [0xe2, 0x82], [0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80]))
    .map(([text, at, bytes]) => {
      const b = Buffer.from(text);
      const i = Math.floor(at * b.length);
      return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)]);
    });
}

// bcrypt is slow by design (a cost-10 hash per call) and says nothing about robustness.
const FUNCTION_NAMES = [...FUNCTIONS.keys()].filter((n) => n !== 'bcrypt').sort();

const NUMBERS = ['0', '1', '-1', '2', '0.5', '3', '1024', '1000000', '1e9', '-1e9', '1e308'];
const STRINGS = ['""', '"a"', '"a,b,c"', '"%s"', '"%[2]d %v"', '"%999999999d"', '"(a+)+$"', '"/(x*)*/"', '"[[:alpha:]]+"', '"{\\"a\\": [1, 2]}"', '"a: [1, {b: c}]"', '"é😀\\u0301"', '"192.168.0.0/16"', '"2024-01-01T00:00:00Z"', '"/dev/zero"', '"."', '"**"', '"${local.a[0]}"', '"%{ for x in local.a }${x}%{ endfor }"'];

/** An HCL expression over locals a (a tuple) and s (a string), calling library functions with generated arguments. */
export const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NUMBERS, ...STRINGS, 'true', 'false', 'null', 'local.a', 'local.s', 'local.o', 'local.a[0]', 'local.o.k', 'local.a[*]'),
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||'), tie('expr')).map(([l, op, r]) => `${l} ${op} ${r}`),
    fc.tuple(fc.constantFrom('!', '-'), tie('expr')).map(([op, e]) => `${op}${e}`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, e]) => `${c} ? ${t} : ${e}`),
    fc.array(tie('expr'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom('k', 'x', '"a b"'), tie('expr')), { maxLength: 3 }).map((kv) => `{ ${kv.map(([k, v]) => `${k} = ${v}`).join(', ')} }`),
    fc.tuple(fc.constantFrom(...FUNCTION_NAMES), fc.array(tie('expr'), { maxLength: 4 }), fc.boolean()).map(([f, args, spread]) => `${f}(${args.join(', ')}${spread && args.length > 0 ? '...' : ''})`),
    fc.tuple(tie('expr'), tie('expr')).map(([coll, body]) => `[for i, v in ${coll} : ${body}]`),
    fc.tuple(tie('expr'), tie('expr')).map(([coll, body]) => `{for k, v in ${coll} : k => ${body}...}`),
    fc.tuple(tie('expr'), tie('expr')).map(([e, i]) => `(${e})[${i}]`),
    tie('expr').map((e) => `"x\${${e}}y"`),
    tie('expr').map((e) => `try(${e}, "fallback")`),
    tie('expr').map((e) => `can(${e})`),
  ),
})).expr;

/** A template with three locals to refer to and one generated expression. */
export const generatedTemplate: fc.Arbitrary<string> = expression.map(
  (e) => `locals {\n  a = [1, "x", { k = "v" }, [2, 3]]\n  s = "hello, world"\n  o = { k = "v", n = 2 }\n  x = ${e}\n}\n`,
);

/** Openers nested deep or repeated long: the table of issue 14 as a generator of sizes and kinds. */
export const pathological: fc.Arbitrary<{ name: string; text: string }> = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      ['(', ')'],
      ['[', ']'],
      ['{ k = ', ' }'],
      ['"${', '}"'],
      ['!', ''],
      ['-', ''],
      ['f(', ')'],
      ['try(', ', 1)'],
      ['[for x in ', ' : x]'],
      ['"%{ if true }', '%{ endif }"'],
    ),
    fc.integer({ min: 100, max: 3000 }),
  ).map(([[open, close], n]) => ({ name: `${n} × ${open}…${close}`, text: `locals {\n  x = ${open.repeat(n)}1${close.repeat(n)}\n}\n` })),
  fc.tuple(fc.constantFrom('.a', '[0]', '[*]', '.*'), fc.integer({ min: 100, max: 5000 })).map(([step, n]) => ({
    name: `${n} × ${step}`,
    text: `locals {\n  x = local${step.repeat(n)}\n}\n`,
  })),
  fc.tuple(fc.constantFrom(' + ', ' - ', ' * ', ' == ', ' && ', ' || ', ' < '), fc.integer({ min: 1000, max: 20000 })).map(([op, n]) => ({
    name: `${n}-term ${op.trim()} chain`,
    text: `locals {\n  a = 1\n  x = ${Array(n).fill('local.a').join(op)}\n}\n`,
  })),
  fc.tuple(fc.integer({ min: 100, max: 3000 })).map(([n]) => ({ name: `${n} nested blocks`, text: `${'a {\n'.repeat(n)}${'}\n'.repeat(n)}` })),
  fc.tuple(fc.constantFrom('\0', '\r', '\ufeff', '\u0301', '`', '$${', '%%{'), fc.integer({ min: 1000, max: 100_000 })).map(([c, n]) => ({
    name: `${n} × ${JSON.stringify(c)}`,
    text: c.repeat(n),
  })),
);
