import type { Range } from './ast.js';
import { error, warning } from './diagnostic.js';
import { formatLocation, renderDiagnostic, renderDiagnostics } from './render.js';
import { didYouMean, levenshtein } from './suggest.js';

const SRC = `source "docker" "ubuntu" {
  image   = "debian"
  commit  = true
}

build {
  provisioner "shell" {
\tinlin = ["echo hi"]
  }
}
`;
const sources = new Map([['template.pkr.hcl', SRC]]);

function at(line: number, column: number, len: number): Range {
  const lines = SRC.split('\n');
  let byte = 0;
  for (let i = 0; i < line - 1; i++) byte += (lines[i]?.length ?? 0) + 1;
  byte += column - 1;
  return {
    filename: 'template.pkr.hcl',
    start: { line, column, byte },
    end: { line, column: column + len, byte: byte + len },
  };
}

describe('renderDiagnostic', () => {
  it('renders summary, location with the enclosing block, the line with the subject underlined, and detail', () => {
    const d = error('Unsupported argument', 'An argument named "imagee" is not expected here. Did you mean "image"?', at(2, 3, 5));
    expect(renderDiagnostic(d, sources, { color: false })).toBe(
      [
        'Error: Unsupported argument',
        '',
        '  on template.pkr.hcl line 2, in source "docker" "ubuntu":',
        '  2:   image   = "debian"',
        '       ^^^^^',
        '',
        'An argument named "imagee" is not expected here. Did you mean "image"?',
        '',
      ].join('\n'),
    );
  });

  it('names the innermost block and keeps tabs so the underline lines up', () => {
    const d = warning('Deprecated argument', 'Use "inline" instead.', at(8, 2, 5));
    expect(renderDiagnostic(d, sources, { color: false })).toBe(
      [
        'Warning: Deprecated argument',
        '',
        '  on template.pkr.hcl line 8, in provisioner "shell":',
        '  8: \tinlin = ["echo hi"]',
        '     \t^^^^^',
        '',
        'Use "inline" instead.',
        '',
      ].join('\n'),
    );
  });

  it('reports a problem with a block header in the block around it', () => {
    const d = error('Unsupported block type', 'Blocks of type "provisioner" are not expected here.', at(7, 3, 11));
    expect(renderDiagnostic(d, sources, { color: false })).toContain('  on template.pkr.hcl line 7, in build:\n');
  });

  it('underlines only the first line of a multi-line subject', () => {
    const subject: Range = { filename: 'template.pkr.hcl', start: at(1, 27, 1).start, end: at(4, 2, 0).start };
    const out = renderDiagnostic(error('Bad block', 'x', subject), sources, { color: false });
    expect(out).toContain('  1: source "docker" "ubuntu" {\n                               ^\n');
  });

  it('says when the source is not available and omits the frame without a subject', () => {
    const missing = { ...at(1, 1, 1), filename: 'other.pkr.hcl' };
    expect(renderDiagnostic(error('S', 'D.', missing), sources, { color: false })).toBe(
      'Error: S\n\n  on other.pkr.hcl line 1:\n  (source code not available)\n\nD.\n',
    );
    expect(renderDiagnostic(error('No file', 'Just words.'), sources, { color: false })).toBe('Error: No file\n\nJust words.\n');
  });

  it('colours severity, summary and underline when asked', () => {
    const out = renderDiagnostic(error('Bad', 'x', at(2, 3, 5)), sources, { color: true });
    expect(out).toContain('\x1b[1m\x1b[31mError:\x1b[0m \x1b[1mBad\x1b[0m');
    expect(out).toContain('\x1b[4mimage\x1b[0m');
    expect(out).toContain('\x1b[1m\x1b[31m^^^^^\x1b[0m');
  });

  it('separates several diagnostics with a blank line', () => {
    const out = renderDiagnostics([error('A', 'a.'), error('B', 'b.')], sources, { color: false });
    expect(out).toBe('Error: A\n\na.\n\nError: B\n\nb.\n');
  });
});

describe('formatLocation', () => {
  it('gives file:line:column', () => {
    expect(formatLocation(at(12, 3, 6))).toBe('template.pkr.hcl:12:3');
  });
});

describe('didYouMean', () => {
  it('suggests the closest name within two edits', () => {
    expect(didYouMean('imagee', ['image', 'commit', 'changes'])).toBe('image');
    expect(didYouMean('comit', ['image', 'commit'])).toBe('commit');
    expect(didYouMean('run_comand', ['run_command', 'exec_user'])).toBe('run_command');
  });

  it('prefers a case-only difference and returns null for unrelated names', () => {
    expect(didYouMean('Image', ['imag', 'image'])).toBe('image');
    expect(didYouMean('volumes', ['image', 'commit'])).toBeNull();
    expect(didYouMean('x', [])).toBeNull();
  });

  it('computes Levenshtein distances', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });
});

describe('rendering hostile input', () => {
  it('shows a window of a long line around the subject, not the whole line', () => {
    const line = `${'x'.repeat(5000)}\u0000${'y'.repeat(5000)}`;
    const subject: Range = { filename: 'long.hcl', start: { line: 1, column: 5001, byte: 5000 }, end: { line: 1, column: 5002, byte: 5001 } };
    const out = renderDiagnostic(error('Invalid character', 'Bad.', subject), new Map([['long.hcl', line]]), { color: false });
    const [, , , frame, carets] = out.split('\n');
    expect(frame).toBe(`  1: …${'x'.repeat(60)}\u0000${'y'.repeat(80)}…`);
    expect(carets?.indexOf('^')).toBe(frame?.indexOf('\u0000'));
    expect(out.length).toBeLessThan(400);
  });

  it('renders at most 101 diagnostics per file and counts the rest', () => {
    const list = Array.from({ length: 250 }, () => error('Invalid expression', 'Bad.', at(2, 3, 5)));
    const out = renderDiagnostics(list, sources, { color: false });
    expect(out.match(/Error: Invalid expression/g)).toHaveLength(101);
    expect(out).toContain('... and 149 more problems in template.pkr.hcl not shown.');
  });
});
