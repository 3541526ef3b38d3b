import { hasErrors } from './diagnostic.js';
import { parseHCL } from './parser.js';
import { renderDiagnostics } from './render.js';

const FILE = 'template.pkr.hcl';

function rendered(src: string): string {
  const r = parseHCL(src, FILE);
  expect(hasErrors(r.diagnostics)).toBe(true);
  return renderDiagnostics(r.diagnostics, new Map([[FILE, src]]), { color: false });
}

const CASES: Array<[string, string]> = [
  ['argument without equals sign', 'source "docker" "u" {\n  image "debian"\n}\n'],
  ['two arguments on one line', 'build {\n  a = 1 b = 2\n}\n'],
  ['comma after an argument', 'a = 1,\nb = 2\n'],
  ['unclosed block', 'build {\n  provisioner "shell" {\n    inline = ["x"]\n  }\n'],
  ['stray closing brace', 'a = 1\n}\nb = 2\n'],
  [
    'nested block missing its closing brace',
    'packer {\n  required_plugins {\n    docker = {\n      version = ">= 1"\n    }\n}\n\nsource "docker" "u" {\n  image = "x"\n}\n',
  ],
  ['quoted argument name', '"image" = "debian"\n'],
  ['expression starting with an operator', 'a = * 2\n'],
  ['missing expression at end of file', 'a ='],
  ['string left open at end of file', 'a = "abc'],
  ['string broken over lines', 'a = "abc\nb = 1\n'],
  ['interpolation left open', 'a = "${var.x"\nb = 1\n'],
  ['extra characters in interpolation', 'a = "${var.x y}"\n'],
  ['shell variable not escaped', 'inline = ["echo ${HOME:-/root}"]\n'],
  ['invalid escape sequence', 'a = "C:\\Users\\q"\n'],
  ['single-quoted string', "a = 'debian'\n"],
  ['argument set twice', 'source "docker" "u" {\n  image = "a"\n  commit = true\n  image = "b"\n}\n'],
  ['one-line block with two arguments', 'tag { key = "a", value = "b" }\n'],
  ['equals sign in block header', 'source "docker" "u" = {\n  image = "a"\n}\n'],
  ['tuple items without comma', 'sources = ["a" "b"]\n'],
  ['object items on one line without comma', 'tags = { a = 1 b = 2 }\n'],
  ['object key without value', 'tags = {\n  a\n}\n'],
  ['unbalanced parentheses', 'a = (1 + 2\nb = 3\n'],
  ["for expression without 'in'", 'a = [for x : x]\n'],
  ['tuple for expression with a key', 'a = [for k, v in m : k => v]\n'],
  ['conditional without false branch', 'a = b ? 1\n'],
  ['heredoc never closed', 'a = <<EOT\nline\n'],
  ['misspelt template directive', 'a = "%{ iff x }y%{ endif }"\n'],
  ['endif without if', 'a = "x%{ endif }"\n'],
  ['for directive without endfor', 'a = "%{ for x in y }z"\n'],
  ['dot without attribute name', 'a = var.\n'],
  ['bitwise operator', 'a = b & c\n'],
  ['function arguments without comma', 'a = max(1 2)\n'],
  ['semicolon', 'a = 1;\n'],
  ['exponent operator', 'a = 2 ** 3\n'],
  ['interpolation in a block label', 'source "docker" "app-${var.env}" {\n  image = "x"\n}\n'],
  ['second else in one if', 'a = "%{ if x }1%{ else }2%{ else }3%{ endif }"\n'],
  ["for directive without 'in'", 'a = <<EOT\n%{ for x xs }${x}%{ endfor }\nEOT\n'],
  ['nested attribute-only splat', 'a = b.*.c.*\n'],
  ['namespaced function without call', 'a = provider::fn\n'],
  ['several problems in one file', 'variable "a" {\n  type = string,\n}\n\nsource "docker" "u" {\n  image = "x" "y"\n}\n\nbuild {\n  sources = [source.docker.u\n}\n'],
];

describe('syntax errors', () => {
  it.each(CASES)('reports %s', (_name, src) => {
    expect(rendered(src)).toMatchSnapshot();
  });

  it('never throws on arbitrary truncations of a valid template', () => {
    const src =
      'source "docker" "u" {\n  image = "debian:${var.tag}"\n  changes = [for c in local.c : "ENV ${c}" if c != ""]\n}\nbuild {\n  provisioner "shell" {\n    inline = <<-EOT\n      echo %{ if a }yes%{ else }no%{ endif }\n    EOT\n  }\n}\n';
    for (let i = 0; i <= src.length; i++) {
      expect(() => parseHCL(src.slice(0, i), FILE)).not.toThrow();
    }
  });

  it('reports every independent error in a file, not only the first', () => {
    const r = parseHCL('a = 1 2\nb = = 3\nc {\n  d = [1 2]\n}\ne = "\\q"\n', FILE);
    expect(r.diagnostics.map((d) => `${d.subject?.start.line}: ${d.summary}`)).toEqual([
      '1: Missing newline after argument',
      '2: Invalid expression',
      '4: Missing item separator',
      '6: Invalid escape sequence',
    ]);
  });

  it('points "Attribute redefined" at the second definition and names the first', () => {
    const r = parseHCL('a = 1\na = 2\n', FILE);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d?.subject?.start).toEqual({ line: 2, column: 1, byte: 6 });
    expect(d?.detail).toContain('template.pkr.hcl:1,1-2');
  });
});
