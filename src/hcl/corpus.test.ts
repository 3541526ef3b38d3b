// Real Packer templates from public repositories (../shared/packer-corpus beside the
// clone): every one must parse cleanly and survive formatting unchanged in meaning.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatHCL } from './format.js';
import { lex } from './lexer.js';
import { parseHCL } from './parser.js';
import { stripRanges } from './strip.js';

// dist/src/hcl/corpus.test.js -> repository root
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const corpusDir = path.resolve(repoRoot, '../shared/packer-corpus');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const files = existsSync(corpusDir)
  ? walk(corpusDir)
      .filter((f) => f.endsWith('.pkr.hcl') || f.endsWith('.pkrvars.hcl'))
      .sort()
  : [];
const cases = files.map((f) => [path.relative(corpusDir, f), f] as const);

/** Every Pos inside `node` whose line/column disagrees with its offset in `src`. */
function badPositions(node: unknown, src: string): string[] {
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const bad: string[] = [];
  const check = (p: { line: number; column: number; byte: number }): void => {
    const start = lineStarts[p.line - 1];
    const col = start === undefined ? -1 : [...src.slice(start, p.byte)].length + 1;
    if (col !== p.column || p.byte > src.length) bad.push(JSON.stringify(p));
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if ('line' in v && 'column' in v && 'byte' in v) check(v as { line: number; column: number; byte: number });
      else for (const [k, x] of Object.entries(v)) if (k !== 'source') walk(x);
    }
  };
  walk(node);
  return bad;
}

function mutations(src: string, seed: number, count: number): string[] {
  // A small deterministic generator, so failures reproduce.
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const junk = ['{', '}', '"', '[', ']', '(', ')', '=', ',', '\n', '$', '${', '%{', '<<EOT\n', '#', '/*', '~', "'", ':', '.', '*'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = next(src.length + 1);
    const piece = junk[next(junk.length)] ?? '';
    out.push(next(2) === 0 ? src.slice(0, at) + piece + src.slice(at) : src.slice(0, at) + src.slice(at + 1 + next(3)));
  }
  return out;
}

function commentCount(src: string): number {
  return lex(src, 'c.hcl').tokens.filter((t) => t.type === 'Comment').length;
}

describe('packer corpus', () => {
  it('is present', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('%s parses with no diagnostics', (_name, file) => {
    const r = parseHCL(readFileSync(file, 'utf8'), path.basename(file));
    expect(r.diagnostics).toEqual([]);
  });

  it.each(cases)('%s has line/column positions that agree with byte offsets', (_name, file) => {
    const src = readFileSync(file, 'utf8');
    expect(badPositions(parseHCL(src, 'a.pkr.hcl').file.body, src)).toEqual([]);
  });

  it.each(cases)('%s, damaged at random, gives diagnostics inside the file and never throws', (_name, file) => {
    const src = readFileSync(file, 'utf8');
    for (const broken of mutations(src, src.length, 25)) {
      const r = parseHCL(broken, 'b.pkr.hcl');
      expect(badPositions(r.diagnostics, broken)).toEqual([]);
      expect(badPositions(r.file.body, broken)).toEqual([]);
      for (const d of r.diagnostics) expect(d.summary.length).toBeGreaterThan(0);
    }
  });

  it.each(cases)('%s, damaged but still valid, still formats idempotently and keeps the AST', (_name, file) => {
    const src = readFileSync(file, 'utf8');
    // Typically a third of the variants still parse (a comment or string cut short, a
    // newline added); those exercise layouts the originals do not have.
    for (const variant of mutations(src, src.length + 7, 40)) {
      const before = parseHCL(variant, 'v.pkr.hcl');
      if (before.diagnostics.length > 0) continue;
      const once = formatHCL(variant, 'v.pkr.hcl').output;
      expect(formatHCL(once, 'v.pkr.hcl').output).toBe(once);
      expect(stripRanges(parseHCL(once, 'v.pkr.hcl').file.body)).toEqual(stripRanges(before.file.body));
    }
  });

  it.each(cases)('%s formats idempotently, keeping every comment and the AST', (_name, file) => {
    const src = readFileSync(file, 'utf8');
    const once = formatHCL(src, 'a.pkr.hcl');
    expect(once.diagnostics).toEqual([]);
    const twice = formatHCL(once.output, 'a.pkr.hcl');
    expect(twice.output).toBe(once.output);
    expect(commentCount(once.output)).toBe(commentCount(src));
    const before = parseHCL(src, 'a.pkr.hcl');
    const after = parseHCL(once.output, 'a.pkr.hcl');
    expect(after.diagnostics).toEqual([]);
    expect(stripRanges(after.file.body)).toEqual(stripRanges(before.file.body));
    expect(once.output.endsWith('\n')).toBe(true);
    expect(once.output.endsWith('\n\n')).toBe(false);
    expect(once.output).not.toMatch(/[ \t]+\n/);
  });

  describe('formatting matches packer fmt', () => {
    const unformatted = path.join(corpusDir, '07-hashicorp__packer__hcl2template__testdata__format__unformatted.pkr.hcl');
    const out = existsSync(unformatted) ? formatHCL(readFileSync(unformatted, 'utf8'), 'unformatted.pkr.hcl').output : '';

    it("produces byte for byte hashicorp/packer's hcl2template/testdata/format/formatted.pkr.hcl", () => {
      // sha256 and size of that file at hashicorp/packer b3401b4f4d9372d05c608090e3d878a79c99eded.
      expect(out.length).toBe(2395);
      expect(out.split('\n')).toHaveLength(150);
      expect(createHash('sha256').update(out).digest('hex')).toBe('aa13b5b4a474dd03f1e891ef1c2637dafc27e881c057fc4f7894ad5742cb7391');
    });

    it('aligns = across consecutive one-line arguments only', () => {
      expect(out).toContain(
        [
          '    string   = coalesce(null, "", "string")',
          '    int      = "${41 + 1}"',
          '    int64    = "${42 + 1}"',
          '    bool     = "true"',
          '    trilean  = true',
          '    duration = "${9 + 1}s"',
          '    map_string_string = {',
          '      a = "b"',
        ].join('\n'),
      );
    });

    it('re-indents nested collections and spaces items after commas', () => {
      expect(out).toContain('    slice_slice_string = [\n      ["a", "b"],\n      ["c", "d"]\n    ]\n');
      expect(out).toContain('\n    nested_slice {\n    }\n');
      expect(out.startsWith('\n// starts resources to provision them.\nbuild {\n  sources = [\n')).toBe(true);
    });
  });
});
