import { UNKNOWN, type Value } from '../../core/model/value.js';
import { convertToType, parseTypeExpr, typeString, type TypeConstraint } from './types.js';
import { inferType, unifyTypes } from './convert-type.js';
import { formatDiags, parseExpr } from './testing.js';

function typeOf(src: string): TypeConstraint {
  const { type, diagnostics } = parseTypeExpr(parseExpr(src));
  if (type === null) throw new Error(formatDiags(diagnostics).join('\n'));
  return type;
}

function typeErrors(src: string): string[] {
  return formatDiags(parseTypeExpr(parseExpr(src)).diagnostics);
}

function conv(v: Value, src: string): { value: Value; error: string | null } {
  return convertToType(v, typeOf(src));
}

describe('parseTypeExpr', () => {
  test.each([
    ['string', 'string'],
    ['number', 'number'],
    ['bool', 'bool'],
    ['any', 'any type'],
    ['list(string)', 'list of string'],
    ['set(number)', 'set of number'],
    ['map(any)', 'map of any single type'],
    ['list(map(bool))', 'list of map of bool'],
    ['object({ a = string, b = optional(number, 1) })', 'object'],
    ['tuple([string, number])', 'tuple'],
  ])('%s is %s', (src, name) => {
    expect(typeString(typeOf(src))).toBe(name);
  });

  test('object attributes keep optional() and its converted default', () => {
    expect(typeOf('object({ name = string, port = optional(number, "22"), tags = optional(map(string)) })')).toEqual({
      kind: 'object',
      attributes: [
        { name: 'name', type: { kind: 'string' }, optional: false, default: null },
        { name: 'port', type: { kind: 'number' }, optional: true, default: 22 },
        { name: 'tags', type: { kind: 'map', element: { kind: 'string' } }, optional: true, default: null },
      ],
    });
  });

  test('legacy quoted types still work, with a deprecation warning', () => {
    for (const [src, want] of [
      ['"string"', 'string'],
      ['"list"', 'list of any single type'],
      ['"map"', 'map of any single type'],
    ] as const) {
      const { type, diagnostics } = parseTypeExpr(parseExpr(src));
      expect(type && typeString(type)).toBe(want);
      expect(diagnostics.map((d) => d.severity)).toEqual(['warning']);
    }
  });

  test('invalid specifications', () => {
    expect({
      keyword: typeErrors('strin'),
      bareList: typeErrors('list'),
      noArgs: typeErrors('list()'),
      twoArgs: typeErrors('map(string, number)'),
      primitiveCall: typeErrors('string(1)'),
      badConstructor: typeErrors('array(string)'),
      objectNotMap: typeErrors('object(string)'),
      objectKey: typeErrors('object({ "a b" = string })'),
      tupleNotList: typeErrors('tuple(string)'),
      optionalOutside: typeErrors('list(optional(string))'),
      optionalArgs: typeErrors('object({ a = optional(string, "x", "y") })'),
      badDefault: typeErrors('object({ a = optional(number, "x") })'),
      defaultWithVariable: typeErrors('object({ a = optional(string, var.x) })'),
      quoted: typeErrors('"number"'),
      literal: typeErrors('1'),
    }).toMatchSnapshot();
  });
});

describe('convertToType', () => {
  test.each<[Value, string, Value]>([
    ['x', 'string', 'x'],
    [1.5, 'string', '1.5'],
    [true, 'string', 'true'],
    ['12', 'number', 12],
    ['-1.5e2', 'number', -150],
    ['true', 'bool', true],
    ['0', 'bool', false],
    [null, 'string', null],
    [UNKNOWN, 'number', UNKNOWN],
    [[1, 'a'], 'any', [1, 'a']],
    [[1, 2], 'list(string)', ['1', '2']],
    [[1, 'a'], 'list(any)', ['1', 'a']],
    [[[1], ['a']], 'list(any)', [['1'], ['a']]],
    [['b', 'a', 'b'], 'set(string)', ['a', 'b']],
    [[3, 1, 3], 'set(number)', [1, 3]],
    [{ a: 1, b: '2' }, 'map(number)', { a: 1, b: 2 }],
    [{ a: 1, b: 'x' }, 'map(any)', { a: '1', b: 'x' }],
    [{ a: 'x', extra: 1 }, 'object({ a = string })', { a: 'x' }],
    [{ a: 'x' }, 'object({ a = string, b = optional(number) })', { a: 'x', b: null }],
    [{ a: 'x' }, 'object({ a = string, b = optional(number, 7) })', { a: 'x', b: 7 }],
    [{ a: 'x', b: null }, 'object({ a = string, b = optional(number, 7) })', { a: 'x', b: 7 }],
    [[{ a: 'x' }], 'list(object({ a = string, b = optional(bool, true) }))', [{ a: 'x', b: true }]],
    [{ o: {} }, 'object({ o = object({ p = optional(string, "d") }) })', { o: { p: 'd' } }],
    [['a', '1'], 'tuple([string, number])', ['a', 1]],
    [[UNKNOWN, 1], 'list(string)', [UNKNOWN, '1']],
  ])('%j to %s', (v, type, want) => {
    expect(conv(v, type)).toEqual({ value: want, error: null });
  });

  test.each<[Value, string, string]>([
    ['x', 'number', 'a number is required'],
    [true, 'number', 'number required'],
    ['yes', 'bool', 'a bool is required'],
    [1, 'bool', 'bool required'],
    [[1], 'string', 'string required'],
    ['a', 'list(string)', 'list of string required'],
    [['a', 'b'], 'list(number)', 'element 0: a number is required'],
    [['1', 'b'], 'list(number)', 'element 1: a number is required'],
    [[1, {}], 'list(any)', 'all list elements must have the same type'],
    [{ a: 1, b: [] }, 'map(any)', 'all map elements must have the same type'],
    [{ a: 'x' }, 'map(number)', 'element "a": a number is required'],
    [[], 'map(string)', 'map of string required'],
    [{}, 'object({ name = string })', 'attribute "name" is required'],
    [{}, 'object({ b = string, a = string })', 'attributes "a" and "b" are required'],
    [{}, 'object({ c = string, b = string, a = string })', 'attributes "a", "b", and "c" are required'],
    [{ name: [] }, 'object({ name = string })', 'attribute "name": string required'],
    [[{ a: {} }], 'list(object({ a = object({ b = number }) }))', 'element 0: attribute "a": attribute "b" is required'],
    [['a'], 'tuple([string, string])', 'tuple required'],
    ['x', 'object({})', 'object required'],
  ])('%j to %s fails: %s', (v, type, message) => {
    expect(conv(v, type)).toEqual({ value: null, error: message });
  });
});

describe('unification', () => {
  const u = (...vs: Value[]): string | null => {
    const t = unifyTypes(vs.map(inferType));
    return t && typeString(t);
  };
  test.each<[Value[], string | null]>([
    [[1, 2], 'number'],
    [[1, 'a'], 'string'],
    [[true, 'a'], 'string'],
    [[1, true], null],
    [[null, 1], 'number'],
    [[UNKNOWN], 'any type'],
    [[[1], [2, 3]], 'list of number'],
    [[[1], ['a']], 'tuple'],
    [[{ a: 1 }, { a: 'x' }], 'object'],
    [[{ a: 1 }, { b: 'x' }], 'map of string'],
    [[{ a: 1 }, { b: [] }], null],
    [[[], {}], null],
  ])('%j unify to %s', (vs, want) => {
    expect(u(...vs)).toBe(want);
  });
});
