import { call, callError, type Case, type ErrorCase } from './test-helpers.js';

describe('numeric functions', () => {
  it.each<Case>([
    ['abs', [23], 23],
    ['abs', [0], 0],
    ['abs', [-12.4], 12.4],
    ['abs', ['-3'], 3],
    ['ceil', [5], 5],
    ['ceil', [5.1], 6],
    ['floor', [5], 5],
    ['floor', [4.9], 4],
    ['floor', [-4.1], -5],
    ['log', [50, 10], 1.6989700043360185],
    ['log', [16, 2], 4],
    ['log', [1, 10], 0],
    ['log', [0, 10], -Infinity],
    ['max', [12, 54, 3], 54],
    ['max', [5], 5],
    ['min', [12, 54, 3], 3],
    ['min', ['7', 8], 7],
    ['parseint', ['100', 10], 100],
    ['parseint', ['FF', 16], 255],
    ['parseint', ['ff', 16], 255],
    ['parseint', ['-10', 16], -16],
    ['parseint', ['+1011', 2], 11],
    ['parseint', ['1011111011101111', 2], 48879],
    ['parseint', ['aA', 62], 656],
    ['parseint', ['zz', 36], 1295],
    ['parseint', ['9007199254740993', 10], 9007199254740992],
    ['pow', [3, 2], 9],
    ['pow', [4, 0], 1],
    ['pow', [2, -1], 0.5],
    ['signum', [-13], -1],
    ['signum', [0], 0],
    ['signum', [344], 1],
    ['sum', [[10, 13, 6, 4.5]], 33.5],
    ['sum', [['1', 2]], 3],
    ['sum', [[-1]], -1],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['abs', ['x'], 'Invalid value for "num" parameter: cannot convert "x" to number; given string must be a decimal representation of a number.'],
    ['abs', [null], 'Invalid value for "num" parameter: argument must not be null.'],
    ['abs', [[1]], 'Invalid value for "num" parameter: cannot convert tuple to number.'],
    ['abs', [true], 'Invalid value for "num" parameter: cannot convert bool to number.'],
    ['max', [], 'Call to function "max" failed: must pass at least one number.'],
    ['min', [1, 'a'], 'Invalid value for "numbers" parameter: cannot convert "a" to number; given string must be a decimal representation of a number.'],
    ['parseint', ['12', 1], 'Invalid value for "base" parameter: base must be a whole number between 2 and 62 inclusive.'],
    ['parseint', ['12', 63], 'Invalid value for "base" parameter: base must be a whole number between 2 and 62 inclusive.'],
    ['parseint', ['12', 2.5], 'Invalid value for "base" parameter: base must be a whole number between 2 and 62 inclusive.'],
    ['parseint', ['FG', 16], 'Invalid value for "number" parameter: cannot parse "FG" as a base 16 integer.'],
    ['parseint', ['', 10], 'Invalid value for "number" parameter: cannot parse "" as a base 10 integer.'],
    ['parseint', ['0x10', 16], 'Invalid value for "number" parameter: cannot parse "0x10" as a base 16 integer.'],
    ['parseint', [12, 10], 'Invalid value for "number" parameter: first argument must be a string, not number.'],
    ['sum', [[]], 'Call to function "sum" failed: cannot sum an empty list.'],
    ['sum', [5], 'Call to function "sum" failed: cannot sum noniterable.'],
    ['sum', [[1, null]], 'Call to function "sum" failed: argument must be list, set, or tuple of number values.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });

  it('points argument errors at the argument and call errors at nothing', () => {
    expect(callError('parseint', '12', 1).argIndex).toBe(1);
    expect(callError('parseint', '12', 1).summary).toBe('Invalid function argument');
    expect(callError('max').argIndex).toBeNull();
    expect(callError('max').summary).toBe('Error in function call');
  });
});
