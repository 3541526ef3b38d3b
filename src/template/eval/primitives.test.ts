import { UNKNOWN } from '../../core/model/value.js';
import { compareStrings, formatNumber, parseBool, parseNumber, valuesEqual } from './primitives.js';

describe('formatNumber', () => {
  test.each([
    [0, '0'],
    [42, '42'],
    [-7, '-7'],
    [1.5, '1.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1 / 3, '0.3333333333333333'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.25e-8, '-0.0000000125'],
    [123456.789, '123456.789'],
    [2 ** 53, '9007199254740992'],
  ])('%d prints as %s', (n, want) => {
    expect(formatNumber(n)).toBe(want);
  });
});

describe('string conversions', () => {
  test.each([
    ['1', 1],
    ['-1.5', -1.5],
    ['+2', 2],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    [' 1', null],
    ['1 ', null],
    ['0x10', null],
    ['', null],
    ['abc', null],
    ['Infinity', null],
    ['1_000', null],
  ])('parseNumber(%j) = %j', (s, want) => {
    expect(parseNumber(s)).toBe(want);
  });

  test.each([
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['True', null],
    ['yes', null],
  ])('parseBool(%j) = %j', (s, want) => {
    expect(parseBool(s)).toBe(want);
  });
});

test('valuesEqual never converts and is unknown when it cannot know', () => {
  expect(valuesEqual(1, '1')).toBe(false);
  expect(valuesEqual({ a: [1] }, { a: [1] })).toBe(true);
  expect(valuesEqual(UNKNOWN, UNKNOWN)).toBe(UNKNOWN);
  expect(valuesEqual([UNKNOWN], [1])).toBe(UNKNOWN);
  expect(valuesEqual({ a: 1, b: UNKNOWN }, { a: 2, b: 1 })).toBe(false);
});

test('keys sort by code point, as Go sorts strings', () => {
  expect(['b', 'B', 'a', '\u{1F600}', '\uFFFD'].sort(compareStrings)).toEqual(['B', 'a', 'b', '\uFFFD', '\u{1F600}']);
});
