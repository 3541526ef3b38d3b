import { decodeSource, firstInvalidByte } from './decode.js';
import { lex } from './lexer.js';

describe('decodeSource', () => {
  it('decodes valid UTF-8, a leading byte order mark kept for the lexer to skip', () => {
    const r = decodeSource(Buffer.from('\ufeffa = "é€😀"\n'), 'f.hcl');
    expect(r).toEqual({ text: '\ufeffa = "é€😀"\n', diagnostics: [] });
  });

  it('locates the first invalid byte by line and code-point column', () => {
    const bytes = Buffer.concat([Buffer.from('a = 1\nb = "😀é'), Buffer.from([0xe9, 0x22, 0x0a])]);
    const r = decodeSource(bytes, 'f.hcl');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.summary).toBe('Invalid character encoding');
    expect(r.diagnostics[0]?.subject?.start).toEqual({ line: 2, column: 8, byte: 14 });
    expect(r.diagnostics[0]?.detail).toContain('byte 0xe9 at offset 17');
  });

  it.each([
    ['overlong encoding', [0xc0, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
    ['lone continuation byte', [0x80]],
  ])('rejects a %s', (_name, seq) => {
    const bytes = Buffer.from([0x61, ...seq, 0x62]);
    expect(firstInvalidByte(bytes)).toBe(1);
    expect(decodeSource(bytes, 'f').diagnostics).toHaveLength(1);
  });
});

describe('lexer: characters HCL does not accept', () => {
  const summaries = (src: string): string[] => lex(src, 'f.hcl').diagnostics.map((d) => `${d.summary}@${d.subject?.start.line}`);

  it('rejects a bare CR outside strings and ends a quoted string at one', () => {
    expect(summaries('a = 1\rb = 2\n')).toEqual(['Invalid character@1']);
    expect(summaries('a = "x\ry"\n')[0]).toBe('Invalid multi-line string@1');
    expect(summaries('a = 1\r\nb = 2\r\n')).toEqual([]);
  });

  it('accepts a byte order mark only at the start of the file', () => {
    expect(summaries('\ufeffa = 1\n')).toEqual([]);
    expect(summaries('a = 1\n\ufeffb = 2\n')).toEqual(['Invalid character@2']);
  });
});
