import type { Attribute, Block, Expr } from './ast.js';
import { parseExpression, parseHCL, parseTemplate } from './parser.js';
import type { Stripped } from './strip.js';
import { stripRanges } from './strip.js';

function parseOk(src: string): ReturnType<typeof parseHCL> {
  const r = parseHCL(src, 't.pkr.hcl');
  expect(r.diagnostics).toEqual([]);
  return r;
}

function exprOf(src: string): Expr {
  const item = parseOk(`x = ${src}\n`).file.body.items[0] as Attribute;
  return item.expr;
}

const e = (src: string): Stripped => stripRanges(exprOf(src));
const v = (name: string): Stripped => ({ kind: 'variable', name });
const n = (value: number): Stripped => ({ kind: 'literal', value });
const str = (value: string): Stripped => ({ kind: 'template', parts: [{ kind: 'literal', value }], heredoc: false });
const bin = (op: string, left: Stripped, right: Stripped): Stripped => ({ kind: 'binary', op, left, right });
const attr = (object: Stripped, name: string): Stripped => ({ kind: 'getattr', object, name });
const idx = (object: Stripped, key: Stripped): Stripped => ({ kind: 'index', object, key });
const item: Stripped = { kind: 'splat-item' };

describe('literals and collections', () => {
  it('parses numbers including exponents, bools and null', () => {
    expect(e('42')).toEqual(n(42));
    expect(e('1.5e3')).toEqual(n(1500));
    expect(e('2E-2')).toEqual(n(0.02));
    expect(e('true')).toEqual({ kind: 'literal', value: true });
    expect(e('false')).toEqual({ kind: 'literal', value: false });
    expect(e('null')).toEqual({ kind: 'literal', value: null });
  });

  it('parses tuples over several lines with a trailing comma', () => {
    expect(e('[\n  1,\n  "a",\n  b,\n]')).toEqual({ kind: 'tuple', items: [n(1), str('a'), v('b')] });
    expect(e('[]')).toEqual({ kind: 'tuple', items: [] });
  });

  it('parses objects with identifier, quoted and parenthesised keys, = or :, comma or newline', () => {
    expect(e('{ a = 1, "b c" : 2\n  (k) = 3 }')).toEqual({
      kind: 'object',
      items: [
        { key: str('a'), keyIsIdent: true, value: n(1) },
        { key: str('b c'), keyIsIdent: false, value: n(2) },
        { key: { kind: 'paren', expr: v('k') }, keyIsIdent: false, value: n(3) },
      ],
    });
  });

  it('treats bare keyword keys as names', () => {
    expect(e('{ null = 1, true = 2 }')).toEqual({
      kind: 'object',
      items: [
        { key: str('null'), keyIsIdent: true, value: n(1) },
        { key: str('true'), keyIsIdent: true, value: n(2) },
      ],
    });
  });
});

describe('operators', () => {
  it('applies HCL precedence: * before +, + before comparison, == before && before ||', () => {
    expect(e('a || b && c == d + e * f')).toEqual(bin('||', v('a'), bin('&&', v('b'), bin('==', v('c'), bin('+', v('d'), bin('*', v('e'), v('f')))))));
  });

  it('is left-associative within a level', () => {
    expect(e('a - b - c')).toEqual(bin('-', bin('-', v('a'), v('b')), v('c')));
    expect(e('a / b % c')).toEqual(bin('%', bin('/', v('a'), v('b')), v('c')));
  });

  it('binds unary operators tighter than binary ones', () => {
    expect(e('-a + 1')).toEqual(bin('+', { kind: 'unary', op: '-', operand: v('a') }, n(1)));
    expect(e('!a.b && c')).toEqual(bin('&&', { kind: 'unary', op: '!', operand: attr(v('a'), 'b') }, v('c')));
  });

  it('places comparisons between arithmetic and equality', () => {
    expect(e('a < b == c >= d')).toEqual(bin('==', bin('<', v('a'), v('b')), bin('>=', v('c'), v('d'))));
  });

  it('parses conditionals with the lowest precedence and nests them to the right', () => {
    expect(e('a == 1 ? "x" : b ? "y" : "z"')).toEqual({
      kind: 'conditional',
      cond: bin('==', v('a'), n(1)),
      then: str('x'),
      else: { kind: 'conditional', cond: v('b'), then: str('y'), else: str('z') },
    });
  });

  it('keeps parentheses as nodes', () => {
    expect(e('(a + b) * c')).toEqual(bin('*', { kind: 'paren', expr: bin('+', v('a'), v('b')) }, v('c')));
  });

  it('allows newlines inside parentheses', () => {
    expect(e('(a +\n b)')).toEqual({ kind: 'paren', expr: bin('+', v('a'), v('b')) });
  });
});

describe('traversals', () => {
  it('parses attribute and index access', () => {
    expect(e('var.list[0].name')).toEqual(attr(idx(attr(v('var'), 'list'), n(0)), 'name'));
    expect(e('local.m["k"]')).toEqual(idx(attr(v('local'), 'm'), str('k')));
  });

  it('parses the legacy a.0 index, also chained as a.0.1', () => {
    expect(e('a.0')).toEqual(idx(v('a'), n(0)));
    expect(e('a.0.1.b')).toEqual(attr(idx(idx(v('a'), n(0)), n(1)), 'b'));
  });

  it('parses attribute-only splats, which end at the first non-attribute step', () => {
    expect(e('a.*.b.c[0]')).toEqual(idx({ kind: 'splat', source: v('a'), each: attr(attr(item, 'b'), 'c'), full: false }, n(0)));
    expect(e('a.*')).toEqual({ kind: 'splat', source: v('a'), each: item, full: false });
  });

  it('parses full splats, which take every following step', () => {
    expect(e('a[*].b[0].c')).toEqual({ kind: 'splat', source: v('a'), each: attr(idx(attr(item, 'b'), n(0)), 'c'), full: true });
  });

  it('records the splat marker range on the item', () => {
    const splat = exprOf('aws[*].id');
    if (splat.kind !== 'splat' || splat.each.kind !== 'getattr') throw new TypeError('expected a splat');
    expect(splat.each.object.range.start.column).toBe(8);
    expect(splat.each.object.range.end.column).toBe(11);
    expect(splat.range.end.column).toBe(14);
  });
});

describe('function calls', () => {
  it('parses arguments across lines, trailing commas and expansion', () => {
    expect(e('f(\n  a,\n  b,\n)')).toEqual({ kind: 'call', name: 'f', args: [v('a'), v('b')], expandFinal: false });
    expect(e('concat(a, b...)')).toEqual({ kind: 'call', name: 'concat', args: [v('a'), v('b')], expandFinal: true });
    expect(e('timestamp()')).toEqual({ kind: 'call', name: 'timestamp', args: [], expandFinal: false });
  });

  it('parses namespaced function names', () => {
    expect(e('provider::ns::fn(1)')).toEqual({ kind: 'call', name: 'provider::ns::fn', args: [n(1)], expandFinal: false });
  });

  it('parses calls as traversal roots', () => {
    expect(e('f(x)[0]')).toEqual(idx({ kind: 'call', name: 'f', args: [v('x')], expandFinal: false }, n(0)));
  });
});

describe('for expressions', () => {
  it('parses tuple for with key, value and condition', () => {
    expect(e('[for k, s in var.l : upper(s) if k != 0]')).toEqual({
      kind: 'for',
      isObject: false,
      keyVar: 'k',
      valueVar: 's',
      collection: attr(v('var'), 'l'),
      keyExpr: null,
      valueExpr: { kind: 'call', name: 'upper', args: [v('s')], expandFinal: false },
      cond: bin('!=', v('k'), n(0)),
      group: false,
    });
  });

  it('parses object for with grouping, across lines', () => {
    expect(e('{\n  for s in l :\n  s.k => s.v...\n}')).toEqual({
      kind: 'for',
      isObject: true,
      keyVar: null,
      valueVar: 's',
      collection: v('l'),
      keyExpr: attr(v('s'), 'k'),
      valueExpr: attr(v('s'), 'v'),
      cond: null,
      group: true,
    });
  });

  it("accepts a tuple constructor right after 'in'", () => {
    expect(e('[for x in [1] : x]')).toMatchObject({ kind: 'for', collection: { kind: 'tuple', items: [n(1)] } });
  });
});

describe('templates', () => {
  it('decodes escapes in quoted strings', () => {
    expect(e('"a\\n\\t\\"\\\\ \\u00e9 \\U0001F600"')).toEqual(str('a\n\t"\\ é 😀'));
    expect(e('"$${x} %%{y} $$ %"')).toEqual(str('${x} %{y} $$ %'));
  });

  it('makes "" one empty literal part', () => {
    expect(e('""')).toEqual(str(''));
  });

  it('splits interpolations into parts', () => {
    expect(e('"ami-${var.v}-x"')).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [
        { kind: 'literal', value: 'ami-' },
        { kind: 'interp', expr: attr(v('var'), 'v') },
        { kind: 'literal', value: '-x' },
      ],
    });
  });

  it('parses nested quotes inside interpolations', () => {
    expect(e('"${join(",", l)}"')).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [{ kind: 'interp', expr: { kind: 'call', name: 'join', args: [str(','), v('l')], expandFinal: false } }],
    });
  });

  it('parses if/else/endif and applies strip markers to neighbouring literals', () => {
    expect(e('"a %{~ if c ~}  yes  %{~ else ~}  no  %{~ endif ~} b"')).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [
        { kind: 'literal', value: 'a' },
        { kind: 'if', cond: v('c'), then: [{ kind: 'literal', value: 'yes' }], else: [{ kind: 'literal', value: 'no' }] },
        { kind: 'literal', value: 'b' },
      ],
    });
  });

  it('strips interpolation neighbours with ${~ and ~}', () => {
    expect(e('"x   ${~ a ~}   y"')).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [{ kind: 'literal', value: 'x' }, { kind: 'interp', expr: v('a') }, { kind: 'literal', value: 'y' }],
    });
  });

  it('parses for directives with an absent else', () => {
    expect(e('"%{ for k, x in xs }${x},%{ endfor }"')).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [
        {
          kind: 'for',
          keyVar: 'k',
          valueVar: 'x',
          collection: v('xs'),
          body: [{ kind: 'interp', expr: v('x') }, { kind: 'literal', value: ',' }],
        },
      ],
    });
    expect(e('"%{ if a }x%{ endif }"')).toMatchObject({ parts: [{ kind: 'if', else: null }] });
  });

  it('keeps heredoc content as written, without backslash escapes', () => {
    const src = 'x = <<EOT\n  line one\\n\n    ${a}\nEOT\n';
    const attrExpr = (parseOk(src).file.body.items[0] as Attribute).expr;
    expect(stripRanges(attrExpr)).toEqual({
      kind: 'template',
      heredoc: true,
      parts: [
        { kind: 'literal', value: '  line one\\n\n    ' },
        { kind: 'interp', expr: v('a') },
        { kind: 'literal', value: '\n' },
      ],
    });
  });

  it('strips the smallest common indentation from <<- heredocs, ignoring blank lines', () => {
    const src = 'x = <<-EOT\n    a\n\n      b ${c}\n    d\n  EOT\n';
    const attrExpr = (parseOk(src).file.body.items[0] as Attribute).expr;
    expect(stripRanges(attrExpr)).toEqual({
      kind: 'template',
      heredoc: true,
      parts: [{ kind: 'literal', value: 'a\n\n  b ' }, { kind: 'interp', expr: v('c') }, { kind: 'literal', value: '\nd\n' }],
    });
  });

  it('applies ~} only up to the end of its heredoc line, as HCL does', () => {
    const src = 'x = <<EOT\n%{ for x in xs ~}\n  ${x}\n%{ endfor ~}\nEOT\n';
    const attrExpr = (parseOk(src).file.body.items[0] as Attribute).expr;
    expect(stripRanges(attrExpr)).toEqual({
      kind: 'template',
      heredoc: true,
      parts: [
        {
          kind: 'for',
          keyVar: null,
          valueVar: 'x',
          collection: v('xs'),
          body: [{ kind: 'literal', value: '  ' }, { kind: 'interp', expr: v('x') }, { kind: 'literal', value: '\n' }],
        },
      ],
    });
  });

  it('gives heredoc templates the range from the introducer to the closing marker', () => {
    const src = 'x = <<-EOT\n  hi\n  EOT\n';
    const t = (parseOk(src).file.body.items[0] as Attribute).expr;
    expect(t.range.start).toEqual({ line: 1, column: 5, byte: 4 });
    expect(t.range.end).toEqual({ line: 3, column: 6, byte: 21 });
    if (t.kind !== 'template') throw new TypeError('expected template');
    // After flushing, the literal starts after the removed indentation.
    expect(t.parts[0]?.range.start).toEqual({ line: 2, column: 3, byte: 13 });
  });
});

describe('bodies', () => {
  it('keeps attributes and blocks in file order', () => {
    const r = parseOk(`
build {
  sources = ["source.null.a"]
  provisioner "shell" { inline = ["1"] }
  provisioner "file" {
    source = "x"
  }
  provisioner "shell" {
    inline = ["2"]
  }
}
`);
    const build = r.file.body.items[0] as Block;
    expect(build.body.items.map((i) => (i.kind === 'block' ? `${i.type}:${i.labels.join(',')}` : i.name))).toEqual([
      'sources',
      'provisioner:shell',
      'provisioner:file',
      'provisioner:shell',
    ]);
  });

  it('parses identifier and quoted labels and one-line blocks', () => {
    const r = parseOk('source docker "ubu\\"ntu" { image = "debian" }\nempty {}\n');
    expect(stripRanges(r.file.body)).toEqual({
      kind: 'body',
      items: [
        {
          kind: 'block',
          type: 'source',
          labels: ['docker', 'ubu"ntu'],
          body: { kind: 'body', items: [{ kind: 'attribute', name: 'image', expr: str('debian') }] },
        },
        { kind: 'block', type: 'empty', labels: [], body: { kind: 'body', items: [] } },
      ],
    });
  });

  it('records exact ranges for names, labels, braces and blocks', () => {
    const r = parseOk('\nsource "docker" "u" {\n  image = "debian"\n}\n');
    const block = r.file.body.items[0] as Block;
    expect(block.typeRange).toEqual({ filename: 't.pkr.hcl', start: { line: 2, column: 1, byte: 1 }, end: { line: 2, column: 7, byte: 7 } });
    expect(block.labelRanges[0]).toEqual({ filename: 't.pkr.hcl', start: { line: 2, column: 8, byte: 8 }, end: { line: 2, column: 16, byte: 16 } });
    expect(block.openBraceRange.start).toEqual({ line: 2, column: 21, byte: 21 });
    expect(block.range.end).toEqual({ line: 4, column: 2, byte: 43 });
    const image = block.body.items[0] as Attribute;
    expect(image.nameRange.start).toEqual({ line: 3, column: 3, byte: 25 });
    expect(image.range).toEqual({ filename: 't.pkr.hcl', start: { line: 3, column: 3, byte: 25 }, end: { line: 3, column: 19, byte: 41 } });
  });

  it('ignores comments of every style', () => {
    const r = parseOk('# a\n// b\n/* c\n d */ a = 1 # e\nb = /* inline */ 2 // f\n');
    expect(r.file.body.items.map((i) => (i.kind === 'attribute' ? i.name : ''))).toEqual(['a', 'b']);
  });

  it('counts columns in code points, not UTF-16 units', () => {
    const r = parseOk('a = "😀😀" \nb = 1\n');
    const a = r.file.body.items[0] as Attribute;
    expect(a.range.end).toEqual({ line: 1, column: 9, byte: 10 });
  });

  it('accepts CRLF line endings and tabs', () => {
    const r = parseOk('a {\r\n\tb = 1\r\n}\r\n');
    expect(stripRanges(r.file.body)).toEqual({
      kind: 'body',
      items: [{ kind: 'block', type: 'a', labels: [], body: { kind: 'body', items: [{ kind: 'attribute', name: 'b', expr: n(1) }] } }],
    });
  });

  it('parses an empty file to an empty body', () => {
    expect(parseOk('').file.body.items).toEqual([]);
    expect(parseOk('\n\n# only a comment\n').file.body.items).toEqual([]);
  });
});

describe('performance', () => {
  it('parses a 5,000-line template in well under 200 ms', () => {
    const unit = [
      'source "docker" "app${i}" {',
      '  image   = "debian:${var.tag}"',
      '  commit  = true',
      '  changes = ["ENV A=${local.a}", "WORKDIR /app"]',
      '  run_command = ["-d", "-i", "-t", "--", "{{.Image}}"]',
      '}',
      '',
      'build {',
      '  sources = [for s in local.names : "source.docker.${s}" if s != ""]',
      '  provisioner "shell" {',
      '    inline = [',
      '      "echo ${upper(var.name)}",',
      '      "apt-get install -y ${join(" ", var.pkgs)}",',
      '    ]',
      '    environment_vars = { A = 1, B = var.b ? "x" : "y" }',
      '  }',
      '}',
      '',
    ];
    const lines: string[] = [];
    for (let i = 0; lines.length < 5000; i++) lines.push(...unit.map((l) => l.replace('${i}', String(i))));
    const src = lines.join('\n');
    const r = parseHCL(src, 'big.pkr.hcl');
    expect(r.diagnostics).toEqual([]);
    expect(r.file.body.items.length).toBeGreaterThan(500);
    // CPU time, best of a few runs: other processes share the machine, and time spent
    // waiting for a core says nothing about the parser.
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = process.cpuUsage();
      parseHCL(src, 'big.pkr.hcl');
      const used = process.cpuUsage(t0);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    expect(best).toBeLessThan(200);
  });
});

describe('standalone entry points', () => {
  it('parses an expression with free newlines and rejects trailing text', () => {
    const ok = parseExpression('[\n  "a",\n  var.b\n]', 'cli');
    expect(ok.diagnostics).toEqual([]);
    expect(stripRanges(ok.expr)).toEqual({ kind: 'tuple', items: [str('a'), attr(v('var'), 'b')] });
    expect(parseExpression('1 2', 'cli').diagnostics.map((d) => d.summary)).toEqual(['Extra characters after expression']);
  });

  it('places ranges inside a larger file when given where the text starts', () => {
    const r = parseExpression('list(string)', 'v.pkr.json', { start: { line: 3, column: 14, byte: 40 } });
    expect(r.expr.range.start).toEqual({ line: 3, column: 14, byte: 40 });
    expect(r.expr.range.end).toEqual({ line: 3, column: 26, byte: 52 });
  });

  it('parses a bare template, with directives and no quotes', () => {
    const r = parseTemplate('Hello ${name}!\n%{ if x }y%{ endif }', 'greeting.tpl');
    expect(r.diagnostics).toEqual([]);
    expect(stripRanges(r.expr)).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [
        { kind: 'literal', value: 'Hello ' },
        { kind: 'interp', expr: v('name') },
        { kind: 'literal', value: '!\n' },
        { kind: 'if', cond: v('x'), then: [{ kind: 'literal', value: 'y' }], else: null },
      ],
    });
  });
});

describe('hostile input', () => {
  const summaries = (src: string): string[] => parseHCL(src, 'h.hcl').diagnostics.map((d) => `${d.summary}@${d.subject?.start.line}:${d.subject?.start.column}`);

  it('stops at the nesting limit with one located diagnostic', () => {
    expect(summaries(`x = ${'('.repeat(120)}1${')'.repeat(120)}\n`)).toEqual([]);
    expect(summaries(`x = ${'('.repeat(2000)}1${')'.repeat(2000)}\n`)).toEqual(['Expression nested too deeply@1:133']);
    expect(summaries(`x = ${'['.repeat(2000)}\n`)).toEqual(['Expression nested too deeply@1:133']);
    expect(summaries(`${'a {\n'.repeat(500)}`)).toEqual(['Expression nested too deeply@129:4']);
    // Found by the fuzz suite: splats nest their remaining traversal.
    expect(summaries(`x = a${'[*]'.repeat(3000)}\n`)[0]).toMatch(/^Expression nested too deeply@1:/);
    expect(summaries(`x = a.*${'.b'.repeat(3000)}\n`)[0]).toMatch(/^Expression nested too deeply@1:/);
  });

  it('parses a 50,000-term operator chain into a left-nested tree', () => {
    const r = parseHCL(`x = ${Array(50000).fill('a').join(' - ')}\n`, 'h.hcl');
    expect(r.diagnostics).toEqual([]);
    const attr = r.file.body.items[0] as Attribute;
    expect(attr.expr.kind).toBe('binary');
  });

  it('caps a file of errors at 100 diagnostics and counts the rest', () => {
    const d = parseHCL('x = = =\n'.repeat(1000), 'h.hcl').diagnostics;
    expect(d).toHaveLength(101);
    expect(d[100]?.summary).toBe('Too many errors');
    expect(d[100]?.detail).toMatch(/^1899 more problems in this file are not shown/);
  });

  it('reports a run of one invalid character once', () => {
    expect(summaries(`${'\u0000'.repeat(50000)}\n`)).toEqual(['Invalid character@1:1']);
  });
});
