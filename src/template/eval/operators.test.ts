import { UNKNOWN } from '../../core/model/value.js';
import { errors, run, value } from './testing.js';

describe('literals and collections', () => {
  test.each([
    ['42', 42],
    ['1.5', 1.5],
    ['true', true],
    ['null', null],
    ['"hi"', 'hi'],
    ['[1, "a", [true]]', [1, 'a', [true]]],
    ['{ a = 1, "b c" = 2, (1 + 1) = 3 }', { a: 1, 'b c': 2, '2': 3 }],
    ['{ true = 1, null = 2 }', { true: 1, null: 2 }],
    ['{ (var_key) = "v" }', { k: 'v' }],
    ['{ (obj.k) = "v" }', { x: 'v' }],
  ])('%s', (src, want) => {
    expect(value(src, { var_key: 'k', obj: { k: 'x' } })).toEqual(want);
  });

  test('object keys "__proto__" and "constructor" are ordinary keys', () => {
    const v = value('{ "__proto__" = 1, constructor = 2 }') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});

describe('arithmetic', () => {
  test.each([
    ['1 + 2', 3],
    ['"1" + 2', 3],
    ['"1.5" * "2"', 3],
    ['7 - 10', -3],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['7 % -3', 1],
    ['-(2)', -2],
    ['- "3"', -3],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 * 3 % 4', 2],
    ['1 + 2 < 4', true],
    ['1 < 2 == true', true],
    ['true || false && false', true],
    ['!true || true', true],
    ['1 == 1 && 2 != 3', true],
  ])('%s = %j', (src, want) => {
    expect(value(src)).toEqual(want);
  });

  test.each([
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2', true],
    ['"10" > 9', true],
    ['2 >= 3', false],
  ])('comparison %s', (src, want) => {
    expect(value(src)).toBe(want);
  });

  test('string operands that are not numbers are refused', () => {
    expect(errors('"abc" + 1')).toEqual([
      'Invalid operand | Unsuitable value for left operand: a number is required. | test.pkr.hcl:1:1-1:6',
    ]);
  });

  test('bool, null and collection operands are refused with the operand underlined', () => {
    expect(errors('1 + true')).toEqual(['Invalid operand | Unsuitable value for right operand: number required. | test.pkr.hcl:1:5-1:9']);
    expect(errors('null * 2')).toEqual([
      'Invalid operand | Unsuitable value for left operand: argument must not be null. | test.pkr.hcl:1:1-1:5',
    ]);
    expect(errors('-[1]')).toEqual(['Invalid operand | Unsuitable value for unary operand: number required. | test.pkr.hcl:1:2-1:5']);
  });

  test('both operands are checked', () => {
    expect(errors('[] - {}')).toHaveLength(2);
  });

  test('division and modulo by zero fail', () => {
    expect(errors('1 / 0')).toEqual(["Operation failed | Error during operation: can't divide by zero. | test.pkr.hcl:1:1-1:6"]);
    expect(errors('1 % 0')).toEqual(["Operation failed | Error during operation: can't use modulo by zero. | test.pkr.hcl:1:1-1:6"]);
  });
});

describe('equality', () => {
  test.each([
    ['1 == 1', true],
    ['1 == "1"', false],
    ['"a" == "a"', true],
    ['[1, [2]] == [1, [2]]', true],
    ['[1, 2] == [2, 1]', false],
    ['{ a = 1, b = [1] } == { b = [1], a = 1 }', true],
    ['{ a = 1 } == { a = 1, b = 2 }', false],
    ['null == null', true],
    ['null != 1', true],
    ['true != false', true],
  ])('%s', (src, want) => {
    expect(value(src)).toBe(want);
  });

  test('unknown operands give an unknown result, unless a known part already differs', () => {
    expect(value('x == 1', { x: UNKNOWN })).toBe(UNKNOWN);
    expect(value('[x] != [1]', { x: UNKNOWN })).toBe(UNKNOWN);
    expect(value('[x, 1] == [x, 2]', { x: UNKNOWN })).toBe(false);
    expect(value('[x] == [1, 2]', { x: UNKNOWN })).toBe(false);
  });
});

describe('logical operators', () => {
  test.each([
    ['true && true', true],
    ['true && false', false],
    ['false || true', true],
    ['!false', true],
    ['"true" && true', true],
  ])('%s', (src, want) => {
    expect(value(src)).toBe(want);
  });

  test('require bools', () => {
    expect(errors('1 && true')).toEqual(['Invalid operand | Unsuitable value for left operand: bool required. | test.pkr.hcl:1:1-1:2']);
    expect(errors('true || "yes"')).toEqual([
      'Invalid operand | Unsuitable value for right operand: a bool is required. | test.pkr.hcl:1:9-1:14',
    ]);
    expect(errors('!null')).toEqual(['Invalid operand | Unsuitable value for unary operand: argument must not be null. | test.pkr.hcl:1:2-1:6']);
  });

  test('a known deciding operand wins over an unknown one', () => {
    const u = { u: UNKNOWN };
    expect(value('u || true', u)).toBe(true);
    expect(value('true || u', u)).toBe(true);
    expect(value('u && false', u)).toBe(false);
    expect(value('false && u', u)).toBe(false);
    expect(value('u || false', u)).toBe(UNKNOWN);
    expect(value('u && true', u)).toBe(UNKNOWN);
    expect(value('u && u', u)).toBe(UNKNOWN);
    expect(value('!u', u)).toBe(UNKNOWN);
  });

  test('a known deciding operand drops the diagnostics of the other side, as HCL does', () => {
    expect(run('true || missing.attr', {}).diagnostics).toEqual([]);
    expect(run('true || missing.attr', {}).value).toBe(true);
    expect(errors('false || missing')).toEqual(['Unknown variable | There is no variable named "missing". | test.pkr.hcl:1:10-1:17']);
  });

  test('arithmetic on unknown is unknown', () => {
    expect(value('u + 1', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('-u', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('u < 1', { u: UNKNOWN })).toBe(UNKNOWN);
  });
});

describe('conditional', () => {
  test('picks a branch', () => {
    expect(value('true ? "a" : "b"')).toBe('a');
    expect(value('1 > 2 ? "a" : "b"')).toBe('b');
    expect(value('"true" ? 1 : 2')).toBe(1);
  });

  test('unifies the result type: a number meeting a string becomes a string', () => {
    expect(value('true ? 1 : "x"')).toBe('1');
    expect(value('false ? "x" : true')).toBe('true');
    expect(value('true ? null : "x"')).toBe(null);
    expect(value('true ? { a = 1 } : { b = "x" }')).toEqual({ a: '1' });
    expect(value('true ? [1] : ["x"]')).toEqual(['1']);
    expect(value('true ? [] : ["x", "y"]')).toEqual([]);
  });

  test('reports results with no common type', () => {
    expect(errors('true ? 1 : false')).toEqual([
      "Inconsistent conditional result types | The true and false result expressions must have consistent types. The 'true' value is number, but the 'false' value is bool. | test.pkr.hcl:1:8-1:17",
    ]);
    expect(errors('true ? { a = 1 } : { b = [] }')).toEqual([
      "Inconsistent conditional result types | The true and false result expressions must have consistent types. The 'true' value includes object attribute \"a\", which is absent in the 'false' value. | test.pkr.hcl:1:8-1:30",
    ]);
  });

  test('keeps only the chosen branch diagnostics', () => {
    expect(run('true ? 1 : nope').diagnostics).toEqual([]);
    expect(errors('false ? 1 : nope')).toEqual(['Unknown variable | There is no variable named "nope". | test.pkr.hcl:1:13-1:17']);
  });

  test('condition must be a bool and not null', () => {
    expect(errors('"maybe" ? 1 : 2')).toEqual([
      'Incorrect condition type | The condition expression must be of type bool. | test.pkr.hcl:1:1-1:8',
    ]);
    expect(errors('null ? 1 : 2')).toEqual([
      'Null condition | The condition value is null. Conditions must either be true or false. | test.pkr.hcl:1:1-1:5',
    ]);
  });

  test('an unknown condition gives an unknown result', () => {
    expect(value('u ? 1 : 2', { u: UNKNOWN })).toBe(UNKNOWN);
  });
});
