import { UNKNOWN } from '../../core/model/value.js';
import { describeValue, valueToJSON } from './values-json.js';

describe('describeValue', () => {
  test.each([
    ['str', '"str"'],
    ['say "hi"\n', '"say \\"hi\\"\\n"'],
    ['${not} %{a}', '"$${not} %%{a}"'],
    [42, '42'],
    [1.5, '1.5'],
    [1e21, '1000000000000000000000'],
    [0.0000001, '0.0000001'],
    [-0.5, '-0.5'],
    [true, 'true'],
    [null, 'null'],
    [UNKNOWN, '(known after build starts)'],
    [[], '[]'],
    [{}, '{}'],
    [[1, 2], '[1, 2]'],
    [{ b: 2, a: 1 }, '{ a = 1, b = 2 }'],
    [{ 'has space': 1, 'ok-name_1': 2 }, '{ "has space" = 1, ok-name_1 = 2 }'],
    [{ list: [UNKNOWN, 'x'] }, '{ list = [(known after build starts), "x"] }'],
  ])('%j', (v, want) => {
    expect(describeValue(v)).toBe(want);
  });

  test('long values break over lines, with aligned attributes', () => {
    const v = {
      name: 'a-fairly-long-image-name',
      tags: { environment: 'production', team: 'platform-engineering', owner: 'someone@example.com' },
      ports: [22, 80],
    };
    expect(describeValue(v)).toBe(
      [
        '{',
        '  name  = "a-fairly-long-image-name"',
        '  ports = [22, 80]',
        '  tags  = {',
        '    environment = "production"',
        '    owner       = "someone@example.com"',
        '    team        = "platform-engineering"',
        '  }',
        '}',
      ].join('\n'),
    );
    const list = Array.from({ length: 12 }, (_, i) => `element-${i}`);
    expect(describeValue(list).split('\n')).toEqual(['[', ...list.map((e) => `  "${e}",`), ']']);
  });
});

describe('valueToJSON', () => {
  test('sorts keys, prints numbers as cty does, turns unknown into null', () => {
    expect(valueToJSON({ b: [1e21, 0.5, UNKNOWN], a: 'x', c: { z: true, y: null } })).toBe(
      '{"a":"x","b":[1000000000000000000000,0.5,null],"c":{"y":null,"z":true}}',
    );
  });

  test('pretty-prints with an indent', () => {
    expect(valueToJSON({ a: [1, 2], b: {} }, 2)).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}');
    expect(JSON.parse(valueToJSON({ a: [1, { b: 'c' }] }, 2))).toEqual({ a: [1, { b: 'c' }] });
  });
});
