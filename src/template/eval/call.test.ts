import { UNKNOWN, type Value } from '../../core/model/value.js';
import { ImgbuildError } from '../../core/errors.js';
import type { FunctionDef } from './function-api.js';
import { errors, run, TEST_FUNCTIONS, value } from './testing.js';

describe('function calls', () => {
  test.each([
    ['upper("abc")', 'ABC'],
    ['join("-", ["a", "b"], ["c"])', 'a-b-c'],
    ['join(",", [["x"]]...)', 'x'],
    ['sum(1, 2, 3)', 6],
    ['sum([1, 2, 3]...)', 6],
    ['sum(1, [2, 3]...)', 6],
    ['sum()', 0],
    ['sum([]...)', 0],
    ['sensitive("secret")', 'secret'],
    ['nonsensitive(sensitive(1))', 1],
  ])('%s', (src, want) => {
    expect(value(src)).toEqual(want);
  });

  test('unknown functions suggest a close name', () => {
    expect(errors('uper("a")')).toEqual(['Call to unknown function | There is no function named "uper". Did you mean "upper"? | test.pkr.hcl:1:1-1:5']);
    expect(errors('frobnicate()')).toEqual(['Call to unknown function | There is no function named "frobnicate". | test.pkr.hcl:1:1-1:11']);
  });

  test('arity errors name the signature', () => {
    expect(errors('join()')).toEqual([
      'Not enough function arguments | Function "join" expects at least 1 argument(s). Missing value for "separator". The signature is join(separator, lists...). | test.pkr.hcl:1:6-1:7',
    ]);
    expect(errors('upper("a", "b", "c")')).toEqual([
      'Too many function arguments | Function "upper" expects only 1 argument(s). The signature is upper(str). | test.pkr.hcl:1:12-1:15',
    ]);
    expect(errors('upper([]...)')).toEqual([
      'Not enough function arguments | Function "upper" expects 1 argument(s). Missing value for "str". The signature is upper(str). | test.pkr.hcl:1:12-1:13',
    ]);
  });

  test('the expanding argument must be a sequence', () => {
    expect(errors('sum(null...)')).toEqual([
      'Invalid expanding argument value | The expanding argument (indicated by ...) must not be null. | test.pkr.hcl:1:5-1:9',
    ]);
    expect(errors('sum("1"...)')).toEqual([
      'Invalid expanding argument value | The expanding argument (indicated by ...) must be of a tuple, list, or set type. | test.pkr.hcl:1:5-1:8',
    ]);
  });

  test('FunctionError becomes a diagnostic on the argument it names, or on the call', () => {
    expect(errors('explode("abc", 1 + 2)')).toEqual([
      'Invalid function argument | Invalid value for "pos" parameter: position 3 is out of range. | test.pkr.hcl:1:16-1:21',
    ]);
    expect(errors('explode(["abc", 9]...)')).toEqual([
      'Invalid function argument | Invalid value for "pos" parameter: position 9 is out of range. | test.pkr.hcl:1:9-1:19',
    ]);
    expect(errors('crash()')).toEqual(['Error in function call | Call to function "crash" failed: it always fails. | test.pkr.hcl:1:1-1:8']);
  });

  test('a call with an unknown argument is unknown and never runs', () => {
    let calls = 0;
    const spy: FunctionDef = {
      name: 'spy',
      params: [{ name: 'v' }],
      impl: (args: Value[]) => {
        calls++;
        return args[0] ?? null;
      },
    };
    const functions = new Map([...TEST_FUNCTIONS, ['spy', spy]]);
    const u = { u: UNKNOWN };
    expect(value('spy(u)', u, { functions })).toBe(UNKNOWN);
    expect(value('spy([1, { a = u }])', u, { functions })).toBe(UNKNOWN);
    expect(value('sum(u...)', u, { functions })).toBe(UNKNOWN);
    expect(calls).toBe(0);
    expect(value('spy(1)', u, { functions })).toBe(1);
    expect(calls).toBe(1);
  });

  test('other user errors thrown by a function become diagnostics; bugs propagate', () => {
    const functions = new Map<string, FunctionDef>([
      ...TEST_FUNCTIONS,
      ['convfail', { name: 'convfail', params: [], impl: () => { throw new ImgbuildError('E_CONVERT', 'cannot convert tuple to string', { source: 'user' }); } }],
      ['buggy', { name: 'buggy', params: [], impl: () => { throw new TypeError('x is undefined'); } }],
    ]);
    expect(errors('convfail()', {}, { functions })).toEqual([
      'Error in function call | Call to function "convfail" failed: cannot convert tuple to string. | test.pkr.hcl:1:1-1:11',
    ]);
    expect(() => run('buggy()', {}, { functions })).toThrow(TypeError);
  });

  test('a call whose argument failed is not made', () => {
    expect(errors('upper(nope)')).toEqual(['Unknown variable | There is no variable named "nope". | test.pkr.hcl:1:7-1:11']);
  });

  test('an empty function table forbids calls', () => {
    expect(errors('upper("a")', {}, { functions: new Map() })).toEqual([
      'Function calls not allowed | Functions may not be called here. | test.pkr.hcl:1:1-1:11',
    ]);
  });
});

describe('special forms', () => {
  const vars = { obj: { a: 1 }, u: UNKNOWN };

  test('can() reports whether an expression evaluates', () => {
    expect(value('can(obj.a)', vars)).toBe(true);
    expect(value('can(obj.b)', vars)).toBe(false);
    expect(value('can(nope)', vars)).toBe(false);
    expect(value('can(1 / 0)', vars)).toBe(false);
    expect(value('can(u)', vars)).toBe(UNKNOWN);
    expect(value('can([1, u])', vars)).toBe(UNKNOWN);
  });

  test('try() returns the first argument that evaluates', () => {
    expect(value('try(obj.b, obj.a, 3)', vars)).toBe(1);
    expect(value('try(obj.a)', vars)).toBe(1);
    expect(value('try(obj.b.c, "fallback")', vars)).toBe('fallback');
    expect(value('try(u, "fallback")', vars)).toBe(UNKNOWN);
    expect(value('try(obj.b, u)', vars)).toBe(UNKNOWN);
  });

  test('try() with no successful argument lists every failure', () => {
    const { diagnostics } = run('try(obj.b, nope)', vars);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.summary).toBe('Error in function call');
    expect(diagnostics[0]?.detail).toBe(
      'Call to function "try" failed: no expression succeeded:\n' +
        '- Unsupported attribute (at test.pkr.hcl:1:8-1:10)\n  This object does not have an attribute named "b". Did you mean "a"?\n' +
        '- Unknown variable (at test.pkr.hcl:1:12-1:16)\n  There is no variable named "nope".\n\n' +
        'At least one expression must produce a successful result.',
    );
  });

  test('arity of special forms', () => {
    expect(errors('try()')).toEqual([
      'Not enough function arguments | Function "try" expects at least 1 argument(s). Missing value for "expressions". The signature is try(expressions, expressions...). | test.pkr.hcl:1:5-1:6',
    ]);
    expect(errors('can(1, 2)')).toEqual([
      'Too many function arguments | Function "can" expects only 1 argument(s). The signature is can(expression). | test.pkr.hcl:1:8-1:9',
    ]);
  });

  test('convert() converts to a type expression', () => {
    expect(value('convert([1, "2"], list(string))')).toEqual(['1', '2']);
    expect(value('convert({ a = "1" }, map(number))')).toEqual({ a: 1 });
    expect(value('convert(["b", "a", "b"], set(string))')).toEqual(['a', 'b']);
    expect(errors('convert("x", number)')).toEqual([
      'Invalid function argument | Invalid value for "value" parameter: a number is required. | test.pkr.hcl:1:9-1:12',
    ]);
    expect(errors('convert(1, lst(string))')).toEqual([
      'Invalid type specification | Keyword "lst" is not a valid type constructor. | test.pkr.hcl:1:12-1:23',
    ]);
  });
});
