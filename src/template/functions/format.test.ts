import { call, callError, type Case, type ErrorCase } from './test-helpers.js';

describe('format', () => {
  it.each<[string, unknown[], string]>([
    ['Hello, %s!', ['Ander'], 'Hello, Ander!'],
    ['There are %d lights', [4], 'There are 4 lights'],
    ['%%', [], '%'],
    ['%d%%', [50], '50%'],
    ['%s', [12], '12'],
    ['%s', [true], 'true'],
    ['%s', [1.5], '1.5'],
    ['%v', ['s'], 's'],
    ['%v', [12], '12'],
    ['%v', [1.5], '1.5'],
    ['%v', [1000000], '1e+06'],
    ['%v', [123456], '123456'],
    ['%v', [true], 'true'],
    ['%v', [null], 'null'],
    ['%v', [[1, 'a']], '[1,"a"]'],
    ['%v', [{ b: 1, a: [true] }], '{"a":[true],"b":1}'],
    ['%#v', ['s'], '"s"'],
    ['%#v', [12], '12'],
    ['%t', [true], 'true'],
    ['%t', ['false'], 'false'],
    ['%d', ['12'], '12'],
    ['%5d', [42], '   42'],
    ['%-5d|', [42], '42   |'],
    ['%05d', [-42], '-0042'],
    ['%+d', [42], '+42'],
    ['% d', [42], ' 42'],
    ['%.3d', [7], '007'],
    ['%x', [255], 'ff'],
    ['%X', [255], 'FF'],
    ['%#x', [255], '0xff'],
    ['%o', [8], '10'],
    ['%#o', [8], '010'],
    ['%b', [5], '101'],
    ['%d', [-7], '-7'],
    ['%d', [12345678901234567890], '12345678901234567168'],
    ['%f', [3.14159], '3.141590'],
    ['%.2f', [3.14159], '3.14'],
    ['%8.3f', [2.5], '   2.500'],
    ['%-8.1f|', [2.5], '2.5     |'],
    ['%08.2f', [-2.5], '-0002.50'],
    ['%+.1f', [2], '+2.0'],
    ['%.0f', [2.5], '2'], // exact ties round half to even, as Go does
    ['%.0f', [3.5], '4'],
    ['%.1e', [1.25], '1.2e+00'],
    ['%.1f', [0.05], '0.1'], // 0.05 is slightly above the tie in binary
    ['%f', [1e21], '1000000000000000000000.000000'],
    ['%e', [0], '0.000000e+00'],
    ['%.2e', [9.999], '1.00e+01'],
    ['%e', [123456.789], '1.234568e+05'],
    ['%E', [0.000123], '1.230000E-04'],
    ['%.2e', [1500], '1.50e+03'],
    ['%g', [0.00001234], '1.234e-05'],
    ['%g', [100], '100'],
    ['%g', [1e21], '1e+21'],
    ['%.3g', [3.14159], '3.14'],
    ['%G', [1e-7], '1E-07'],
    ['%q', ['x"y'], '"x\\"y"'],
    ['%q', ['<&>'], '"\\u003c\\u0026\\u003e"'],
    ['%q', [12], '"12"'],
    ['%.2s', ['hello'], 'he'],
    ['%.1s', ['🤔🤷'], '🤔'],
    ['%5s|', ['ab'], '   ab|'],
    ['%-5s|', ['ab'], 'ab   |'],
    ['%05s', ['ab'], '000ab'],
    ['%3s|', ['🤔🤷'], ' 🤔🤷|'],
    ['%[2]s %[1]s', ['a', 'b'], 'b a'],
    ['%[2]s %s', ['a', 'b', 'c'], 'b c'],
    ['%[1]s %[1]s', ['a'], 'a a'],
    ['%s ☃ %s', ['a', 'b'], 'a ☃ b'],
  ])('format(%j, ...%j) = %j', (fmt, args, expected) => {
    expect(call('format', fmt, ...(args as never[]))).toBe(expected);
  });

  it.each<[string, unknown[], string]>([
    ['%s', [], 'not enough arguments for "%s" at 0: need index 1 but have 0 total'],
    ['%s %s', ['a'], 'not enough arguments for "%s" at 3: need index 2 but have 1 total'],
    ['☃ %s', [], 'not enough arguments for "%s" at 4: need index 1 but have 0 total'],
    ['%d', [1.5], 'unsupported value for "%d" at 0: an integer is required'],
    ['%d', ['x'], 'unsupported value for "%d" at 0: cannot convert "x" to number; given string must be a decimal representation of a number'],
    ['%d', [null], 'unsupported value for "%d" at 0: null value cannot be formatted'],
    ['%s', [[1]], 'unsupported value for "%s" at 0: cannot convert tuple to string'],
    ['%t', ['yes'], 'unsupported value for "%t" at 0: cannot convert "yes" to bool; only the strings "true" or "false" are allowed'],
    ['%z', [1], "unsupported format verb 'z' in \"%z\" at offset 0"],
    ['%!', [1], "unrecognized format character '!' at offset 1"],
    ['%[0]s', [true], "unrecognized format character '0' at offset 2"],
    ['%', [], 'extraneous characters beginning at offset 0'],
    ['x', [1], 'too many arguments; no verbs in format string'],
    ['%s', ['a', 'b'], 'too many arguments; only 1 used by format string'],
  ])('format(%j, ...%j) fails: %s', (fmt, args, reason) => {
    const e = callError('format', fmt, ...(args as never[]));
    expect(e.message).toBe(`Call to function "format" failed: ${reason}.`);
    expect(e.argIndex).toBeNull();
  });
});

describe('formatlist', () => {
  it.each<Case>([
    ['formatlist', ['Hello, %s!', ['Valentina', 'Ander', 'Olivia', 'Sam']], ['Hello, Valentina!', 'Hello, Ander!', 'Hello, Olivia!', 'Hello, Sam!']],
    ['formatlist', ['%s, %s!', 'Salutations', ['Valentina', 'Ander']], ['Salutations, Valentina!', 'Salutations, Ander!']],
    ['formatlist', ['%s=%d', ['a', 'b'], [1, 2]], ['a=1', 'b=2']],
    ['formatlist', ['%s', []], []],
    ['formatlist', ['just %s', 'one'], ['just one']],
    ['formatlist', ['none'], ['none']],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['formatlist', ['%s %s', ['a', 'b'], ['c']], 'Invalid value for "args" parameter: argument 2 has length 1, which is inconsistent with argument 1 of length 2.'],
    ['formatlist', ['%d', ['a']], 'Call to function "formatlist" failed: error on format iteration 0: unsupported value for "%d" at 0: cannot convert "a" to number; given string must be a decimal representation of a number.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });
});
