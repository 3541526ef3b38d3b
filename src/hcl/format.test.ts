import { formatHCL } from './format.js';
import { parseHCL } from './parser.js';
import { stripRanges } from './strip.js';

function fmt(src: string): string {
  const r = formatHCL(src, 'f.pkr.hcl');
  expect(r.diagnostics).toEqual([]);
  // Every case must also be a fixed point and keep the AST.
  expect(formatHCL(r.output, 'f.pkr.hcl').output).toBe(r.output);
  expect(stripRanges(parseHCL(r.output, 'f.pkr.hcl').file.body)).toEqual(stripRanges(parseHCL(src, 'f.pkr.hcl').file.body));
  return r.output;
}

describe('formatHCL', () => {
  it('indents by nesting with two spaces', () => {
    expect(fmt('a {\nb {\n        c = 1\n}\n}\n')).toBe('a {\n  b {\n    c = 1\n  }\n}\n');
  });

  it('puts one space around = and binary operators and none inside brackets', () => {
    expect(fmt('a=1+2*3\nb=[ 1,2 ]\nc=f( x ,y )\nd={a=1}\ne=x[ 0 ].y\n')).toBe(
      'a = 1 + 2 * 3\nb = [1, 2]\nc = f(x, y)\nd = { a = 1 }\ne = x[0].y\n',
    );
  });

  it('tells negation from subtraction', () => {
    expect(fmt('a = - 1\nb = x - 1\nc = [ -1, - x]\nd = (-x)\ne = !  y\n')).toBe('a = -1\nb = x - 1\nc = [-1, -x]\nd = (-x)\ne = !y\n');
  });

  it('aligns = across consecutive one-line arguments, broken by blank lines and blocks', () => {
    const src = 'a = 1\nlonger = 2\n\nx = 3\nyy = {\n  k = 1\n}\nzzz = 4\n';
    expect(fmt(src)).toBe('a      = 1\nlonger = 2\n\nx = 3\nyy = {\n  k = 1\n}\nzzz = 4\n');
  });

  it('aligns end-of-line comments in a run of lines', () => {
    expect(fmt('a = 1 # one\nlonger = 2 // two\n')).toBe('a      = 1 # one\nlonger = 2 // two\n');
  });

  it('keeps every comment, including block comments spanning lines', () => {
    const src = '# head\nbuild { # after brace\n  /* multi\n     line */\n  a = 1 /* inline */\n  // tail\n}\n';
    expect(fmt(src)).toBe('# head\nbuild { # after brace\n  /* multi\n     line */\n  a = 1 /* inline */\n  // tail\n}\n');
  });

  it('leaves heredoc bodies byte for byte and includes them in alignment', () => {
    const src = 'a {\nx = 1\nscript = <<-EOT\n   keep   \n\t tabs ${ y }\n  EOT\nlong_name = 2\n}\n';
    expect(fmt(src)).toBe('a {\n  x         = 1\n  script    = <<-EOT\n   keep   \n\t tabs ${ y }\n  EOT\n  long_name = 2\n}\n');
  });

  it('normalises spacing inside interpolations but never inside string literals', () => {
    expect(fmt('a = "  ${ var.x }  %{ if y }z%{ endif }"\n')).toBe('a = "  ${var.x}  %{if y}z%{endif}"\n');
  });

  it('formats splats, legacy indexes, for expressions and expansions', () => {
    expect(fmt('a = x [*] . id\nb = x . 0\nc = [ for k , v in m : v if k!="" ]\nd = f(l ...)\ne = {for k,v in m: k=>v...}\n')).toBe(
      'a = x[*].id\nb = x.0\nc = [for k, v in m : v if k != ""]\nd = f(l...)\ne = { for k, v in m : k => v... }\n',
    );
  });

  it('re-indents multi-line expressions', () => {
    expect(fmt('a = [\n"x",\n    "y",\n        ]\nb = merge({\na = 1\n}, {\nb = 2\n})\n')).toBe(
      'a = [\n  "x",\n  "y",\n]\nb = merge({\n  a = 1\n  }, {\n  b = 2\n})\n',
    );
  });

  it('removes trailing whitespace and ends with exactly one newline', () => {
    expect(fmt('a = 1   \n# c   \n\n\n\n')).toBe('a = 1\n# c\n');
    expect(fmt('a = 1')).toBe('a = 1\n');
    expect(fmt('')).toBe('');
  });

  it('converts tabs and CRLF line endings', () => {
    expect(fmt('a {\r\n\tb\t=\t1\r\n}\r\n')).toBe('a {\n  b = 1\n}\n');
  });

  it('formats one-line blocks and empty blocks as hclwrite does', () => {
    expect(fmt('a {   b = 1   }\nc {  }\nd {}\n')).toBe('a { b = 1 }\nc {}\nd {}\n');
  });

  // Input/output pairs from hclwrite's own format tests.
  it.each([
    ['a=b()[c]\n', 'a = b()[c]\n'],
    ['x = ( a+-2 )\n', 'x = (a + -2)\n'],
    ['x = (-2+1)\n', 'x = (-2 + 1)\n'],
    ['x = foo(1, -2,a*b, b,c)\n', 'x = foo(1, -2, a * b, b, c)\n'],
    ['a="hello ${~ name ~}"\n', 'a = "hello ${~name~}"\n'],
    ['x = [ [ ] ]\n', 'x = [[]]\n'],
    ['x = [for x in [y]: x]\n', 'x = [for x in [y] : x]\n'],
    ['x = "${\nhello\n}"\n', 'x = "${\n  hello\n}"\n'],
    ['x = foo(\n1,\n- 2,\na*b,\nb,\nc,\n)\n', 'x = foo(\n  1,\n  -2,\n  a * b,\n  b,\n  c,\n)\n'],
    ['x = [[\n[\na\n]]\n]\n', 'x = [[\n  [\n    a\n  ]]\n]\n'],
    ['a = 1 # foo\nbungle = "bonce" # baz\nzebra = "striped" # baz\n', 'a      = 1         # foo\nbungle = "bonce"   # baz\nzebra  = "striped" # baz\n'],
    ['foo {} # here we go\na = 1 # foo\nbungle = "bonce" # baz\n', 'foo {}           # here we go\na      = 1       # foo\nbungle = "bonce" # baz\n'],
    [
      'a="apple"# foo\nbungle=(# woo parens\n"bonce"\n)# baz\nzebra="striped"# baz\n',
      'a = "apple" # foo\nbungle = (  # woo parens\n  "bonce"\n)                 # baz\nzebra = "striped" # baz\n',
    ],
    ['𝒜 = 1 # foo\nbungle = "🇬🇧" # baz\nzebra = "striped" # baz\n', '𝒜      = 1         # foo\nbungle = "🇬🇧"       # baz\nzebra  = "striped" # baz\n'],
    ['foo = [{\n# ...\n}]\n', 'foo = [{\n  # ...\n}]\n'],
  ])('formats %j as hclwrite does', (src, want) => {
    expect(fmt(src)).toBe(want);
  });

  it('refuses to format a file with syntax errors and returns its diagnostics', () => {
    const src = 'a = [1 2]\n';
    const r = formatHCL(src, 'bad.pkr.hcl');
    expect(r.output).toBe(src);
    expect(r.diagnostics.map((d) => d.summary)).toEqual(['Missing item separator']);
  });
});
