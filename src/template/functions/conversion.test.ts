import { call, callError, type Case, type ErrorCase } from './test-helpers.js';

describe('type conversion functions', () => {
  it.each<Case>([
    ['tostring', ['hello'], 'hello'],
    ['tostring', [1], '1'],
    ['tostring', [1.5], '1.5'],
    ['tostring', [1e21], '1000000000000000000000'],
    ['tostring', [true], 'true'],
    ['tostring', [null], null],
    ['tonumber', [1], 1],
    ['tonumber', ['1'], 1],
    ['tonumber', ['-1.5e3'], -1500],
    ['tonumber', [null], null],
    ['tobool', [true], true],
    ['tobool', ['false'], false],
    ['tobool', [null], null],
    ['tolist', [['a', 'b', 'c']], ['a', 'b', 'c']],
    ['tolist', [['a', 'b', 3]], ['a', 'b', '3']],
    ['tolist', [[1, true, null]], ['1', 'true', null]],
    ['tolist', [[[1], [2, 3]]], [[1], [2, 3]]],
    ['tolist', [null], null],
    ['toset', [['a', 'b', 'c']], ['a', 'b', 'c']],
    ['toset', [['c', 'b', 'b']], ['b', 'c']],
    ['toset', [['a', 'b', 3]], ['3', 'a', 'b']],
    ['toset', [[3, 1, 2, 1]], [1, 2, 3]],
    ['toset', [[true, false, true]], [false, true]],
    ['tomap', [{ a: 1, b: 2 }], { a: 1, b: 2 }],
    ['tomap', [{ a: 'foo', b: true }], { a: 'foo', b: 'true' }],
    ['tomap', [{}], {}],
    ['tomap', [null], null],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['tostring', [[]], 'Invalid value for "v" parameter: cannot convert tuple to string.'],
    ['tostring', [{ a: 1 }], 'Invalid value for "v" parameter: cannot convert object to string.'],
    ['tonumber', ['no'], 'Invalid value for "v" parameter: cannot convert "no" to number; given string must be a decimal representation of a number.'],
    ['tonumber', [true], 'Invalid value for "v" parameter: cannot convert bool to number.'],
    ['tobool', ['yes'], 'Invalid value for "v" parameter: cannot convert "yes" to bool; only the strings "true" or "false" are allowed.'],
    ['tobool', [1], 'Invalid value for "v" parameter: cannot convert number to bool.'],
    ['tolist', ['a'], 'Invalid value for "v" parameter: cannot convert string to list of any single type.'],
    ['tolist', [[1, [2]]], 'Invalid value for "v" parameter: cannot convert tuple to list of any single type.'],
    ['toset', [{ a: 1 }], 'Invalid value for "v" parameter: cannot convert object to set of any single type.'],
    ['tomap', [['a']], 'Invalid value for "v" parameter: cannot convert tuple to map of any single type.'],
    ['tomap', [{ a: 'x', b: [1] }], 'Invalid value for "v" parameter: cannot convert object to map of any single type.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });
});
