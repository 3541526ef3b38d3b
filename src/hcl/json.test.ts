import type { Attribute, Block } from './ast.js';
import type { BlockSchema } from './json.js';
import { parseHCLJSON } from './json.js';
import { parseHCL } from './parser.js';
import { renderDiagnostics } from './render.js';
import { stripRanges } from './strip.js';

const PACKER_JSON = `{
  "variable": {
    "tag": { "type": "string", "default": "12" }
  },
  "source": {
    "docker": {
      "debian": { "image": "debian:\${var.tag}", "commit": true }
    }
  },
  "build": {
    "sources": ["source.docker.debian"],
    "provisioner": [
      { "shell": { "inline": ["echo one"] } },
      { "file": { "source": "a.txt", "destination": "/tmp/a.txt" } },
      { "shell": { "inline": ["echo two"], "environment_vars": { "A": "1" } } }
    ],
    "post-processors": [
      { "post-processor": { "docker-tag": { "repository": "x", "tags": ["latest"] } } }
    ]
  }
}
`;

const SAME_IN_HCL = `variable "tag" {
  type    = "string"
  default = "12"
}
source "docker" "debian" {
  image  = "debian:\${var.tag}"
  commit = true
}
build {
  sources = ["source.docker.debian"]
  provisioner "shell" {
    inline = ["echo one"]
  }
  provisioner "file" {
    source      = "a.txt"
    destination = "/tmp/a.txt"
  }
  provisioner "shell" {
    inline           = ["echo two"]
    environment_vars = { "A" = "1" }
  }
  post-processors {
    post-processor "docker-tag" {
      repository = "x"
      tags       = ["latest"]
    }
  }
}
`;

describe('parseHCLJSON', () => {
  it('reads a Packer JSON template into the same AST as the native syntax, keeping provisioner order', () => {
    const json = parseHCLJSON(PACKER_JSON, 't.pkr.json');
    expect(json.diagnostics).toEqual([]);
    const native = parseHCL(SAME_IN_HCL, 't.pkr.hcl');
    expect(native.diagnostics).toEqual([]);
    expect(stripRanges(json.file.body)).toEqual(stripRanges(native.file.body));
    const build = json.file.body.items[2] as Block;
    expect(build.body.items.map((i) => (i.kind === 'block' ? `${i.type}.${i.labels.join('.')}` : i.name))).toEqual([
      'sources',
      'provisioner.shell',
      'provisioner.file',
      'provisioner.shell',
      'post-processors.',
    ]);
  });

  it('gives keys and values exact line/column ranges', () => {
    const r = parseHCLJSON(PACKER_JSON, 't.pkr.json');
    const source = r.file.body.items[1] as Block;
    expect(source.typeRange.start).toEqual({ line: 5, column: 3, byte: 74 });
    expect(source.labelRanges.map((l) => [l.start.line, l.start.column])).toEqual([
      [6, 5],
      [7, 7],
    ]);
    const image = source.body.items[0] as Attribute;
    expect(image.nameRange.start).toMatchObject({ line: 7, column: 19 });
    expect(image.expr.range.start).toMatchObject({ line: 7, column: 28 });
    expect(image.expr.range.end).toMatchObject({ line: 7, column: 47 });
  });

  it('parses strings as templates and maps interpolation ranges back through escapes', () => {
    const src = '{"a": "q\\"\\u00e9 ${var.x}"}';
    const r = parseHCLJSON(src, 'e.pkr.json', { blocks: {} });
    expect(r.diagnostics).toEqual([]);
    const a = r.file.body.items[0] as Attribute;
    expect(stripRanges(a.expr)).toEqual({
      kind: 'template',
      heredoc: false,
      parts: [
        { kind: 'literal', value: 'q"é ' },
        { kind: 'interp', expr: { kind: 'getattr', object: { kind: 'variable', name: 'var' }, name: 'x' } },
      ],
    });
    if (a.expr.kind !== 'template') throw new TypeError('expected template');
    const interp = a.expr.parts[1];
    // `${var.x}` sits at source columns 18-26 although it starts at index 4 of the value.
    expect(interp?.range.start).toEqual({ line: 1, column: 18, byte: 17 });
    expect(interp?.range.end).toEqual({ line: 1, column: 26, byte: 25 });
  });

  it('treats objects inside plugin bodies as attribute values', () => {
    const r = parseHCLJSON('{"source": {"docker": {"x": {"run_command": ["-d"], "volumes": {"/a": "/b"}}}}}', 'p.pkr.json');
    const body = (r.file.body.items[0] as Block).body;
    expect(body.items.map((i) => `${i.kind}:${i.kind === 'attribute' ? i.expr.kind : ''}`)).toEqual(['attribute:tuple', 'attribute:object']);
  });

  it('accepts a custom schema with label counts and arrays at any label level', () => {
    const schema: BlockSchema = { blocks: { resource: { labels: 2 } } };
    const r = parseHCLJSON('{"resource": {"a": [{"x": {"n": 1}}, {"y": {"n": 2}}]}}', 'r.json', schema);
    expect(r.diagnostics).toEqual([]);
    expect(r.file.body.items.map((i) => (i.kind === 'block' ? i.labels.join('.') : ''))).toEqual(['a.x', 'a.y']);
  });

  it('skips "//" comment properties', () => {
    const r = parseHCLJSON('{"//": "a comment", "a": 1}', 'c.json', { blocks: {} });
    expect(r.file.body.items.map((i) => (i.kind === 'attribute' ? i.name : ''))).toEqual(['a']);
  });

  it('reports template errors inside JSON strings at their JSON position', () => {
    const src = '{\n  "a": "x ${var.y"\n}';
    const r = parseHCLJSON(src, 'j.pkr.json', { blocks: {} });
    expect(r.diagnostics.map((d) => [d.summary, d.subject?.start.line, d.subject?.start.column])).toEqual([
      ['Unclosed template interpolation sequence', 2, 11],
    ]);
  });

  it.each([
    ['a trailing comma', '{\n  "a": 1,\n}'],
    ['an equals sign', '{\n  "a" = 1\n}'],
    ['an unquoted keyword', '{\n  "a": yes\n}'],
    ['an unclosed object', '{\n  "a": {\n    "b": 1\n'],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}'],
    ['a raw newline in a string', '{\n  "a": "x\ny"\n}'],
    ['a block that is not an object', '{\n  "build": 3\n}'],
    ['an argument set twice', '{\n  "a": 1,\n  "a": 2\n}'],
    ['an empty file', ''],
  ])('reports %s with its location', (_name, src) => {
    const r = parseHCLJSON(src, 'bad.pkr.json');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(renderDiagnostics(r.diagnostics, new Map([['bad.pkr.json', src]]), { color: false })).toMatchSnapshot();
  });
});
