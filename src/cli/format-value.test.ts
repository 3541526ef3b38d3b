import { UNKNOWN } from '../core/model/value.js';
import { formatValue } from './format-value.js';

test('prints a top-level string raw, as packer console does', () => {
  expect(formatValue('hello')).toBe('hello');
});

test('prints collections in HCL layout with quoted strings and sorted keys', () => {
  expect(formatValue({ b: [1, 'x'], a: true, c: null })).toBe(
    ['{', '  "a" = true', '  "b" = [', '    1,', '    "x",', '  ]', '  "c" = null', '}'].join('\n'),
  );
});

test('prints empty collections compactly', () => {
  expect(formatValue([])).toBe('[]');
  expect(formatValue({})).toBe('{}');
});

test('prints anything containing an unknown value as <unknown>', () => {
  expect(formatValue([1, UNKNOWN])).toBe('<unknown>');
});
