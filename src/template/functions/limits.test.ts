// Hostile arguments (issue 14): results and inputs past a limit are refused with a
// function error instead of exhausting the heap, and strings of any length are measured in
// grapheme clusters in linear time.
import { graphemes } from './shared.js';
import { call, callError } from './test-helpers.js';

describe('grapheme counting at any length', () => {
  it('agrees with Intl.Segmenter on mixed text across chunk boundaries', () => {
    const seg = new Intl.Segmenter('en', { granularity: 'grapheme' });
    const unit = 'e\u0301🇫🇷🇩🇪👨‍👩‍👧\r\nx가각\u0915\u094d\u0937';
    for (const text of [unit.repeat(60), `${'a'.repeat(255)}e\u0301${'b'.repeat(300)}`, `${'🇫🇷'.repeat(200)}`, '\r\n'.repeat(300)]) {
      expect(graphemes(text)).toEqual(Array.from(seg.segment(text), (x) => x.segment));
    }
  });

  it('measures, reverses and slices a string of 300,000 characters', () => {
    const s = `${'ab'.repeat(100_000)}${'é'.repeat(100_000)}`;
    expect(call('length', s)).toBe(300_000);
    expect(call('substr', s, 199_999, 3)).toBe('béé');
    expect((call('strrev', s) as string).slice(0, 2)).toBe('éé');
    expect(call('format', '%.2s|%-300001s|', s, 'x')).toMatch(/^ab\|x {300000}\|$/);
  });
});

describe('limits on results and inputs', () => {
  it.each<[string, unknown[], RegExp]>([
    ['format', ['%999999999s', 'a'], /width or precision 999999999 is more than the limit of 16777216/],
    ['format', ['%.999999999s', 'a'], /width or precision 999999999 is more than the limit/],
    ['setproduct', [Array(1000).fill(1).map((_, i) => i), Array(1000).fill(1).map((_, i) => i), [1, 2]], /the product would have 2000000 elements; the limit is 1000000/],
    ['jsondecode', [`${'['.repeat(300)}${']'.repeat(300)}`], /the JSON nests 300 levels deep; the limit is 256/],
    ['yamldecode', [`${'['.repeat(300)}${']'.repeat(300)}`], /the document nests 300 levels deep; the limit is 256/],
    ['yamldecode', [Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')], /nests more than 256 levels deep/],
    ['yamldecode', [`a: "${'x'.repeat(1024 * 1024)}"`], /yamldecode reads at most 1048576/],
    ['yamldecode', ['a: 1\nb: 2\na: 3\n'], /mapping key "a" already defined/],
    ['indent', [20_000_000, 'a\nb'], /the result would be a string of \d+ characters; the limit is 16777216/],
  ])('%s refuses case %#', (name, args, message) => {
    expect(callError(name, ...(args as never[])).message).toMatch(message);
  });

  it('still decodes what is within the limits', () => {
    expect(call('jsondecode', `{"a": "[[[[", "b": ${'['.repeat(200)}${']'.repeat(200)}}`)).toMatchObject({ a: '[[[[' });
    expect(call('yamldecode', Array.from({ length: 5000 }, (_, i) => `k${i}: v`).join('\n'))).toMatchObject({ k4999: 'v' });
  });
});
