import { ConversionError, formatNumber, toBoolValue, toNumberValue, toStringValue, valuesEqual } from '../convert.js';
import { UNKNOWN, type Value } from '../../core/model/value.js';

describe('convert', () => {
  it.each<[number, string]>([
    [0, '0'],
    [-0, '0'],
    [12, '12'],
    [-12, '-12'],
    [1.5, '1.5'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-2.5e-8, '-0.000000025'],
    [123456789012, '123456789012'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('formatNumber(%p) = %p', (n, s) => {
    expect(formatNumber(n)).toBe(s);
  });

  it.each<[Value, string]>([
    ['x', 'x'],
    [3, '3'],
    [true, 'true'],
    [false, 'false'],
  ])('toStringValue(%j) = %j', (v, s) => {
    expect(toStringValue(v)).toBe(s);
  });

  it.each<[Value, number]>([
    [3, 3],
    ['12', 12],
    ['1e3', 1000],
    ['-1.5', -1.5],
    ['+7', 7],
    ['.5', 0.5],
    ['5.', 5],
  ])('toNumberValue(%j) = %j', (v, n) => {
    expect(toNumberValue(v)).toBe(n);
  });

  it.each<[Value, boolean]>([
    [true, true],
    ['true', true],
    ['false', false],
  ])('toBoolValue(%j) = %j', (v, b) => {
    expect(toBoolValue(v)).toBe(b);
  });

  it.each<[() => unknown, string]>([
    [() => toStringValue(null), 'a string is required, but the value is null'],
    [() => toStringValue([1]), 'cannot convert tuple to string'],
    [() => toStringValue({}), 'cannot convert object to string'],
    [() => toNumberValue('12abc'), 'cannot convert "12abc" to number; given string must be a decimal representation of a number'],
    [() => toNumberValue(''), 'cannot convert "" to number; given string must be a decimal representation of a number'],
    [() => toNumberValue('0x10'), 'cannot convert "0x10" to number; given string must be a decimal representation of a number'],
    [() => toNumberValue(' 1'), 'cannot convert " 1" to number; given string must be a decimal representation of a number'],
    [() => toNumberValue(false), 'cannot convert bool to number'],
    [() => toNumberValue(null), 'a number is required, but the value is null'],
    [() => toBoolValue('True'), 'cannot convert "True" to bool; only the strings "true" or "false" are allowed'],
    [() => toBoolValue(1), 'cannot convert number to bool'],
  ])('throws a ConversionError: %s', (fn, message) => {
    expect(fn).toThrow(ConversionError);
    expect(fn).toThrow(message);
  });

  it('carries an error code and blames the user', () => {
    try {
      toNumberValue('x');
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_CONVERT', source: 'user' });
    }
  });

  it.each<[Value, Value, boolean]>([
    [1, 1, true],
    [1, '1', false],
    ['a', 'a', true],
    [null, null, true],
    [null, 'a', false],
    [true, 'true', false],
    [[1, [2]], [1, [2]], true],
    [[1, 2], [2, 1], false],
    [[1], [1, 1], false],
    [{ a: 1, b: [true] }, { b: [true], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: null }, { b: null }, false],
    [[], {}, false],
    [UNKNOWN, UNKNOWN, false],
  ])('valuesEqual(%j, %j) = %p', (a, b, eq) => {
    expect(valuesEqual(a, b)).toBe(eq);
  });
});
